package httpapi_test

import (
	"testing"
)

// authFailures are the two failures every signed-in route answers alike: no token, and a
// token of no session.
func authFailures(name string, c call) []scenario {
	bad := c
	bad.headers = bearer("01abcdefghjkmnpqrstvwxyz01.01abcdefghjkmnpqrstvwxyz01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	return []scenario{
		{name + ", no token", c, 401, "unauthenticated", nil, nil},
		{name + ", bad token", bad, 401, "unauthenticated", nil, nil},
	}
}

// DELETE /v1/me: the password is the proof; then every token of the account is gone.
func TestDeleteMeScenarios(t *testing.T) {
	f := newFixture(t)
	me := bearer(f.signUp(t, "me@example.com"))
	scenarios := authFailures("DELETE /v1/me", call{method: "DELETE", path: "/v1/me", body: `{"password":"correct-horse-battery"}`})
	scenarios = append(scenarios, authFailures("GET /v1/me", call{method: "GET", path: "/v1/me"})...)
	scenarios = append(scenarios, []scenario{
		{"delete me, wrong password", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"password":"nope-nope-nope"}`},
			400, "validation_failed", []string{`"field":"password","code":"invalid_password"`}, nil},
		{"delete me, malformed", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"password":`}, 400, "malformed_json", nil, nil},
		{"delete me, unknown field", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"pw":"x"}`}, 400, "unknown_field", nil, nil},
		{"delete me", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"password":"correct-horse-battery"}`}, 204, "", nil, nil},
		{"deleted", call{method: "GET", path: "/v1/me", headers: me}, 401, "unauthenticated", nil, nil},
	}...)
	runScenarios(t, f, scenarios)
}
