package upload

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"

	"github.com/userbase/userbase/pkg/apperr"
)

// ParseMultipart reads a multipart/form-data body: the part "image" (required) and the part
// "cropped_image" (optional), each at most maxBytes (zero or less: DefaultMaxBytes). It reads
// parts into memory only, never into temporary files (Lambda's /tmp is not ours to fill).
//
// The parts' filenames and Content-Types are ignored: Process sniffs the format from the
// bytes. An empty cropped_image part counts as absent, since browsers send an empty file
// part for a file input left blank.
//
// Errors: unsupported_media_type when contentType is not multipart/form-data with a
// boundary; unknown_field naming any other part; validation_failed with image required,
// too_large on the part over the limit, invalid_format on a repeated part, invalid_image on
// a body that breaks off.
func ParseMultipart(contentType string, body []byte, maxBytes int) (image, cropped []byte, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, apperr.New(apperr.UnsupportedMediaType)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var seenImage, seenCropped bool
	for {
		// NextRawPart, not NextPart: a quoted-printable transfer encoding is not undone, so
		// the bytes checked are the bytes sent.
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, invalidImage(pendingField(seenImage))
		}
		name := p.FormName()
		var dst *[]byte
		switch {
		case name == FieldImage && !seenImage:
			seenImage, dst = true, &image
		case name == FieldCropped && !seenCropped:
			seenCropped, dst = true, &cropped
		case name == FieldImage || name == FieldCropped:
			// A second copy: silently keeping one would leave the client unsure which.
			return nil, nil, apperr.Invalid(apperr.Field(name, apperr.FieldInvalidFormat))
		default:
			return nil, nil, &apperr.Error{Code: apperr.UnknownField, Fields: []apperr.FieldError{apperr.Field(name, apperr.FieldUnknown)}}
		}
		data, err := io.ReadAll(io.LimitReader(p, int64(maxBytes)+1))
		if err != nil {
			return nil, nil, invalidImage(name)
		}
		if len(data) > maxBytes {
			return nil, nil, tooLarge(name, map[string]any{"max_bytes": maxBytes})
		}
		*dst = data
	}
	if len(image) == 0 {
		return nil, nil, apperr.Invalid(apperr.Field(FieldImage, apperr.FieldRequired))
	}
	if len(cropped) == 0 {
		cropped = nil
	}
	return image, cropped, nil
}

// pendingField names the part a broken body most likely cut short.
func pendingField(seenImage bool) string {
	if seenImage {
		return FieldCropped
	}
	return FieldImage
}
