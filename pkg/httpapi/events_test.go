package httpapi_test

import (
	"testing"
)

// GET /v1/me/events: the caller's security log, paged.
func TestMyEventsScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	me := bearer(tok)
	var scenarios []scenario
	scenarios = append(scenarios, authFailures("GET /v1/me/events", call{method: "GET", path: "/v1/me/events"})...)
	scenarios = append(scenarios, []scenario{
		// GET /v1/me/events
		{"events", call{method: "GET", path: "/v1/me/events", headers: me}, 200, "", []string{`"items":[`, `"type":"`, `"meta":{`}, nil},
		{"events, paged", call{method: "GET", path: "/v1/me/events", headers: me, query: map[string]string{"page": "2", "per_page": "1"}}, 200, "", []string{`"page":2`, `"per_page":1`}, nil},
		{"events, a per_page past any integer", call{method: "GET", path: "/v1/me/events", headers: me, query: map[string]string{"per_page": "9999999999999999999"}},
			200, "", []string{`"per_page":100`}, nil},
		{"events, bad per_page", call{method: "GET", path: "/v1/me/events", headers: me, query: map[string]string{"per_page": "0"}},
			400, "validation_failed", []string{`"field":"per_page","code":"invalid_format"`}, nil},
	}...)
	runScenarios(t, f, scenarios)
}
