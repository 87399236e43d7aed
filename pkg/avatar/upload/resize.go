package upload

import (
	"image"
	"image/draw"
)

// resize returns the area r of src scaled to w×h (w <= r.Dx(), h <= r.Dy(): this never
// enlarges) by area averaging: every destination pixel is the mean of the source area it
// covers, partial pixels weighted by their share. For shrinking that is what a box filter
// should be, free of aliasing, and it is exact integer arithmetic.
//
// It streams: one source row at a time is converted to RGBA (image/draw's fast paths for
// YCbCr, Gray, NRGBA, …) and folded into two accumulator rows, so the extra memory is a few
// rows, not a second copy of the picture. golang.org/x/image/draw's kernel scalers were the
// obvious choice but allocate a w*r.Dy() buffer of [4]float64: 98 MB for a 12-megapixel
// photo scaled to 1024, more than the decoded photo itself.
//
// Colours are averaged premultiplied, so fully transparent pixels (whose colour is
// meaningless) do not bleed into their neighbours.
func resize(src image.Image, r image.Rectangle, w, h int) *image.RGBA {
	sw, sh := r.Dx(), r.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w <= 0 || h <= 0 || sw < w || sh < h {
		return dst
	}
	// Measured in units where a source pixel is w (or h) long and a destination pixel sw (or
	// sh), source pixel x covers [x*w, x*w+w) and destination pixel d covers [d*sw, d*sw+sw).
	// As w <= sw, a source pixel overlaps one destination pixel or two neighbours.
	col, cw0, cw1 := spans(sw, w)
	total := uint64(sw) * uint64(sh)

	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	line := make([]uint64, 4*w) // the source row, shrunk horizontally
	cur := make([]uint64, 4*w)  // destination row dy being accumulated
	next := make([]uint64, 4*w) // destination row dy+1 (a source row may straddle both)
	dy := 0
	for y := 0; y < sh; y++ {
		draw.Draw(row, row.Rect, src, image.Pt(r.Min.X, r.Min.Y+y), draw.Src)
		clear(line)
		for x := 0; x < sw; x++ {
			p := row.Pix[4*x : 4*x+4 : 4*x+4]
			d := 4 * int(col[x])
			l := line[d : d+4 : d+4]
			wt := uint64(cw0[x])
			l[0] += wt * uint64(p[0])
			l[1] += wt * uint64(p[1])
			l[2] += wt * uint64(p[2])
			l[3] += wt * uint64(p[3])
			if cw1[x] != 0 {
				l = line[d+4 : d+8 : d+8]
				wt = uint64(cw1[x])
				l[0] += wt * uint64(p[0])
				l[1] += wt * uint64(p[1])
				l[2] += wt * uint64(p[2])
				l[3] += wt * uint64(p[3])
			}
		}
		// Vertical share of this source row in destination rows dy and dy+1.
		top, bottom := uint64(y)*uint64(h), uint64(y+1)*uint64(h)
		edge := uint64(dy+1) * uint64(sh)
		w0, w1 := bottom-top, uint64(0)
		if bottom > edge {
			w0, w1 = edge-top, bottom-edge
		}
		for i, v := range line {
			cur[i] += w0 * v
		}
		if w1 != 0 {
			for i, v := range line {
				next[i] += w1 * v
			}
		}
		if bottom >= edge { // destination row dy is complete
			out := dst.Pix[dy*dst.Stride : dy*dst.Stride+4*w]
			for i, v := range cur {
				out[i] = uint8((v + total/2) / total)
			}
			cur, next = next, cur
			clear(next)
			dy++
		}
	}
	return dst
}

// spans maps each of n source columns to the destination column it starts in (of m) and its
// weights in that column and the next.
func spans(n, m int) (col []int32, w0, w1 []uint32) {
	col, w0, w1 = make([]int32, n), make([]uint32, n), make([]uint32, n)
	for x := 0; x < n; x++ {
		start, end := x*m, x*m+m
		d := start / n
		edge := (d + 1) * n
		col[x] = int32(d)
		if end <= edge {
			w0[x] = uint32(m)
		} else {
			w0[x], w1[x] = uint32(edge-start), uint32(end-edge)
		}
	}
	return col, w0, w1
}

// fit scales w×h down to fit a side×side box, keeping the aspect ratio; never up.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int((int64(h)*int64(side)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(side)+int64(h)/2)/int64(h))), side
}

// centerSquare is the largest square in the middle of r.
func centerSquare(r image.Rectangle) image.Rectangle {
	s := min(r.Dx(), r.Dy())
	x0 := r.Min.X + (r.Dx()-s)/2
	y0 := r.Min.Y + (r.Dy()-s)/2
	return image.Rect(x0, y0, x0+s, y0+s)
}

// orient turns m as EXIF orientation o says the camera was held: 2 mirrored, 3 upside down,
// 4 flipped, 5 transposed, 6 needs 90° clockwise, 7 transversed, 8 needs 90° counter-clockwise.
// The image is already scaled down, so this is cheap.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			copy(out.Pix[dy*out.Stride+4*dx:dy*out.Stride+4*dx+4], m.Pix[y*m.Stride+4*x:y*m.Stride+4*x+4])
		}
	}
	return out
}
