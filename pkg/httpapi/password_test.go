package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/mail"
)

// Password reset by mailed code, and the change of a signed-in caller.
func TestPasswordScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "pw@example.com")
	runScenarios(t, f, []scenario{
		{"forgot", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":"PW@example.com"}`}, 202, "", []string{`"status":"accepted"`}, nil},
		{"forgot, unknown address answers alike", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":"ghost@example.com"}`}, 202, "", []string{`"status":"accepted"`}, nil},
		{"forgot, no email", call{method: "POST", path: "/v1/auth/password/forgot", body: `{}`}, 400, "validation_failed", []string{`"field":"email","code":"required"`}, nil},
		{"forgot, not an address", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":"nope"}`}, 400, "validation_failed", []string{`"field":"email","code":"invalid_email"`}, nil},
		{"forgot, wrong type", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":[]}`}, 400, "validation_failed", []string{`"field":"email"`}, nil},
		{"forgot, bad url", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":"pw@example.com","confirmation_url":"https://evil.example/{{code}}"}`},
			400, "invalid_confirmation_url", nil, nil},
		{"forgot, unknown field", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":"pw@example.com","x":1}`}, 400, "unknown_field", nil, nil},
		{"forgot, malformed", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email"`}, 400, "malformed_json", nil, nil},
		{"forgot, oversized", call{method: "POST", path: "/v1/auth/password/forgot", body: `{"email":"` + strings.Repeat("a", httpapi.MaxJSONBody) + `"}`}, 413, "payload_too_large", nil, nil},
		{"reset, bad code", call{method: "POST", path: "/v1/auth/password/reset", body: `{"code":"nonsense","new_password":"another-horse-battery"}`}, 400, "invalid_code", nil, nil},
		{"reset, no fields", call{method: "POST", path: "/v1/auth/password/reset", body: `{}`}, 400, "validation_failed", []string{`"field":"code"`}, nil},
		{"reset, unknown field", call{method: "POST", path: "/v1/auth/password/reset", body: `{"code":"x","password":"y"}`}, 400, "unknown_field", nil, nil},
		{"reset, malformed", call{method: "POST", path: "/v1/auth/password/reset", body: `[`}, 400, "malformed_json", nil, nil},
	})
	code := f.lastMail(t, mail.KindResetPassword, "pw@example.com").Code
	runScenarios(t, f, []scenario{
		{"reset, weak password", call{method: "POST", path: "/v1/auth/password/reset", body: `{"code":"` + code + `","new_password":"abc"}`},
			400, "validation_failed", []string{`"field":"new_password","code":"too_short"`}, nil},
		{"reset", call{method: "POST", path: "/v1/auth/password/reset", body: `{"code":"` + code + `","new_password":"another-horse-battery"}`}, 204, "", nil, nil},
		{"reset, the code again", call{method: "POST", path: "/v1/auth/password/reset", body: `{"code":"` + code + `","new_password":"another-horse-battery"}`}, 400, "invalid_code", nil, nil},
		{"the sessions ended", call{method: "GET", path: "/v1/me", headers: bearer(tok)}, 401, "unauthenticated", nil, nil},
		{"the old password", call{method: "POST", path: "/v1/auth/login", body: `{"login":"pw@example.com","password":"correct-horse-battery"}`}, 401, "invalid_credentials", nil, nil},
		{"the new password", call{method: "POST", path: "/v1/auth/login", body: `{"login":"pw@example.com","password":"another-horse-battery"}`}, 200, "", []string{`"token":"`}, nil},
	})
	tok = f.loginWith(t, "pw@example.com", "another-horse-battery")
	me := bearer(tok)
	runScenarios(t, f, []scenario{
		{"change, mismatch", call{method: "PUT", path: "/v1/me/password", headers: me,
			body: `{"current_password":"another-horse-battery","new_password":"third-horse-battery","confirm_password":"fourth-horse-battery"}`},
			400, "validation_failed", []string{`"field":"confirm_password","code":"mismatch"`}, nil},
		{"change, wrong current", call{method: "PUT", path: "/v1/me/password", headers: me,
			body: `{"current_password":"nope-nope-nope","new_password":"third-horse-battery","confirm_password":"third-horse-battery"}`},
			400, "validation_failed", []string{`"field":"current_password","code":"invalid_password"`}, nil},
		{"change, malformed", call{method: "PUT", path: "/v1/me/password", headers: me, body: `{`}, 400, "malformed_json", nil, nil},
		{"change, unknown field", call{method: "PUT", path: "/v1/me/password", headers: me, body: `{"password":"x"}`}, 400, "unknown_field", nil, nil},
		{"change", call{method: "PUT", path: "/v1/me/password", headers: me,
			body: `{"current_password":"another-horse-battery","new_password":"third-horse-battery","confirm_password":"third-horse-battery"}`}, 204, "", nil, nil},
		{"the caller stays signed in", call{method: "GET", path: "/v1/me", headers: me}, 200, "", nil, nil},
	})
}

// loginWith signs in with a password and returns the token.
func (f *fixture) loginWith(t *testing.T, email, password string) string {
	t.Helper()
	resp := f.do(t, call{method: "POST", path: "/v1/auth/login", body: `{"login":"` + email + `","password":"` + password + `"}`})
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %d %s", email, resp.StatusCode, resp.Body)
	}
	return out.Token
}
