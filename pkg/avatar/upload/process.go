package upload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"

	"github.com/userbase/userbase/pkg/avatar"
)

// Formats Process accepts, as sniffed from the first bytes.
const (
	FormatPNG  = "png"
	FormatJPEG = "jpeg"
	FormatGIF  = "gif"
	FormatWebP = "webp"
)

// Process checks one uploaded image and re-encodes it; errors name the field "image". See
// ProcessField.
func Process(raw []byte, limits Limits) (*avatar.Result, error) {
	return ProcessField(FieldImage, raw, limits)
}

// ProcessUpload handles the multipart form: cropped (when not nil) is the picture stored,
// as seed 002 has it, while image is still checked up to its header (format, size, pixel
// and frame limits). The original is not decoded: it is never stored, and decoding it would
// double the memory and time of the request.
func ProcessUpload(image, cropped []byte, limits Limits) (*avatar.Result, error) {
	if cropped == nil {
		return ProcessField(FieldImage, image, limits)
	}
	if _, err := check(FieldImage, image, limits.withDefaults()); err != nil {
		return nil, err
	}
	return ProcessField(FieldCropped, cropped, limits)
}

// ProcessField checks raw and re-encodes it, naming field in its errors ("data" for the JSON
// form). In order, before any pixel is decoded: the byte size (MaxBytes); the format, sniffed
// from the bytes alone (PNG, JPEG, GIF, WebP; never the extension or a Content-Type); the
// header's dimensions (MaxSide, MaxPixels); the decoder's memory estimated from the header
// (MaxDecodeBytes); for a GIF, the number of frames (MaxFrames). Then it decodes (a GIF's
// first frame only), turns a JPEG upright as its EXIF orientation says, and writes:
//   - the stored image, scaled down to at most StoreSide on its long side;
//   - a square thumbnail of at most ThumbSide, cut from the middle;
//
// both as JPEG (quality JPEGQuality) when every pixel is opaque, else as PNG. What is
// written holds pixels only, so metadata and trailing payloads are gone.
//
// Errors are validation_failed on field: too_large when a limit is passed, invalid_image
// when the bytes are not an image of an accepted format or do not decode.
func ProcessField(field string, raw []byte, limits Limits) (*avatar.Result, error) {
	l := limits.withDefaults()
	h, err := check(field, raw, l)
	if err != nil {
		return nil, err
	}
	src, err := decode(h.format, raw)
	if err != nil || src.Bounds().Empty() {
		return nil, invalidImage(field)
	}

	b := src.Bounds()
	w, hh := fit(b.Dx(), b.Dy(), l.StoreSide)
	stored := resize(src, b, w, hh)
	// The thumbnail comes from the stored image (cheap, and plenty for 128 px) unless that
	// is too narrow: a 12000x100 strip shrinks to 1024x9, whose middle square is 9 px.
	thumbSrc, tb := image.Image(stored), stored.Rect
	if min(w, hh) < l.ThumbSide && min(b.Dx(), b.Dy()) > min(w, hh) {
		thumbSrc, tb = src, b
	}
	sq := centerSquare(tb)
	side := min(l.ThumbSide, sq.Dx())
	thumb := resize(thumbSrc, sq, side, side)

	stored, thumb = orient(stored, h.orientation), orient(thumb, h.orientation)
	enc := encodeJPEG
	if !stored.Opaque() {
		enc = encodePNG
	}
	// Encoding into memory fails only on a bug: these are internal errors, not the client's.
	img, err := enc(stored, l.JPEGQuality)
	if err != nil {
		return nil, fmt.Errorf("encode avatar: %w", err)
	}
	th, err := enc(thumb, l.JPEGQuality)
	if err != nil {
		return nil, fmt.Errorf("encode avatar thumbnail: %w", err)
	}
	return &avatar.Result{Image: img, Thumb: th}, nil
}

// header is what check learned without decoding pixels.
type header struct {
	format      string
	cfg         image.Config
	orientation int
}

// check runs every test that needs no pixel decoding.
func check(field string, raw []byte, l Limits) (header, error) {
	var h header
	if len(raw) > l.MaxBytes {
		return h, tooLarge(field, map[string]any{"max_bytes": l.MaxBytes})
	}
	h.format = Sniff(raw)
	if h.format == "" {
		return h, invalidImage(field)
	}
	cfg, err := decodeConfig(h.format, raw)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return h, invalidImage(field)
	}
	h.cfg, h.orientation = cfg, 1
	limit := map[string]any{"max_side": l.MaxSide, "max_pixels": l.MaxPixels}
	if cfg.Width > l.MaxSide || cfg.Height > l.MaxSide || int64(cfg.Width)*int64(cfg.Height) > l.MaxPixels {
		return h, tooLarge(field, limit)
	}
	need, orientation, ok := decodeCost(h.format, raw, cfg)
	if !ok {
		return h, invalidImage(field)
	}
	if need > l.MaxDecodeBytes {
		return h, tooLarge(field, limit)
	}
	h.orientation = orientation
	if h.format == FormatGIF && gifFrames(raw, l.MaxFrames) > l.MaxFrames {
		return h, tooLarge(field, map[string]any{"max_frames": l.MaxFrames})
	}
	return h, nil
}

// Sniff names the format of b from its signature: FormatPNG, FormatJPEG, FormatGIF,
// FormatWebP, or "" for anything else.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return FormatJPEG
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return FormatGIF
	case len(b) >= 16 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return FormatWebP
	}
	return ""
}

// decodeConfig reads the header with the sniffed format's own decoder: never image.Decode's
// registry, which would pick a decoder by its own sniffing.
func decodeConfig(format string, raw []byte) (cfg image.Config, err error) {
	defer recoverDecoder(&err)
	r := bytes.NewReader(raw)
	switch format {
	case FormatPNG:
		return png.DecodeConfig(r)
	case FormatJPEG:
		return jpeg.DecodeConfig(r)
	case FormatGIF:
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decode(format string, raw []byte) (m image.Image, err error) {
	defer recoverDecoder(&err)
	r := bytes.NewReader(raw)
	switch format {
	case FormatPNG:
		return png.Decode(r)
	case FormatJPEG:
		return jpeg.Decode(r)
	case FormatGIF:
		return gif.Decode(r) // the first frame only
	default:
		return webp.Decode(r)
	}
}

// errDecoderPanic stands for a decoder that panicked on hostile input: the client sent a
// broken image (400 invalid_image), not a reason for a 500.
var errDecoderPanic = errors.New("upload: decoder panicked")

func recoverDecoder(err *error) {
	if recover() != nil {
		*err = errDecoderPanic
	}
}

// decodeCost estimates the bytes the decoder allocates for cfg, from what the format's
// header says; ok is false when that header is inconsistent. The estimates follow the
// decoders of Go 1.26 and x/image: a decoded JPEG is its samples, plus four bytes of saved
// coefficients per sample when progressive, plus a CMYK copy for four components; a PNG
// is its image type's bytes per pixel, doubled for Adam7 (each pass is an image of its own);
// a GIF frame one byte per pixel; a lossy WebP 4:2:0 YCbCr, anything with alpha or lossless
// up to eight bytes per pixel (the pixels and a colour-indexing copy).
func decodeCost(format string, raw []byte, cfg image.Config) (need int64, orientation int, ok bool) {
	px := float64(cfg.Width) * float64(cfg.Height)
	orientation = 1
	var perPixel float64
	switch format {
	case FormatJPEG:
		h, found := readJPEGHeader(raw)
		if !found {
			return 0, 1, false
		}
		perPixel = h.samplesPerPixel
		if h.progressive {
			perPixel *= 5
		}
		if h.components == 4 || h.components == 3 && h.rgb {
			perPixel += 4 // the CMYK or RGBA copy made from the decoded samples
		}
		orientation = h.orientation
	case FormatPNG:
		// IHDR is the first chunk (png.DecodeConfig checked it): depth at 24, colour type at
		// 25, interlace at 28.
		depth, ctype, interlace := raw[24], raw[25], raw[28]
		perPixel = 4 // RGB, RGBA, grey with alpha: RGBA or NRGBA
		switch {
		case ctype == 3: // palette, whatever its transparency
			perPixel = 1
		case ctype == 0 && !pngHasTRNS(raw): // grey; with tRNS it becomes NRGBA
			perPixel = 1
		}
		if depth == 16 {
			perPixel *= 2
		}
		if interlace == 1 {
			perPixel *= 2
		}
	case FormatGIF:
		perPixel = 1
	case FormatWebP:
		perPixel = webpPerPixel(raw)
	}
	// A sixteenth for padding (JPEG rounds up to whole MCUs) and a fixed part for the
	// decoders' tables and buffers.
	return int64(px*perPixel*17/16) + 128<<10, orientation, true
}

func encodeJPEG(m *image.RGBA, quality int) (avatar.Encoded, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		return avatar.Encoded{}, err
	}
	return avatar.Encoded{Data: buf.Bytes(), ContentType: "image/jpeg", Ext: "jpg", Width: m.Rect.Dx(), Height: m.Rect.Dy()}, nil
}

func encodePNG(m *image.RGBA, _ int) (avatar.Encoded, error) {
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, m); err != nil {
		return avatar.Encoded{}, err
	}
	return avatar.Encoded{Data: buf.Bytes(), ContentType: "image/png", Ext: "png", Width: m.Rect.Dx(), Height: m.Rect.Dy()}, nil
}

// webpPerPixel is 1.5 for lossy pictures without alpha (4:2:0 YCbCr) and 8 otherwise: a
// lossless picture, or lossy with an alpha plane (itself coded as a lossless image).
func webpPerPixel(raw []byte) float64 {
	if string(raw[12:16]) == "VP8 " {
		return 1.5
	}
	if string(raw[12:16]) != "VP8X" {
		return 8
	}
	// An extended file: look at the chunks after VP8X for the image data and an alpha plane.
	lossy := false
	for i := 12; i+8 <= len(raw); {
		id, n := string(raw[i:i+4]), int64(binary.LittleEndian.Uint32(raw[i+4:]))
		switch id {
		case "ALPH", "VP8L", "ANMF":
			return 8
		case "VP8 ":
			lossy = true
		}
		next := int64(i) + 8 + n + n&1
		if next > int64(len(raw)) {
			break
		}
		i = int(next)
	}
	if lossy {
		return 1.5
	}
	return 8
}

// pngHasTRNS reports whether a tRNS chunk comes before the image data.
func pngHasTRNS(raw []byte) bool {
	for i := 8; i+8 <= len(raw); {
		n := int64(binary.BigEndian.Uint32(raw[i:]))
		switch string(raw[i+4 : i+8]) {
		case "tRNS":
			return true
		case "IDAT":
			return false
		}
		next := int64(i) + 12 + n
		if next > int64(len(raw)) {
			return false
		}
		i = int(next)
	}
	return false
}
