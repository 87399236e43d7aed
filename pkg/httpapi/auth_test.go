package httpapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/mail"
)

// POST /v1/auth/admin/login: admins only, the same 401 for a member as for a wrong password.
func TestAdminLoginScenarios(t *testing.T) {
	f := newFixture(t)
	f.admin(t)
	f.signUp(t, "member@example.com")
	login := func(body string) call { return call{method: "POST", path: "/v1/auth/admin/login", body: body} }
	runScenarios(t, f, []scenario{
		{"admin", login(`{"login":"admin@example.com","password":"correct-horse-battery"}`), 200, "", []string{`"token":"`, `"role":"admin"`}, nil},
		{"a member", login(`{"login":"member@example.com","password":"correct-horse-battery"}`), 401, "invalid_credentials", nil, nil},
		{"wrong password", login(`{"login":"admin@example.com","password":"nope-nope-nope"}`), 401, "invalid_credentials", nil, nil},
		{"no login", login(`{"password":"x"}`), 400, "validation_failed", []string{`"field":"login","code":"required"`}, nil},
		{"wrong type", login(`{"login":1,"password":"x"}`), 400, "validation_failed", []string{`"field":"login"`}, nil},
		{"unknown field", login(`{"login":"a","password":"b","otp":"1"}`), 400, "unknown_field", nil, nil},
		{"malformed", login(`{"login":`), 400, "malformed_json", nil, nil},
		{"not JSON", call{method: "POST", path: "/v1/auth/admin/login", headers: map[string]string{"Content-Type": "text/plain"}, body: `{}`}, 415, "unsupported_media_type", nil, nil},
	})
}

// POST /v1/auth/email/confirm with the code the verification mail carries.
func TestConfirmEmailScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "verify@example.com")
	code := f.lastMail(t, mail.KindVerifyEmail, "verify@example.com").Code
	confirm := func(body string) call { return call{method: "POST", path: "/v1/auth/email/confirm", body: body} }
	runScenarios(t, f, []scenario{
		{"bad code", confirm(`{"code":"nonsense"}`), 400, "invalid_code", nil, nil},
		{"no code", confirm(`{}`), 400, "validation_failed", []string{`"field":"code","code":"required"`}, nil},
		{"wrong type", confirm(`{"code":1}`), 400, "validation_failed", []string{`"field":"code"`}, nil},
		{"unknown field", confirm(`{"code":"x","email":"y"}`), 400, "unknown_field", nil, nil},
		{"malformed", confirm(`{"code"`), 400, "malformed_json", nil, nil},
		{"confirm", confirm(`{"code":"` + code + `"}`), 200, "", []string{`"email_verified":true`}, nil},
		{"the code again", confirm(`{"code":"` + code + `"}`), 400, "invalid_code", nil, nil},
		{"the session stays", call{method: "GET", path: "/v1/me", headers: bearer(tok)}, 200, "", []string{`"email_verified":true`}, nil},
	})
}

// DELETE /v1/me/mfa/totp with the password and a code: MFA goes off.
func TestDisableTOTPScenarios(t *testing.T) {
	f := newFixture(t)
	me := bearer(f.signUp(t, "off@example.com"))
	f.do(t, call{method: "POST", path: "/v1/auth/reauthenticate", headers: me, body: `{"password":"correct-horse-battery"}`})
	var enrol struct{ Secret string }
	_ = json.Unmarshal([]byte(f.do(t, call{method: "POST", path: "/v1/me/mfa/totp", headers: me}).Body), &enrol)
	now := time.Now()
	code, err := auth.TOTPCode(enrol.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if r := f.do(t, call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code":"` + code + `"}`}); r.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Body)
	}
	var rec struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	_ = json.Unmarshal([]byte(f.lastBody), &rec)
	off := func(body string) call {
		return call{method: "DELETE", path: "/v1/me/mfa/totp", headers: me, body: body}
	}
	scenarios := authFailures("DELETE /v1/me/mfa/totp", call{method: "DELETE", path: "/v1/me/mfa/totp", body: `{}`})
	scenarios = append(scenarios, []scenario{
		{"wrong password", off(`{"password":"nope-nope-nope","code":"` + rec.RecoveryCodes[0] + `"}`),
			400, "validation_failed", []string{`"field":"password","code":"invalid_password"`}, nil},
		{"wrong code", off(`{"password":"correct-horse-battery","code":"abcd-efgh"}`), 400, "invalid_code", nil, nil},
		{"unknown field", off(`{"password":"x","code":"y","otp":"z"}`), 400, "unknown_field", nil, nil},
		{"malformed", off(`{"password":`), 400, "malformed_json", nil, nil},
		{"off", off(`{"password":"correct-horse-battery","code":"` + rec.RecoveryCodes[0] + `"}`), 204, "", nil, nil},
		{"me", call{method: "GET", path: "/v1/me", headers: me}, 200, "", []string{`"mfa_enabled":false`}, nil},
	}...)
	runScenarios(t, f, scenarios)
}

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
