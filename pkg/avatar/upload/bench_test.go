package upload

import (
	"image"
	"math/rand/v2"
	"testing"
	"time"
)

// photo is a w×h JPEG with noise on gradients, so it compresses like a photograph rather
// than a flat test card. quality sets its size: 4000x3000 at 85 is 5 MB.
func photo(tb testing.TB, w, h, quality int) []byte {
	tb.Helper()
	m := picture(w, h)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(m.Pix); i += 4 {
		n := uint8(rng.IntN(64))
		m.Pix[i] += n
		m.Pix[i+1] -= n
		m.Pix[i+2] ^= n
	}
	return jpegBytes(tb, image.Image(m), quality)
}

// BenchmarkProcess12MP re-encodes a 12-megapixel JPEG (4000x3000) into the stored image and
// thumbnail; ms/op is the figure to watch.
func BenchmarkProcess12MP(b *testing.B) {
	raw := photo(b, 4000, 3000, 85)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Process(raw, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeakMemory5MB prints the time and the heap Process needs for a 5 MB JPEG
// (4000x3000), and fails when that heap reaches 128 MB.
func BenchmarkPeakMemory5MB(b *testing.B) {
	raw := photo(b, 4000, 3000, 85)
	var peak uint64
	for b.Loop() {
		dur, p, err := Measure(raw)
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, p)
		b.ReportMetric(float64(dur.Milliseconds()), "ms-process")
	}
	b.ReportMetric(float64(len(raw))/(1<<20), "MB-input")
	b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
	if peak >= 128<<20 {
		b.Fatalf("peak heap %d MB for a %d MB image, want under 128 MB", peak>>20, len(raw)>>20)
	}
}

// TestMeasurePeakUnder128MB holds Process under 128 MB of heap for the 5 MB photo, and for
// the worst file the default limits let through: an RGBA PNG just under MaxDecodeBytes.
func TestMeasurePeakUnder128MB(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and processes 12- and 22-megapixel images")
	}
	tests := []struct {
		name string
		raw  func() []byte
	}{
		{"5 MB JPEG 4000x3000", func() []byte { return photo(t, 4000, 3000, 85) }},
		{"RGBA PNG 4700x4700 at the decode budget", func() []byte { return pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 4700, 4700))) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw()
			dur, peak, err := Measure(raw)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%.1f MB input: Process %v, peak heap %.1f MB", float64(len(raw))/(1<<20), dur.Round(time.Millisecond), float64(peak)/(1<<20))
			if peak >= 128<<20 {
				t.Errorf("got peak heap %d MB, want under 128 MB", peak>>20)
			}
		})
	}
}
