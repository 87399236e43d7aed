package httpapi_test

import (
	"testing"

	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/profilefields"
)

// GET /v1/profile-fields: no token, paged.
func TestProfileFieldsScenarios(t *testing.T) {
	f := newFixture(t)
	fields, err := profilefields.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.routes["GET /v1/profile-fields"] = httpapi.Route("profile-fields", httpapi.ProfileFields(fields))
	runScenarios(t, f, []scenario{
		{"fields", call{method: "GET", path: "/v1/profile-fields"}, 200, "", []string{`"items":[`, `"first_name"`}, nil},
		{"fields, one per page", call{method: "GET", path: "/v1/profile-fields", query: map[string]string{"per_page": "1", "page": "2"}}, 200, "", []string{`"per_page":1`, `"page":2`}, nil},
		{"fields, per_page capped", call{method: "GET", path: "/v1/profile-fields", query: map[string]string{"per_page": "1000"}}, 200, "", []string{`"per_page":100`}, nil},
		{"fields, bad page", call{method: "GET", path: "/v1/profile-fields", query: map[string]string{"page": "zero"}}, 400, "validation_failed", []string{`"field":"page","code":"invalid_format"`}, nil},
	})
}
