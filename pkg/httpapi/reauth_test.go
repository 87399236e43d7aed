package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/mail"
)

// testSecrets seals by base64 only: the handlers' tests need a TOTP secret to round-trip,
// not to be hidden (the domain's tests and KMS's own cover that).
type testSecrets struct{}

func (testSecrets) Seal(_ context.Context, p []byte, aad string) (string, error) {
	return base64.StdEncoding.EncodeToString(append([]byte(aad+"|"), p...)), nil
}

func (testSecrets) Open(_ context.Context, s, aad string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return []byte(strings.TrimPrefix(string(b), aad+"|")), err
}

// lastMail is the newest outbox mail of kind to address.
func (f *fixture) lastMail(t *testing.T, kind, to string) mail.Mail {
	t.Helper()
	for i := len(f.store.Outbox) - 1; i >= 0; i-- {
		if m := f.store.Outbox[i]; m.Kind == kind && m.To == to {
			return m
		}
	}
	t.Fatalf("no %s mail to %s", kind, to)
	return mail.Mail{}
}

func TestReauthenticationScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "re@example.com")
	other := f.signUp(t, "other@example.com")
	const pw = `"correct-horse-battery"`
	steps := []struct {
		name       string
		call       call
		wantStatus int
		wantCode   string
		wantBody   []string
	}{
		{"email change right after sign-in", call{method: "PATCH", path: "/v1/me", headers: bearer(tok), body: `{"email":"new@example.com"}`},
			403, "reauthentication_required", nil},
		{"phone change right after sign-in", call{method: "PATCH", path: "/v1/me", headers: bearer(tok), body: `{"phone":"+14155550123"}`},
			403, "reauthentication_required", nil},
		{"name change needs nothing", call{method: "PATCH", path: "/v1/me", headers: bearer(tok), body: `{"first_name":"Re"}`},
			200, "", []string{`"first_name":"Re"`}},
		{"TOTP on", call{method: "POST", path: "/v1/me/mfa/totp", headers: bearer(tok)}, 403, "reauthentication_required", nil},
		{"TOTP off without a password", call{method: "DELETE", path: "/v1/me/mfa/totp", headers: bearer(tok), body: `{"code":"123456"}`},
			403, "reauthentication_required", nil},
		{"password change without the current one", call{method: "PUT", path: "/v1/me/password", headers: bearer(tok),
			body: `{"new_password":"a-new-horse-battery","confirm_password":"a-new-horse-battery"}`}, 403, "reauthentication_required", nil},
		{"self-delete without a body", call{method: "DELETE", path: "/v1/me", headers: bearer(tok)}, 403, "reauthentication_required", nil},
		{"reauthenticate without a token", call{method: "POST", path: "/v1/auth/reauthenticate", body: `{"password":` + pw + `}`}, 401, "unauthenticated", nil},
		{"reauthenticate without a password", call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok), body: `{}`},
			400, "validation_failed", []string{`"field":"password","code":"required"`}},
		{"reauthenticate, wrong password", call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok), body: `{"password":"nope-nope-nope"}`},
			400, "validation_failed", []string{`"field":"password","code":"invalid_password"`}},
		{"reauthenticate, unknown member", call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok), body: `{"password":` + pw + `,"otp":"1"}`},
			400, "unknown_field", nil},
		{"reauthenticate", call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok), body: `{"password":` + pw + `}`},
			200, "", []string{`"reauthenticated_until":"`}},
		{"email change in the window", call{method: "PATCH", path: "/v1/me", headers: bearer(tok), body: `{"email":"new@example.com"}`},
			200, "", []string{`"pending_email":"new@example.com"`}},
		{"the window is the session's own", call{method: "PATCH", path: "/v1/me", headers: bearer(other), body: `{"email":"o2@example.com"}`},
			403, "reauthentication_required", nil},
		{"current_password is a proof", call{method: "PATCH", path: "/v1/me", headers: bearer(other), body: `{"email":"o2@example.com","current_password":` + pw + `}`},
			200, "", []string{`"pending_email":"o2@example.com"`}},
		{"a wrong current_password", call{method: "PATCH", path: "/v1/me", headers: bearer(other), body: `{"phone":"+14155550199","current_password":"nope-nope"}`},
			400, "validation_failed", []string{`"field":"current_password","code":"invalid_password"`}},
		{"current_password of the wrong type", call{method: "PATCH", path: "/v1/me", headers: bearer(other), body: `{"current_password":5}`},
			400, "validation_failed", []string{`"field":"current_password"`}},
		{"revert without a code", call{method: "POST", path: "/v1/auth/email/revert", body: `{}`}, 400, "validation_failed", []string{`"field":"code"`}},
		{"revert with a bad code", call{method: "POST", path: "/v1/auth/email/revert", body: `{"code":"nonsense"}`}, 400, "invalid_code", nil},
		{"revert, malformed", call{method: "POST", path: "/v1/auth/email/revert", body: `{"code":`}, 400, "malformed_json", nil},
	}
	for _, s := range steps {
		resp := f.do(t, s.call)
		if resp.StatusCode != s.wantStatus {
			t.Fatalf("%s: status %d, want %d (%s)", s.name, resp.StatusCode, s.wantStatus, resp.Body)
		}
		if s.wantCode != "" {
			var p struct{ Code string }
			_ = json.Unmarshal([]byte(resp.Body), &p)
			if p.Code != s.wantCode {
				t.Errorf("%s: code %q, want %q", s.name, p.Code, s.wantCode)
			}
		}
		for _, frag := range s.wantBody {
			if !strings.Contains(resp.Body, frag) {
				t.Errorf("%s: body %s lacks %s", s.name, resp.Body, frag)
			}
		}
	}

	// Confirm the new address with the caller's token: the caller stays, the rest end; the
	// old address's notice carries the code that reverts it.
	code := f.lastMail(t, mail.KindEmailChangeCode, "new@example.com").Code
	second := f.login(t, "re@example.com")
	if r := f.do(t, call{method: "POST", path: "/v1/auth/email/confirm", headers: bearer(tok), body: `{"code":"` + code + `"}`}); r.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, call{method: "GET", path: "/v1/me", headers: bearer(second)}); r.StatusCode != 401 {
		t.Errorf("another session after the change: %d, want 401", r.StatusCode)
	}
	if r := f.do(t, call{method: "GET", path: "/v1/me", headers: bearer(tok)}); r.StatusCode != 200 {
		t.Errorf("the confirming session after the change: %d, want 200", r.StatusCode)
	}
	revert := f.lastMail(t, mail.KindEmailChanged, "re@example.com").Code
	r := f.do(t, call{method: "POST", path: "/v1/auth/email/revert", body: `{"code":"` + revert + `"}`})
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"email":"re@example.com"`) {
		t.Fatalf("revert: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, call{method: "GET", path: "/v1/me", headers: bearer(tok)}); r.StatusCode != 401 {
		t.Errorf("the changer's session after the revert: %d, want 401", r.StatusCode)
	}
}

// login signs in and returns the token.
func (f *fixture) login(t *testing.T, email string) string {
	t.Helper()
	resp := f.do(t, call{method: "POST", path: "/v1/auth/login", body: `{"login":"` + email + `","password":"correct-horse-battery"}`})
	if resp.StatusCode != 200 {
		t.Fatalf("login %s: %d %s", email, resp.StatusCode, resp.Body)
	}
	var out struct{ Token string }
	_ = json.Unmarshal([]byte(resp.Body), &out)
	return out.Token
}
