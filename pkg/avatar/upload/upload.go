// Package upload turns an avatar upload into images safe to store: it reads the request
// body (multipart/form-data or base64 JSON), checks the image from its header before any
// pixel is decoded, decodes it and re-encodes it as a bounded JPEG or PNG with a thumbnail.
//
// Re-encoding is the security boundary: what is stored is only pixels this package wrote,
// so EXIF (GPS location included), ICC profiles, comments and anything appended to the file
// (the payload of a PNG+ZIP or JPEG+HTML polyglot) never reach the bucket.
//
// Every client error is an *apperr.Error: validation_failed with the field codes
// invalid_image, too_large, required, invalid_choice, too_long, invalid_format; unknown_field
// for an unexpected multipart part; unsupported_media_type for a body that is not multipart.
//
// Only the PUT /v1/me/avatar function imports this package; the decoders it links are kept
// out of every other binary (see pkg/avatar).
package upload

import (
	"github.com/userbase/userbase/pkg/apperr"
)

// Limits bound what an upload may cost. A zero field takes its default (DefaultLimits).
type Limits struct {
	// MaxBytes caps the encoded file. Note that a Lambda request event is at most 6 MB and
	// API Gateway base64-encodes binary bodies, so about 4.4 MB is what can arrive at all.
	MaxBytes int
	// MaxPixels caps width*height as the header declares it.
	MaxPixels int64
	// MaxSide caps either dimension.
	MaxSide int
	// MaxFrames caps the frames of a GIF. Only the first frame is used; the cap stops a file
	// of thousands of tiny frames from costing a full walk of the decoder.
	MaxFrames int
	// MaxDecodeBytes caps the memory the decoder will need, estimated from the header
	// (format, dimensions, colour model, progressive JPEG, interlaced PNG). Pixels alone do
	// not bound it: a 40-megapixel 16-bit PNG decodes to 320 MB, a progressive JPEG keeps
	// four bytes of coefficients per sample. It keeps a decompression bomb that passes the
	// pixel caps from exhausting the function's memory.
	MaxDecodeBytes int64
	// StoreSide is the longest side of the stored image; larger images are scaled down,
	// smaller ones are never scaled up.
	StoreSide int
	// ThumbSide is the side of the square thumbnail (smaller when the image is).
	ThumbSide int
	// JPEGQuality is the quality of JPEG output (1-100).
	JPEGQuality int
}

// Defaults of Limits.
const (
	DefaultMaxBytes       = 10 << 20
	DefaultMaxPixels      = 40_000_000
	DefaultMaxSide        = 12000
	DefaultMaxFrames      = 100
	DefaultMaxDecodeBytes = 96 << 20
	DefaultStoreSide      = 1024
	DefaultThumbSide      = 128
	DefaultJPEGQuality    = 85
)

// DefaultLimits returns the limits used for zero fields.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:       DefaultMaxBytes,
		MaxPixels:      DefaultMaxPixels,
		MaxSide:        DefaultMaxSide,
		MaxFrames:      DefaultMaxFrames,
		MaxDecodeBytes: DefaultMaxDecodeBytes,
		StoreSide:      DefaultStoreSide,
		ThumbSide:      DefaultThumbSide,
		JPEGQuality:    DefaultJPEGQuality,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	if l.MaxFrames <= 0 {
		l.MaxFrames = d.MaxFrames
	}
	if l.MaxDecodeBytes <= 0 {
		l.MaxDecodeBytes = d.MaxDecodeBytes
	}
	if l.StoreSide <= 0 {
		l.StoreSide = d.StoreSide
	}
	if l.ThumbSide <= 0 {
		l.ThumbSide = d.ThumbSide
	}
	if l.JPEGQuality <= 0 || l.JPEGQuality > 100 {
		l.JPEGQuality = d.JPEGQuality
	}
	return l
}

// Field names of the two request shapes.
const (
	FieldImage    = "image"         // multipart part
	FieldCropped  = "cropped_image" // multipart part
	FieldData     = "data"          // JSON member with the base64 image
	FieldBaseName = "base_name"     // JSON member
	FieldExt      = "extension"     // JSON member
)

func invalidImage(field string) error {
	return apperr.Invalid(apperr.FieldError{Field: field, Code: apperr.FieldInvalidImage})
}

func tooLarge(field string, params map[string]any) error {
	return apperr.Invalid(apperr.FieldError{Field: field, Code: apperr.FieldTooLarge, Params: params})
}
