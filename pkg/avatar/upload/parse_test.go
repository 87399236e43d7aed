package upload

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
)

type part struct {
	name, filename, contentType string
	data                        []byte
}

// form builds a multipart/form-data body and its Content-Type.
func form(t testing.TB, parts ...part) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	// One boundary for every body, so one Content-Type fits them all.
	if err := w.SetBoundary("avatar-test-boundary"); err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			cd += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), b.Bytes()
}

func TestParseMultipart(t *testing.T) {
	img := pngBytes(t, picture(20, 20))
	crop := pngBytes(t, picture(10, 10))
	ct, good := form(t, part{"image", "me.png", "image/png", img}, part{"cropped_image", "crop.png", "", crop})
	_, onlyImage := form(t, part{"image", "me.jpg", "image/jpeg", img})
	_, emptyCrop := form(t, part{"image", "a.png", "", img}, part{"cropped_image", "", "application/octet-stream", nil})
	_, noImage := form(t, part{"cropped_image", "crop.png", "", crop})
	_, emptyImage := form(t, part{"image", "a.png", "", nil})
	_, unknown := form(t, part{"image", "a.png", "", img}, part{"avatar", "x.png", "", img})
	_, unknownText := form(t, part{"note", "", "", []byte("hi")}, part{"image", "a.png", "", img})
	_, twice := form(t, part{"image", "a.png", "", img}, part{"image", "b.png", "", img})
	_, oversize := form(t, part{"image", "big.png", "", make([]byte, 2001)})
	_, oversizeCrop := form(t, part{"image", "a.png", "", img[:100]}, part{"cropped_image", "big.png", "", make([]byte, 2001)})
	_, exact := form(t, part{"image", "a.png", "", make([]byte, 2000)})
	_, empty := form(t)

	tests := []struct {
		name        string
		contentType string
		body        []byte
		max         int
		wantImage   []byte
		wantCropped []byte
		code        apperr.Code
		field       string
		fieldCode   string
	}{
		{name: "image and cropped", contentType: ct, body: good, wantImage: img, wantCropped: crop},
		{name: "image only", contentType: ct, body: onlyImage, wantImage: img},
		{name: "empty cropped part is absent", contentType: ct, body: emptyCrop, wantImage: img},
		{name: "limit is inclusive", contentType: ct, body: exact, max: 2000, wantImage: make([]byte, 2000)},
		{name: "missing image", contentType: ct, body: noImage, code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldRequired},
		{name: "empty image", contentType: ct, body: emptyImage, code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldRequired},
		{name: "no parts", contentType: ct, body: empty, code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldRequired},
		{name: "unknown file part", contentType: ct, body: unknown, code: apperr.UnknownField, field: "avatar", fieldCode: apperr.FieldUnknown},
		{name: "unknown text part", contentType: ct, body: unknownText, code: apperr.UnknownField, field: "note", fieldCode: apperr.FieldUnknown},
		{name: "image twice", contentType: ct, body: twice, code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldInvalidFormat},
		{name: "oversize image", contentType: ct, body: oversize, max: 2000, code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldTooLarge},
		{name: "oversize cropped", contentType: ct, body: oversizeCrop, max: 2000, code: apperr.ValidationFailed, field: "cropped_image", fieldCode: apperr.FieldTooLarge},
		{name: "20 MB at the default limit", contentType: ct, body: must(form(t, part{"image", "a.png", "", make([]byte, 20<<20)})), code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldTooLarge},
		{name: "cut off", contentType: ct, body: good[:len(good)-40], code: apperr.ValidationFailed, field: "cropped_image", fieldCode: apperr.FieldInvalidImage},
		{name: "not multipart", contentType: "application/json", body: []byte(`{}`), code: apperr.UnsupportedMediaType},
		{name: "no boundary", contentType: "multipart/form-data", body: good, code: apperr.UnsupportedMediaType},
		{name: "bad content type", contentType: "multipart/form-data; boundary=", body: good, code: apperr.UnsupportedMediaType},
		{name: "no content type", contentType: "", body: good, code: apperr.UnsupportedMediaType},
		// No delimiter found: a body without parts.
		{name: "wrong boundary", contentType: "multipart/form-data; boundary=nothere", body: good, code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldRequired},
		{name: "garbage", contentType: ct, body: []byte("--avatar-test-boundary\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc"), code: apperr.ValidationFailed, field: "image", fieldCode: apperr.FieldInvalidImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			image, cropped, err := ParseMultipart(tt.contentType, tt.body, tt.max)
			if tt.code != "" {
				wantProblem(t, err, tt.code, tt.field, tt.fieldCode)
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if !bytes.Equal(image, tt.wantImage) {
				t.Errorf("got image of %d bytes, want %d", len(image), len(tt.wantImage))
			}
			if !bytes.Equal(cropped, tt.wantCropped) || (cropped == nil) != (tt.wantCropped == nil) {
				t.Errorf("got cropped of %d bytes (nil %v), want %d", len(cropped), cropped == nil, len(tt.wantCropped))
			}
		})
	}
}

func must(_ string, b []byte) []byte { return b }

func TestParseBase64(t *testing.T) {
	img := pngBytes(t, picture(8, 8))
	std := base64.StdEncoding.EncodeToString(img)
	raw := base64.RawStdEncoding.EncodeToString(img)
	url := base64.URLEncoding.EncodeToString(append([]byte{0xFB, 0xFF}, img...)) // forces - and _
	wrapped := wrap(std, 76)

	tests := []struct {
		name      string
		data, ext string
		baseName  string
		max       int
		want      []byte
		fields    map[string]string // field -> code
	}{
		{name: "plain", data: std, ext: "png", want: img},
		{name: "no padding", data: raw, ext: "png", want: img},
		{name: "url alphabet", data: url, ext: "jpg", want: append([]byte{0xFB, 0xFF}, img...)},
		{name: "line breaks", data: wrapped, ext: "png", want: img},
		{name: "data url", data: "data:image/png;base64," + std, ext: "png", want: img},
		{name: "data url, other image type", data: "DATA:image/webp;BASE64," + std, ext: "webp", want: img},
		{name: "extension case and dot", data: std, ext: ".JPEG", want: img},
		{name: "extension is not trusted here", data: std, ext: "gif", want: img},
		{name: "surrounding space", data: "  " + std + "\n", ext: "png", want: img},
		{name: "exact limit", data: std, ext: "png", max: len(img), want: img},
		{name: "bad base64", data: "iVBORw0KGgo*&^%", ext: "png", fields: map[string]string{"data": apperr.FieldInvalidImage}},
		{name: "bad padding", data: std + "=", ext: "png", fields: map[string]string{"data": apperr.FieldInvalidImage}},
		{name: "data url not image", data: "data:text/html;base64," + base64.StdEncoding.EncodeToString([]byte("<script>")), ext: "png", fields: map[string]string{"data": apperr.FieldInvalidImage}},
		{name: "data url not base64", data: "data:image/png," + std, ext: "png", fields: map[string]string{"data": apperr.FieldInvalidImage}},
		{name: "data url without comma", data: "data:image/png;base64", ext: "png", fields: map[string]string{"data": apperr.FieldInvalidImage}},
		{name: "empty data", data: "", ext: "png", fields: map[string]string{"data": apperr.FieldRequired}},
		{name: "empty data url", data: "data:image/png;base64,", ext: "png", fields: map[string]string{"data": apperr.FieldRequired}},
		{name: "bad extension", data: std, ext: "svg", fields: map[string]string{"extension": apperr.FieldInvalidChoice}},
		{name: "no extension", data: std, ext: "", fields: map[string]string{"extension": apperr.FieldRequired}},
		{name: "long base name", data: std, ext: "png", baseName: strings.Repeat("n", 256), fields: map[string]string{"base_name": apperr.FieldTooLong}},
		{name: "every problem at once", data: "", ext: "exe", baseName: strings.Repeat("é", 300), fields: map[string]string{"data": apperr.FieldRequired, "extension": apperr.FieldInvalidChoice, "base_name": apperr.FieldTooLong}},
		{name: "over the limit after decoding", data: std, ext: "png", max: len(img) - 1, fields: map[string]string{"data": apperr.FieldTooLarge}},
		{name: "20 MB refused before decoding", data: strings.Repeat("A", 20<<20), ext: "png", fields: map[string]string{"data": apperr.FieldTooLarge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBase64(tt.data, tt.baseName, tt.ext, tt.max)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if !bytes.Equal(got, tt.want) {
					t.Fatalf("got %d bytes, want %d", len(got), len(tt.want))
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.ValidationFailed {
				t.Fatalf("got %v, want validation_failed", err)
			}
			gotFields := map[string]string{}
			for _, f := range e.Fields {
				gotFields[f.Field] = f.Code
			}
			if len(gotFields) != len(tt.fields) {
				t.Errorf("got fields %v, want %v", gotFields, tt.fields)
			}
			for f, c := range tt.fields {
				if gotFields[f] != c {
					t.Errorf("field %s: got %q, want %q", f, gotFields[f], c)
				}
			}
		})
	}
}

func TestParseBase64RefusesBeforeDecoding(t *testing.T) {
	// 20 MB of base64 against the default 10 MB limit: refused without allocating the
	// decoded 15 MB.
	data := strings.Repeat("QUJD", 5<<20)
	var err error
	n := allocs(t, func() { _, err = ParseBase64(data, "", "png", 0) })
	wantProblem(t, err, apperr.ValidationFailed, "data", apperr.FieldTooLarge)
	if n > 1<<20 {
		t.Errorf("allocated %d bytes to refuse it, want next to none", n)
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}
