package upload

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/userbase/userbase/pkg/apperr"
)

// Extensions lists the values the JSON form's extension may take (seed 003 plus webp).
var Extensions = []string{"png", "jpeg", "jpg", "gif", "webp"}

// maxBaseName caps base_name like every other name of the API.
const maxBaseName = 255

// ParseBase64 decodes the JSON form's image, {data, base_name, extension}: data is plain
// base64 (standard or URL alphabet, padded or not, line breaks allowed) or a
// "data:image/...;base64," URL. The size limit (maxBytes decoded; zero or less:
// DefaultMaxBytes) is checked on the encoded length before anything is decoded.
//
// extension must be one of Extensions but is not trusted: Process sniffs the format from the
// bytes. base_name is only checked for length; stored keys are random.
//
// Every problem is validation_failed, all fields reported at once: data required, too_large
// or invalid_image; extension required or invalid_choice; base_name too_long.
func ParseBase64(data, baseName, extension string, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	var fields apperr.Fields
	ext := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(extension)), ".")
	switch {
	case ext == "":
		fields.Add(FieldExt, apperr.FieldRequired)
	case !isExtension(ext):
		fields.AddP(FieldExt, apperr.FieldInvalidChoice, map[string]any{"choices": Extensions})
	}
	if utf8.RuneCountInString(baseName) > maxBaseName {
		fields.AddP(FieldBaseName, apperr.FieldTooLong, map[string]any{"max": maxBaseName})
	}
	raw, fe := decodeData(data, maxBytes)
	if fe != nil {
		fields = append(fields, *fe)
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	return raw, nil
}

func decodeData(data string, maxBytes int) ([]byte, *apperr.FieldError) {
	bad := &apperr.FieldError{Field: FieldData, Code: apperr.FieldInvalidImage}
	// Encoded length first: refusing a 20 MB string must not cost a 15 MB allocation. Line
	// breaks (MIME base64 wraps at 76) get a little slack; the exact check follows decoding.
	if len(data) > base64.StdEncoding.EncodedLen(maxBytes)*105/100+64 {
		return nil, &apperr.FieldError{Field: FieldData, Code: apperr.FieldTooLarge, Params: map[string]any{"max_bytes": maxBytes}}
	}
	payload := strings.TrimSpace(data)
	if len(payload) >= 5 && strings.EqualFold(payload[:5], "data:") {
		header, rest, ok := strings.Cut(payload[5:], ",")
		mediaType, isBase64 := strings.CutSuffix(strings.ToLower(header), ";base64")
		mediaType, _, _ = strings.Cut(mediaType, ";") // drop parameters such as charset
		if !ok || !isBase64 || !strings.HasPrefix(mediaType, "image/") {
			return nil, bad
		}
		payload = rest
	}
	if strings.ContainsAny(payload, "\r\n") {
		payload = strings.NewReplacer("\r", "", "\n", "").Replace(payload)
	}
	if payload == "" {
		return nil, &apperr.FieldError{Field: FieldData, Code: apperr.FieldRequired}
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(payload, "-_") {
		enc = base64.URLEncoding
	}
	if len(payload)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	raw, err := enc.DecodeString(payload)
	if err != nil {
		return nil, bad
	}
	if len(raw) > maxBytes {
		return nil, &apperr.FieldError{Field: FieldData, Code: apperr.FieldTooLarge, Params: map[string]any{"max_bytes": maxBytes}}
	}
	return raw, nil
}

func isExtension(ext string) bool {
	for _, e := range Extensions {
		if e == ext {
			return true
		}
	}
	return false
}
