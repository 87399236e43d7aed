package pages

import (
	"fmt"
	"net/http"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/httpapi"
)

// maxOTPAuthURL bounds what the QR route encodes: an otpauth URL with a long issuer and
// account name is well under it.
const maxOTPAuthURL = 1024

type qrRequest struct {
	OTPAuthURL string `json:"otpauth_url"`
}

// qrHandler serves POST /account/qr: the QR code of an otpauth:// URL (what POST
// /v1/me/mfa/totp answers), as an SVG image the security page shows. The URL holds the TOTP
// secret, so it travels in a body, never in a URL, and nothing of it is logged or kept.
// It encodes only otpauth URLs, so it is no general QR service.
func qrHandler(r *httpapi.Request) (*httpapi.Response, error) {
	var in qrRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return nil, err
	}
	switch {
	case in.OTPAuthURL == "":
		return nil, apperr.Invalid(apperr.Field("otpauth_url", apperr.FieldRequired))
	case len(in.OTPAuthURL) > maxOTPAuthURL:
		return nil, apperr.Invalid(apperr.FieldError{Field: "otpauth_url", Code: apperr.FieldTooLong, Params: map[string]any{"max": maxOTPAuthURL}})
	case !strings.HasPrefix(in.OTPAuthURL, "otpauth://"):
		return nil, apperr.Invalid(apperr.Field("otpauth_url", apperr.FieldInvalidURL))
	}
	svg, err := QRSVG(in.OTPAuthURL)
	if err != nil {
		return nil, err
	}
	return &httpapi.Response{Status: http.StatusOK, Body: httpapi.Raw(svg), Headers: map[string]string{
		"Content-Type": "image/svg+xml", "Cross-Origin-Resource-Policy": "same-origin",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
	}}, nil
}

// QRSVG draws content as a QR code (error correction M, with the quiet zone) in an SVG of
// one path: a run of dark modules in a row is one rectangle.
func QRSVG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	bits := q.Bitmap()
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}
