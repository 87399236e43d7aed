package httpapi_test

import (
	"testing"
)

// POST /v1/auth/admin/login: admins only, the same 401 for a member, disabled or not, as for
// a wrong password; only a disabled admin hears that it is disabled.
func TestAdminLoginScenarios(t *testing.T) {
	f := newFixture(t)
	as := bearer(f.admin(t))
	f.signUp(t, "member@example.com")
	for _, body := range []string{
		`{"email":"off@example.com","password":"correct-horse-battery","active":false}`,
		`{"email":"off-admin@example.com","password":"correct-horse-battery","active":false,"role":"admin"}`,
	} {
		if r := f.do(t, call{method: "POST", path: "/v1/users", headers: as, body: body}); r.StatusCode != 201 {
			t.Fatalf("create %s: %d %s", body, r.StatusCode, r.Body)
		}
	}
	login := func(body string) call { return call{method: "POST", path: "/v1/auth/admin/login", body: body} }
	runScenarios(t, f, []scenario{
		{"admin", login(`{"login":"admin@example.com","password":"correct-horse-battery"}`), 200, "", []string{`"token":"`, `"role":"admin"`}, nil},
		{"a member", login(`{"login":"member@example.com","password":"correct-horse-battery"}`), 401, "invalid_credentials", nil, nil},
		{"a disabled member", login(`{"login":"off@example.com","password":"correct-horse-battery"}`), 401, "invalid_credentials", nil, nil},
		{"a disabled admin", login(`{"login":"off-admin@example.com","password":"correct-horse-battery"}`), 403, "account_disabled", nil, nil},
		{"wrong password", login(`{"login":"admin@example.com","password":"nope-nope-nope"}`), 401, "invalid_credentials", nil, nil},
		{"no login", login(`{"password":"x"}`), 400, "validation_failed", []string{`"field":"login","code":"required"`}, nil},
		{"wrong type", login(`{"login":1,"password":"x"}`), 400, "validation_failed", []string{`"field":"login"`}, nil},
		{"unknown field", login(`{"login":"a","password":"b","otp":"1"}`), 400, "unknown_field", nil, nil},
		{"malformed", login(`{"login":`), 400, "malformed_json", nil, nil},
		{"not JSON", call{method: "POST", path: "/v1/auth/admin/login", headers: map[string]string{"Content-Type": "text/plain"}, body: `{}`}, 415, "unsupported_media_type", nil, nil},
	})
}
