package upload

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
)

// picture is an opaque test pattern: gradients, so scaling and encoding have real work.
func picture(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i+0] = uint8(x * 255 / max(1, w-1))
			m.Pix[i+1] = uint8(y * 255 / max(1, h-1))
			m.Pix[i+2] = uint8((x ^ y) & 0xFF)
			m.Pix[i+3] = 0xFF
		}
	}
	return m
}

func pngBytes(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// animatedGIF has frames frames of w×h, each a different colour of the Plan 9 palette.
func animatedGIF(t testing.TB, w, h, frames int) []byte {
	t.Helper()
	g := &gif.GIF{}
	for i := 0; i < frames; i++ {
		p := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		for j := range p.Pix {
			p.Pix[j] = uint8(i % 256)
		}
		g.Image = append(g.Image, p)
		g.Delay = append(g.Delay, 1)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngHeader is a PNG signature and an IHDR claiming w×h RGBA, then an IDAT of garbage and
// IEND: a decoder that got past the header would fail, so only a header check can answer
// too_large.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	return pngChunks(map[int][2]any{0: {"IHDR", ihdr}, 1: {"IDAT", []byte("not zlib at all")}, 2: {"IEND", []byte{}}})
}

// greyTRNSPNG is a w×h 8-bit grey PNG with a tRNS chunk, which image/png decodes to NRGBA
// (4 bytes a pixel) rather than Gray. Go's encoder never writes one.
func greyTRNSPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	row := make([]byte, 1+w) // filter type 0, then the pixels
	for y := 0; y < h; y++ {
		for x := range w {
			row[1+x] = uint8(x + y)
		}
		z.Write(row)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 0
	return pngChunks(map[int][2]any{0: {"IHDR", ihdr}, 1: {"tRNS", []byte{0, 7}}, 2: {"IDAT", idat.Bytes()}, 3: {"IEND", []byte{}}})
}

// pngChunks writes a PNG of the numbered chunks, in order.
func pngChunks(chunks map[int][2]any) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	for i := 0; i < len(chunks); i++ {
		typ, data := chunks[i][0].(string), chunks[i][1].([]byte)
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		b.Write(n[:])
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.BigEndian.PutUint32(n[:], c.Sum32())
		b.Write(n[:])
	}
	return b.Bytes()
}

// adobeRGB marks a JPEG as RGB with an Adobe APP14 segment (transform 0), which makes
// image/jpeg convert its samples into a second, RGBA image.
func adobeRGB(jpg []byte) []byte {
	seg := []byte{0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0}
	return withSegment(jpg, seg)
}

// exifAPP1 is an APP1 segment (marker included) with a big-endian TIFF IFD0 holding the
// orientation and a GPS IFD pointer, plus a GPS latitude blob ("GPS" and coordinates) a
// careless pipeline would carry along.
func exifAPP1(orientation uint16) []byte {
	var t bytes.Buffer
	be := binary.BigEndian
	t.WriteString("MM")
	_ = binary.Write(&t, be, uint16(42))
	_ = binary.Write(&t, be, uint32(8)) // IFD0 right after the header
	_ = binary.Write(&t, be, uint16(2)) // two entries
	// Orientation, SHORT, count 1.
	_ = binary.Write(&t, be, []uint16{0x0112, 3})
	_ = binary.Write(&t, be, uint32(1))
	_ = binary.Write(&t, be, []uint16{orientation, 0})
	// GPSInfo IFD pointer, LONG, count 1, pointing past this IFD.
	_ = binary.Write(&t, be, []uint16{0x8825, 4})
	_ = binary.Write(&t, be, uint32(1))
	_ = binary.Write(&t, be, uint32(8+2+2*12+4))
	_ = binary.Write(&t, be, uint32(0)) // no IFD1
	t.WriteString("GPS 35.6892N 51.3890E secret-home-location")

	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	out := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(out[2:], uint16(len(seg)+2))
	return append(out, seg...)
}

// withSegment inserts a marker segment right after SOI.
func withSegment(jpg, seg []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// jpegMarkers lists the markers of a JPEG up to SOS.
func jpegMarkers(t testing.TB, b []byte) []byte {
	t.Helper()
	var ms []byte
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return ms
}

// wantProblem checks err is an *apperr.Error with code and, when field is set, that field
// with fieldCode.
func wantProblem(t testing.TB, err error, code apperr.Code, field, fieldCode string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("got error %v, want an *apperr.Error %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, e, code)
	}
	if field == "" {
		return
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Code == fieldCode {
			return
		}
	}
	t.Fatalf("got fields %+v, want %s %s", e.Fields, field, fieldCode)
}

// catalogued reports whether err is a client error this package may return.
func catalogued(err error) bool {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case apperr.ValidationFailed, apperr.UnknownField, apperr.UnsupportedMediaType:
		return true
	}
	return false
}

// opaque reports whether every pixel of m is opaque.
func opaque(m image.Image) bool {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := m.At(x, y).RGBA(); a != 0xFFFF {
				return false
			}
		}
	}
	return true
}

func near(a, b color.Color, tol uint32) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	d := func(x, y uint32) uint32 {
		if x > y {
			return x - y
		}
		return y - x
	}
	tol *= 0x101
	return d(r1, r2) <= tol && d(g1, g2) <= tol && d(b1, b2) <= tol && d(a1, a2) <= tol
}

// allocs is the bytes f allocates.
func allocs(t testing.TB, f func()) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
