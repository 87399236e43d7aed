//go:build linux

package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"time"

	"github.com/userbase/userbase/pkg/avatar/upload"
)

// avatarPeakBudget is the most heap an avatar upload may take: the function has headroom
// within its memory for the runtime and the request itself.
const avatarPeakBudget = 128 << 20

// measureAvatar times the re-encoding of a 12-megapixel photo-like JPEG (about 5 MB) and
// counts the heap it allocates, with upload.Measure. It also returns the time (0 when not
// measured).
func measureAvatar() (*section, time.Duration) {
	s := &section{
		title:  "Avatar upload: re-encoding a 12-megapixel JPEG (4000x3000), as PUT /v1/me/avatar does",
		header: []string{"input", "time", "peak heap", "budget", "result"},
	}
	raw, err := photo(4000, 3000)
	if err != nil {
		s.err = err
		return s, 0
	}
	best := time.Duration(1 << 62)
	var peak uint64
	for range 3 {
		dur, p, err := upload.Measure(raw)
		if err != nil {
			s.err = fmt.Errorf("measure: %w", err)
			return s, 0
		}
		best, peak = min(best, dur), max(peak, p)
	}
	s.row(fmt.Sprintf("%.1f MB JPEG", float64(len(raw))/1e6), fmt.Sprintf("%.0f ms", float64(best.Microseconds())/1000),
		fmt.Sprintf("%.1f MB", float64(peak)/(1<<20)), fmt.Sprintf("< %d MB", avatarPeakBudget>>20), mark(peak < avatarPeakBudget))
	s.note("Time is the best of 3 runs; peak heap counts every allocation of one run with GC off, so it can only overstate.")
	s.note("Lambda's CPU follows memory: the sizing part below gives this work's time at each size.")
	return s, best
}

// photo makes a JPEG of smooth gradients with grain, which compresses like a photograph.
func photo(w, h int) ([]byte, error) {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Y[img.YOffset(x, y)] = uint8((x*255/w+y*255/h)/2) + uint8(r.IntN(22))
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(100+r.IntN(40)), uint8(120+r.IntN(40))
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
