package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/userbase/userbase/pkg/locales"
)

// Locales serves GET /v1/locales: a document that changes only with a deployment, so it is
// cacheable and answers 304 to a matching If-None-Match.
func Locales() Handler {
	return func(_ context.Context, r *Request) (*Response, error) {
		body, etag := locales.Document()
		h := map[string]string{"ETag": etag, "Cache-Control": locales.CacheControl}
		if locales.NotModified(r.Header("If-None-Match")) {
			return &Response{Status: http.StatusNotModified, Headers: h}, nil
		}
		return &Response{Status: http.StatusOK, Headers: h, Body: json.RawMessage(body)}, nil
	}
}
