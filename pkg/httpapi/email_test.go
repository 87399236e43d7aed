package httpapi_test

import (
	"testing"

	"github.com/userbase/userbase/pkg/mail"
)

// POST /v1/auth/email/verification: the body is optional.
func TestResendVerificationScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	me := bearer(tok)
	var scenarios []scenario
	scenarios = append(scenarios, authFailures("POST /v1/auth/email/verification", call{method: "POST", path: "/v1/auth/email/verification"})...)
	scenarios = append(scenarios, []scenario{
		// POST /v1/auth/email/verification
		{"resend verification", call{method: "POST", path: "/v1/auth/email/verification", headers: me}, 202, "", []string{`"status":"accepted"`}, nil},
		{"resend verification, bad url", call{method: "POST", path: "/v1/auth/email/verification", headers: me, body: `{"confirmation_url":"https://evil.example/{{code}}"}`},
			400, "invalid_confirmation_url", nil, nil},
		{"resend verification, wrong type", call{method: "POST", path: "/v1/auth/email/verification", headers: me, body: `{"confirmation_url":5}`},
			400, "validation_failed", []string{`"field":"confirmation_url"`}, nil},
		{"resend verification, unknown field", call{method: "POST", path: "/v1/auth/email/verification", headers: me, body: `{"url":"x"}`}, 400, "unknown_field", nil, nil},
		{"resend verification, malformed", call{method: "POST", path: "/v1/auth/email/verification", headers: me, body: `{"`}, 400, "malformed_json", nil, nil},
	}...)
	runScenarios(t, f, scenarios)
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
