package upload

import (
	"bytes"
	"encoding/base64"
	"image/jpeg"
	"image/png"
	"testing"
)

// The fuzz targets hold the decoders of outside input to three promises: no panic, every
// error a catalogued client error, every success within its limits.

func FuzzParseMultipart(f *testing.F) {
	img := pngBytes(f, picture(4, 4))
	ct, body := form(f, part{"image", "a.png", "image/png", img}, part{"cropped_image", "b.png", "", img})
	f.Add(ct, body)
	_, body = form(f, part{"image", "a.png", "", img})
	f.Add(ct, body)
	_, body = form(f, part{"other", "", "", []byte("x")})
	f.Add(ct, body)
	f.Add(ct, []byte("--avatar-test-boundary\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc"))
	f.Add("multipart/form-data; boundary=\"q\"", []byte("--q\r\n\r\n--q--"))
	f.Add("text/plain", []byte("hello"))
	const max = 1 << 10
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		image, cropped, err := ParseMultipart(contentType, body, max)
		if err != nil {
			if !catalogued(err) {
				t.Fatalf("got %T %v, want a catalogued client error", err, err)
			}
			if image != nil || cropped != nil {
				t.Fatalf("got data with an error")
			}
			return
		}
		if len(image) == 0 || len(image) > max || len(cropped) > max || (cropped != nil && len(cropped) == 0) {
			t.Fatalf("got image %d bytes, cropped %d (nil %v): outside the promises", len(image), len(cropped), cropped == nil)
		}
	})
}

func FuzzParseBase64(f *testing.F) {
	img := pngBytes(f, picture(4, 4))
	std := base64.StdEncoding.EncodeToString(img)
	f.Add(std, "me", "png")
	f.Add("data:image/png;base64,"+std, "", "jpg")
	f.Add(base64.RawURLEncoding.EncodeToString(img), "x", "webp")
	f.Add("data:,", "", "")
	f.Add("====", "", "gif")
	const max = 1 << 10
	f.Fuzz(func(t *testing.T, data, baseName, ext string) {
		raw, err := ParseBase64(data, baseName, ext, max)
		if err != nil {
			if !catalogued(err) {
				t.Fatalf("got %T %v, want a catalogued client error", err, err)
			}
			return
		}
		if len(raw) == 0 || len(raw) > max {
			t.Fatalf("got %d bytes, want 1 to %d", len(raw), max)
		}
	})
}

func FuzzProcess(f *testing.F) {
	f.Add(pngBytes(f, picture(5, 3)))
	f.Add(jpegBytes(f, picture(9, 17), 80))
	f.Add(withSegment(jpegBytes(f, picture(8, 8), 80), exifAPP1(6)))
	f.Add(animatedGIF(f, 3, 3, 3))
	f.Add(pngHeader(50000, 50000))
	for _, name := range []string{"blue-purple-pink.lossy.webp", "gopher-doc.with-alpha.lossless.webp", "video-001.q50.444.progressive.jpeg", "gray-gradient.interlaced.png"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("GIF89a"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8X"))
	// Small caps keep each run fast; the checks are the same code at any size.
	limits := Limits{MaxBytes: 1 << 16, MaxPixels: 1 << 16, MaxSide: 1 << 10, MaxDecodeBytes: 4 << 20, MaxFrames: 10, StoreSide: 64, ThumbSide: 16}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Process(raw, limits)
		if err != nil {
			if !catalogued(err) {
				t.Fatalf("got %T %v, want a catalogued client error", err, err)
			}
			return
		}
		for _, e := range []struct {
			data []byte
			ct   string
			side int
		}{{r.Image.Data, r.Image.ContentType, limits.StoreSide}, {r.Thumb.Data, r.Thumb.ContentType, limits.ThumbSide}} {
			var err error
			var w, h int
			switch e.ct {
			case "image/jpeg":
				c, derr := jpeg.DecodeConfig(bytes.NewReader(e.data))
				w, h, err = c.Width, c.Height, derr
				if err == nil {
					_, err = jpeg.Decode(bytes.NewReader(e.data))
				}
			case "image/png":
				c, derr := png.DecodeConfig(bytes.NewReader(e.data))
				w, h, err = c.Width, c.Height, derr
				if err == nil {
					_, err = png.Decode(bytes.NewReader(e.data))
				}
			default:
				t.Fatalf("got content type %q", e.ct)
			}
			if err != nil {
				t.Fatalf("output %s does not decode: %v", e.ct, err)
			}
			if w < 1 || h < 1 || w > e.side || h > e.side {
				t.Fatalf("got %dx%d, want within %d", w, h, e.side)
			}
		}
	})
}
