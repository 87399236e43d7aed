package upload

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/avatar"
)

// decodeResult decodes both images of r and checks their declared formats and sizes.
func decodeResult(t *testing.T, r *avatar.Result) (img, thumb image.Image) {
	t.Helper()
	dec := func(e avatar.Encoded) image.Image {
		t.Helper()
		var m image.Image
		var err error
		switch e.ContentType {
		case "image/jpeg":
			if e.Ext != "jpg" {
				t.Fatalf("got ext %q for %s", e.Ext, e.ContentType)
			}
			m, err = jpeg.Decode(bytes.NewReader(e.Data))
		case "image/png":
			if e.Ext != "png" {
				t.Fatalf("got ext %q for %s", e.Ext, e.ContentType)
			}
			m, err = png.Decode(bytes.NewReader(e.Data))
		default:
			t.Fatalf("got content type %q", e.ContentType)
		}
		if err != nil {
			t.Fatalf("output does not decode as %s: %v", e.ContentType, err)
		}
		if b := m.Bounds(); b.Dx() != e.Width || b.Dy() != e.Height {
			t.Fatalf("got %dx%d pixels, Encoded says %dx%d", b.Dx(), b.Dy(), e.Width, e.Height)
		}
		return m
	}
	if r.Image.ContentType != r.Thumb.ContentType {
		t.Fatalf("image %s, thumbnail %s: want one format", r.Image.ContentType, r.Thumb.ContentType)
	}
	return dec(r.Image), dec(r.Thumb)
}

func TestProcessFormats(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	draw.Draw(transparent, image.Rect(50, 50, 250, 150), image.NewUniform(color.NRGBA{200, 30, 30, 255}), image.Point{}, draw.Src)

	tests := []struct {
		name      string
		raw       []byte
		wantType  string
		wantW     int
		wantH     int
		wantThumb int
	}{
		{"png opaque", pngBytes(t, picture(300, 200)), "image/jpeg", 300, 200, 128},
		{"png with alpha", pngBytes(t, transparent), "image/png", 300, 200, 128},
		{"jpeg", jpegBytes(t, picture(640, 480), 90), "image/jpeg", 640, 480, 128},
		{"jpeg large, scaled down", jpegBytes(t, picture(3000, 2000), 80), "image/jpeg", 1024, 683, 128},
		{"jpeg portrait, scaled down", jpegBytes(t, picture(1500, 3000), 80), "image/jpeg", 512, 1024, 128},
		{"gif one frame", animatedGIF(t, 90, 60, 1), "image/jpeg", 90, 60, 60},
		{"webp lossy", readTestdata(t, "blue-purple-pink.lossy.webp"), "image/jpeg", 0, 0, 0},
		{"webp lossless with alpha", readTestdata(t, "gopher-doc.with-alpha.lossless.webp"), "image/png", 0, 0, 0},
		{"webp lossy with alpha", readTestdata(t, "yellow_rose.lossy-with-alpha.webp"), "image/png", 0, 0, 0},
		{"tiny", pngBytes(t, picture(1, 1)), "image/jpeg", 1, 1, 1},
		{"jpeg progressive 4:4:4", readTestdata(t, "video-001.q50.444.progressive.jpeg"), "image/jpeg", 150, 103, 103},
		{"jpeg cmyk", readTestdata(t, "video-001.cmyk.jpeg"), "image/jpeg", 150, 103, 103},
		{"png interlaced grey", readTestdata(t, "gray-gradient.interlaced.png"), "image/jpeg", 0, 0, 0},
		{"png 16-bit rgba", readTestdata(t, "basn6a16.png"), "image/png", 32, 32, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Process(tt.raw, Limits{})
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			img, thumb := decodeResult(t, r)
			if r.Image.ContentType != tt.wantType {
				t.Errorf("got %s, want %s", r.Image.ContentType, tt.wantType)
			}
			if tt.wantW > 0 && (r.Image.Width != tt.wantW || r.Image.Height != tt.wantH) {
				t.Errorf("got image %dx%d, want %dx%d", r.Image.Width, r.Image.Height, tt.wantW, tt.wantH)
			}
			if tt.wantThumb > 0 && (r.Thumb.Width != tt.wantThumb || r.Thumb.Height != tt.wantThumb) {
				t.Errorf("got thumbnail %dx%d, want %dx%[3]d", r.Thumb.Width, r.Thumb.Height, tt.wantThumb)
			}
			if r.Thumb.Width != r.Thumb.Height || r.Thumb.Width > DefaultThumbSide {
				t.Errorf("got thumbnail %dx%d, want a square of at most %d", r.Thumb.Width, r.Thumb.Height, DefaultThumbSide)
			}
			if max(r.Image.Width, r.Image.Height) > DefaultStoreSide {
				t.Errorf("got image %dx%d, want at most %d a side", r.Image.Width, r.Image.Height, DefaultStoreSide)
			}
			if tt.wantType == "image/png" && (opaque(img) || opaque(thumb)) {
				t.Errorf("got an opaque PNG, want the transparency kept")
			}
		})
	}
}

func TestProcessKeepsPixels(t *testing.T) {
	// Left half red, right half blue, 200x100: scaled 1:1 the colours stay where they were.
	m := image.NewRGBA(image.Rect(0, 0, 200, 100))
	draw.Draw(m, image.Rect(0, 0, 100, 100), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(m, image.Rect(100, 0, 200, 100), image.NewUniform(color.RGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
	r, err := Process(pngBytes(t, m), Limits{StoreSide: 100})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := decodeResult(t, r)
	if r.Image.Width != 100 || r.Image.Height != 50 {
		t.Fatalf("got %dx%d, want 100x50", r.Image.Width, r.Image.Height)
	}
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	if got := img.At(10, 25); !near(got, red, 40) {
		t.Errorf("left: got %v, want red", got)
	}
	if got := img.At(90, 25); !near(got, blue, 40) {
		t.Errorf("right: got %v, want blue", got)
	}
}

func TestProcessDropsEXIF(t *testing.T) {
	jpg := withSegment(jpegBytes(t, picture(64, 48), 90), exifAPP1(1))
	// And a comment segment a browser would never show but a parser might run.
	comment := "<script>alert(1)</script>"
	jpg = withSegment(jpg, append([]byte{0xFF, 0xFE, 0, byte(len(comment) + 2)}, comment...))
	if !bytes.Contains(jpg, []byte("GPS")) || !bytes.Contains(jpg, []byte("Exif")) {
		t.Fatal("test input lacks its EXIF GPS data")
	}
	if _, err := jpeg.Decode(bytes.NewReader(jpg)); err != nil {
		t.Fatalf("test input is not a valid JPEG: %v", err)
	}
	r, err := Process(jpg, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	decodeResult(t, r)
	for name, out := range map[string][]byte{"image": r.Image.Data, "thumbnail": r.Thumb.Data} {
		for _, m := range jpegMarkers(t, out) {
			if m >= 0xE0 && m <= 0xEF || m == 0xFE {
				t.Errorf("%s: got marker %#x (APPn or COM), want none", name, m)
			}
		}
		for _, s := range []string{"Exif", "GPS", "secret-home-location", "<script>"} {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("%s: output contains %q", name, s)
			}
		}
	}
}

func TestProcessOrientation(t *testing.T) {
	// 40x20, left half red, right half blue. EXIF 6 says "turn 90° clockwise to view": the
	// result is 20x40 with red on top.
	m := image.NewRGBA(image.Rect(0, 0, 40, 20))
	draw.Draw(m, image.Rect(0, 0, 20, 20), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(m, image.Rect(20, 0, 40, 20), image.NewUniform(color.RGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}

	tests := []struct {
		orientation          uint16
		w, h                 int
		topLeft, bottomRight color.Color
	}{
		{1, 40, 20, red, blue},
		{3, 40, 20, blue, red},
		{6, 20, 40, red, blue},
		{8, 20, 40, blue, red},
	}
	for _, tt := range tests {
		jpg := withSegment(jpegBytes(t, m, 95), exifAPP1(tt.orientation))
		r, err := Process(jpg, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		img, _ := decodeResult(t, r)
		if r.Image.Width != tt.w || r.Image.Height != tt.h {
			t.Errorf("orientation %d: got %dx%d, want %dx%d", tt.orientation, r.Image.Width, r.Image.Height, tt.w, tt.h)
			continue
		}
		if got := img.At(3, 3); !near(got, tt.topLeft, 40) {
			t.Errorf("orientation %d: top left got %v, want %v", tt.orientation, got, tt.topLeft)
		}
		if got := img.At(tt.w-4, tt.h-4); !near(got, tt.bottomRight, 40) {
			t.Errorf("orientation %d: bottom right got %v, want %v", tt.orientation, got, tt.bottomRight)
		}
	}
}

func TestProcessRefuses(t *testing.T) {
	big := make([]byte, 20<<20)
	copy(big, pngBytes(t, picture(10, 10)))
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00payload.txt")
	tests := []struct {
		name      string
		raw       []byte
		limits    Limits
		fieldCode string
	}{
		{"20 MB body", big, Limits{}, apperr.FieldTooLarge},
		{"50000x50000 PNG header", pngHeader(50000, 50000), Limits{}, apperr.FieldTooLarge},
		// Under the side cap but 144 megapixels: the pixel cap answers.
		{"12000x12000 PNG header", pngHeader(12000, 12000), Limits{}, apperr.FieldTooLarge},
		// 6000x6000 RGBA is 36 MP, under the pixel cap, but 144 MB decoded.
		{"decode memory", pngHeader(6000, 6000), Limits{}, apperr.FieldTooLarge},
		{"one side too long", pngHeader(20000, 10), Limits{}, apperr.FieldTooLarge},
		{"not an image", []byte("hello, this is plain text and not a picture"), Limits{}, apperr.FieldInvalidImage},
		{"html", []byte("<!doctype html><script>alert(1)</script>"), Limits{}, apperr.FieldInvalidImage},
		{"zip", zip, Limits{}, apperr.FieldInvalidImage},
		{"empty", nil, Limits{}, apperr.FieldInvalidImage},
		{"png signature only", []byte("\x89PNG\r\n\x1a\n"), Limits{}, apperr.FieldInvalidImage},
		{"zero-sized png", pngHeader(0, 0), Limits{}, apperr.FieldInvalidImage},
		{"png header, broken pixels", pngHeader(100, 100), Limits{}, apperr.FieldInvalidImage},
		{"truncated jpeg", jpegBytes(t, picture(64, 64), 90)[:300], Limits{}, apperr.FieldInvalidImage},
		{"gif with 200 frames", animatedGIF(t, 8, 8, 200), Limits{}, apperr.FieldTooLarge},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), Limits{}, apperr.FieldInvalidImage},
		{"over a small MaxBytes", pngBytes(t, picture(100, 100)), Limits{MaxBytes: 100}, apperr.FieldTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Process(tt.raw, tt.limits)
			if r != nil {
				t.Fatalf("got a result, want an error")
			}
			wantProblem(t, err, apperr.ValidationFailed, FieldImage, tt.fieldCode)
		})
	}
}

func TestProcessGIFFrames(t *testing.T) {
	// Three frames of different colours: accepted, and the first frame is what is stored.
	r, err := Process(animatedGIF(t, 32, 32, 3), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := decodeResult(t, r)
	if got, want := img.At(16, 16), palette.Plan9[0]; !near(got, want, 24) {
		t.Errorf("got %v, want the first frame's colour %v", got, want)
	}
	// Exactly at the limit is accepted, one over is not.
	if _, err := Process(animatedGIF(t, 4, 4, 5), Limits{MaxFrames: 5}); err != nil {
		t.Errorf("5 frames, limit 5: got %v, want none", err)
	}
	_, err = Process(animatedGIF(t, 4, 4, 6), Limits{MaxFrames: 5})
	wantProblem(t, err, apperr.ValidationFailed, FieldImage, apperr.FieldTooLarge)
}

func TestGIFFramesCount(t *testing.T) {
	for _, n := range []int{1, 2, 3, 50, 101} {
		if got := gifFrames(animatedGIF(t, 3, 3, n), 1000); got != n {
			t.Errorf("got %d frames, want %d", got, n)
		}
	}
	// It stops counting past the limit.
	if got := gifFrames(animatedGIF(t, 3, 3, 500), 10); got != 11 {
		t.Errorf("got %d, want 11 (limit+1)", got)
	}
	// Garbage and truncation end the count without a panic.
	g := animatedGIF(t, 3, 3, 4)
	for i := 0; i <= len(g); i++ {
		gifFrames(g[:i], 100)
	}
}

func TestProcessPolyglot(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00evil.jsPK\x05\x06")
	html := []byte("<html><body><script>alert(document.cookie)</script></body></html>")
	tests := []struct {
		name    string
		image   []byte
		payload []byte
	}{
		{"png+zip", pngBytes(t, picture(50, 50)), zip},
		{"png+html", pngBytes(t, picture(50, 50)), html},
		{"jpeg+html", jpegBytes(t, picture(50, 50), 90), html},
		{"gif+html", animatedGIF(t, 20, 20, 1), html},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := append(append([]byte{}, tt.image...), tt.payload...)
			r, err := Process(raw, Limits{})
			if err != nil {
				t.Fatalf("got %v, want the image accepted", err)
			}
			decodeResult(t, r)
			for _, out := range [][]byte{r.Image.Data, r.Thumb.Data} {
				if bytes.Contains(out, tt.payload[:8]) || bytes.Contains(out, []byte("script")) || bytes.Contains(out, []byte("PK\x03\x04")) {
					t.Errorf("output carries the payload")
				}
			}
		})
	}
}

func TestProcessUpload(t *testing.T) {
	original := jpegBytes(t, picture(800, 600), 85)
	cropped := pngBytes(t, picture(200, 200))

	r, err := ProcessUpload(original, cropped, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Image.Width != 200 || r.Image.Height != 200 {
		t.Errorf("got %dx%d, want the cropped image (200x200) stored", r.Image.Width, r.Image.Height)
	}
	r, err = ProcessUpload(original, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Image.Width != 800 {
		t.Errorf("got width %d, want the original (800) without a cropped image", r.Image.Width)
	}

	_, err = ProcessUpload([]byte("not an image"), cropped, Limits{})
	wantProblem(t, err, apperr.ValidationFailed, FieldImage, apperr.FieldInvalidImage)
	_, err = ProcessUpload(pngHeader(50000, 50000), cropped, Limits{})
	wantProblem(t, err, apperr.ValidationFailed, FieldImage, apperr.FieldTooLarge)
	_, err = ProcessUpload(original, []byte("<html>"), Limits{})
	wantProblem(t, err, apperr.ValidationFailed, FieldCropped, apperr.FieldInvalidImage)

	_, err = ProcessField(FieldData, []byte("nope"), Limits{})
	wantProblem(t, err, apperr.ValidationFailed, FieldData, apperr.FieldInvalidImage)
}

func TestSniffIgnoresNames(t *testing.T) {
	tests := map[string]string{
		string(pngBytes(t, picture(2, 2))):          FormatPNG,
		string(jpegBytes(t, picture(2, 2), 50)):     FormatJPEG,
		string(animatedGIF(t, 2, 2, 1)):             FormatGIF,
		"RIFF\x00\x00\x00\x00WEBPVP8 ":              FormatWebP,
		"RIFF\x00\x00\x00\x00AVI LIST":              "",
		"<svg xmlns='http://www.w3.org/2000/svg'/>": "",
		"": "",
	}
	for in, want := range tests {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q): got %q, want %q", in[:min(len(in), 12)], got, want)
		}
	}
}

func TestResize(t *testing.T) {
	// A 2x2 checker of black and white averages to mid-grey at 1x1, exactly.
	m := image.NewGray(image.Rect(0, 0, 2, 2))
	m.Pix = []uint8{0, 255, 255, 0}
	got := resize(m, m.Bounds(), 1, 1)
	if p := got.Pix[:4]; p[0] != 128 || p[3] != 255 {
		t.Errorf("got %v, want grey 128, opaque", p)
	}
	// Identity keeps every pixel; odd ratios keep a uniform colour uniform.
	src := picture(37, 23)
	if id := resize(src, src.Bounds(), 37, 23); !bytes.Equal(id.Pix, src.Pix) {
		t.Errorf("1:1 resize changed pixels")
	}
	u := image.NewRGBA(image.Rect(0, 0, 1001, 777))
	draw.Draw(u, u.Rect, image.NewUniform(color.RGBA{10, 200, 30, 255}), image.Point{}, draw.Src)
	out := resize(u, u.Rect, 333, 97)
	for i := 0; i < len(out.Pix); i += 4 {
		if out.Pix[i] != 10 || out.Pix[i+1] != 200 || out.Pix[i+2] != 30 || out.Pix[i+3] != 255 {
			t.Fatalf("pixel %d: got %v, want {10 200 30 255}", i/4, out.Pix[i:i+4])
		}
	}
	// A sub-rectangle with an offset origin.
	sub := src.SubImage(image.Rect(5, 5, 15, 15)).(*image.RGBA)
	if id := resize(sub, sub.Rect, 10, 10); id.RGBAAt(0, 0) != src.RGBAAt(5, 5) {
		t.Errorf("got %v, want %v", id.RGBAAt(0, 0), src.RGBAAt(5, 5))
	}
}

func TestFit(t *testing.T) {
	tests := []struct{ w, h, side, ww, wh int }{
		{100, 50, 1024, 100, 50},
		{4000, 3000, 1024, 1024, 768},
		{3000, 4000, 1024, 768, 1024},
		{12000, 1, 1024, 1024, 1},
		{1, 12000, 1024, 1, 1024},
	}
	for _, tt := range tests {
		if w, h := fit(tt.w, tt.h, tt.side); w != tt.ww || h != tt.wh {
			t.Errorf("fit(%d, %d, %d): got %dx%d, want %dx%d", tt.w, tt.h, tt.side, w, h, tt.ww, tt.wh)
		}
	}
}

func TestDecodeCostCoversDecoder(t *testing.T) {
	// The estimate must not be below what the decoder really allocates, or MaxDecodeBytes
	// would let through more than it promises. Measured on the formats' memory-hungry cases.
	tests := []struct {
		name string
		raw  []byte
	}{
		{"jpeg 4:2:0", jpegBytes(t, picture(800, 600), 90)},
		{"jpeg 4:2:0 odd size", jpegBytes(t, picture(1001, 333), 90)},
		{"png rgb", pngBytes(t, picture(1001, 333))},
		{"png rgba", pngBytes(t, picture(800, 600))},
		{"png 16-bit", pngBytes(t, image.NewNRGBA64(image.Rect(0, 0, 400, 300)))},
		{"gif", animatedGIF(t, 400, 300, 1)},
		{"webp lossless", readTestdata(t, "gopher-doc.with-alpha.lossless.webp")},
		{"webp lossy alpha", readTestdata(t, "yellow_rose.lossy-with-alpha.webp")},
		{"webp lossy", readTestdata(t, "blue-purple-pink.lossy.webp")},
		{"jpeg progressive", readTestdata(t, "video-001.q50.444.progressive.jpeg")},
		{"jpeg cmyk", readTestdata(t, "video-001.cmyk.jpeg")},
		{"png interlaced", readTestdata(t, "gray-gradient.interlaced.png")},
		{"png 16-bit pngsuite", readTestdata(t, "basn6a16.png")},
		{"png grey with tRNS", greyTRNSPNG(t, 700, 500)},
		{"jpeg adobe rgb", adobeRGB(jpegBytes(t, picture(700, 500), 90))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := check(FieldImage, tt.raw, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			est, _, _ := decodeCost(h.format, tt.raw, h.cfg)
			allocated := allocs(t, func() { _, _ = decode(h.format, tt.raw) })
			t.Logf("estimate %d, allocated %d", est, allocated)
			if est < int64(allocated) {
				t.Errorf("estimate %d bytes, decoder allocated %d", est, allocated)
			}
		})
	}
}
