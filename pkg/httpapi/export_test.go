package httpapi_test

import (
	"testing"
)

// GET /v1/me/export: everything held under the caller, no secret.
func TestExportScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	me := bearer(tok)
	if r := f.do(t, call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: map[string]string{"product_id": "p1"}, body: `{"name":"Mug"}`}); r.StatusCode != 200 {
		t.Fatalf("wish: %d %s", r.StatusCode, r.Body)
	}
	var scenarios []scenario
	scenarios = append(scenarios, authFailures("GET /v1/me/export", call{method: "GET", path: "/v1/me/export"})...)
	scenarios = append(scenarios, []scenario{
		// GET /v1/me/export
		{"export", call{method: "GET", path: "/v1/me/export", headers: me}, 200, "",
			[]string{`"profile":{`, `"email":"me@example.com"`, `"wishlist":[`, `"product_id":"p1"`, `"security_events":[`, `"sessions":[`, `"mfa":{"enabled":false`}, []string{"hash", "correct-horse"}},
	}...)
	runScenarios(t, f, scenarios)
}
