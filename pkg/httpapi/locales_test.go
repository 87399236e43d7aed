package httpapi_test

import (
	"testing"

	"github.com/userbase/userbase/pkg/httpapi"
)

// GET /v1/locales: cacheable, 304 on a matching ETag.
func TestLocalesScenarios(t *testing.T) {
	f := newFixture(t)
	f.routes["GET /v1/locales"] = httpapi.Route("locales", httpapi.Locales())
	first := f.do(t, call{method: "GET", path: "/v1/locales"})
	etag := first.Headers["ETag"]
	if first.StatusCode != 200 || etag == "" {
		t.Fatalf("locales: %d %v", first.StatusCode, first.Headers)
	}
	runScenarios(t, f, []scenario{
		{"locales", call{method: "GET", path: "/v1/locales"}, 200, "", []string{`"en"`, `"ru"`}, nil},
		{"not modified", call{method: "GET", path: "/v1/locales", headers: map[string]string{"If-None-Match": etag}}, 304, "", nil, nil},
		{"another etag", call{method: "GET", path: "/v1/locales", headers: map[string]string{"If-None-Match": `"other"`}}, 200, "", nil, nil},
	})
}
