package openapitest

import (
	"errors"
	"net/http"
	"testing"
)

// kin-openapi's response validation returns nil at once for 304, 301, 307 and 308, and for
// any answer to HEAD, so Check holds those answers to the document by itself: their
// documented headers, and no body where HTTP allows none.
func TestCheckStatusesTheLibrarySkips(t *testing.T) {
	d := loadDoc(t, "testdata/statuses.yaml")
	const etag = `"v1"`
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  http.Header
		body    string
		wantErr error
	}{
		{"304", "GET", "/doc", 304, headers("ETag", etag), "", nil},
		{"304 without ETag", "GET", "/doc", 304, headers(), "", ErrHeader},
		{"304 with an unquoted ETag", "GET", "/doc", 304, headers("ETag", "v1"), "", ErrHeader},
		{"304 without X-Request-Id", "GET", "/doc", 304, http.Header{"Etag": {etag}}, "", ErrHeader},
		{"304 with a body", "GET", "/doc", 304, headers("ETag", etag, "Content-Type", jsonCT), `{}`, ErrBody},
		{"304 with nil headers", "GET", "/doc", 304, nil, "", ErrHeader},
		{"301", "GET", "/old", 301, headers("Location", "https://example.com/new"), "", nil},
		{"301 without Location", "GET", "/old", 301, headers(), "", ErrHeader},
		{"307 without Location", "GET", "/old", 307, headers(), "", ErrHeader},
		{"308 without X-Request-Id", "GET", "/old", 308, http.Header{"Location": {"https://example.com/new"}}, "", ErrHeader},
		{"308 Location not a URI", "GET", "/old", 308, headers("Location", "new"), "", ErrHeader},
		{"302 not documented", "GET", "/old", 302, headers("Location", "https://example.com/new"), "", ErrStatus},
		{"HEAD", "HEAD", "/doc", 200, headers("ETag", etag, "Content-Type", jsonCT), "", nil},
		{"HEAD without ETag", "HEAD", "/doc", 200, headers("Content-Type", jsonCT), "", ErrHeader},
		{"HEAD with a body", "HEAD", "/doc", 200, headers("ETag", etag, "Content-Type", jsonCT), `{}`, ErrBody},
		{"204 with a body documented by mistake", "DELETE", "/gone", 204, headers("Content-Type", jsonCT), `{}`, ErrBody},
		{"204 empty though a body is documented", "DELETE", "/gone", 204, headers(), "", nil},
		// The statuses the library does validate are held as before.
		{"200", "GET", "/doc", 200, headers("ETag", etag, "Content-Type", jsonCT), `{}`, nil},
		{"200 without ETag", "GET", "/doc", 200, headers("Content-Type", jsonCT), `{}`, ErrHeader},
		{"200 with a wrong body", "GET", "/doc", 200, headers("ETag", etag, "Content-Type", jsonCT), `[]`, ErrBody},

		// The document's own 304.
		{"locales 304", "GET", "/v1/locales", 304, headers("ETag", etag, "Cache-Control", "public, max-age=86400"), "", nil},
		{"locales 304 without ETag", "GET", "/v1/locales", 304, headers("Cache-Control", "public, max-age=86400"), "", ErrHeader},
		{"locales 304 without Cache-Control", "GET", "/v1/locales", 304, headers("ETag", etag), "", ErrHeader},
		{"locales 304 without X-Request-Id", "GET", "/v1/locales", 304, http.Header{"Etag": {etag}, "Cache-Control": {"public, max-age=86400"}}, "", ErrHeader},
		{"locales 304 with a weak ETag", "GET", "/v1/locales", 304, headers("ETag", `W/"v1"`, "Cache-Control", "public, max-age=86400"), "", ErrHeader},
	}
	real := loadDoc(t, docPath)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := d
			if tt.path == "/v1/locales" {
				doc = real
			}
			err := doc.Check(tt.method, tt.path, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Check: got %v, want nil", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Check: got %v, want %v", err, tt.wantErr)
			}
		})
	}
}
