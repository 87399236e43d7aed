package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
)

// TOTP enrollment, its confirmation, and the second step of a sign-in.
func TestMFAScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "mfa@example.com")
	me := bearer(tok)
	if r := f.do(t, call{method: "POST", path: "/v1/auth/reauthenticate", headers: me, body: `{"password":"correct-horse-battery"}`}); r.StatusCode != 200 {
		t.Fatalf("reauthenticate: %d %s", r.StatusCode, r.Body)
	}
	for body, want := range map[string]string{`{"digits":8}`: `"code":"unknown_field"`, `{`: `"code":"malformed_json"`} {
		if r := f.do(t, call{method: "POST", path: "/v1/me/mfa/totp", headers: me, body: body}); r.StatusCode != 400 || !strings.Contains(r.Body, want) {
			t.Errorf("begin TOTP with %s: %d %s, want 400 %s", body, r.StatusCode, r.Body, want)
		}
	}
	resp := f.do(t, call{method: "POST", path: "/v1/me/mfa/totp", headers: me, body: `{}`})
	var enrol struct{ Secret string }
	if err := json.Unmarshal([]byte(resp.Body), &enrol); err != nil || enrol.Secret == "" {
		t.Fatalf("begin TOTP: %d %s", resp.StatusCode, resp.Body)
	}
	code, err := auth.TOTPCode(enrol.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	runScenarios(t, f, []scenario{
		{"confirm, wrong code", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code":"` + wrong + `"}`}, 400, "invalid_code", nil, nil},
		{"confirm, no code", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{}`}, 400, "validation_failed", []string{`"field":"code"`}, nil},
		{"confirm, wrong type", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code":123456}`}, 400, "validation_failed", []string{`"field":"code"`}, nil},
		{"confirm, unknown field", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"otp":"1"}`}, 400, "unknown_field", nil, nil},
		{"confirm, malformed", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code"`}, 400, "malformed_json", nil, nil},
		{"confirm", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code":"` + code + `"}`}, 200, "", []string{`"recovery_codes":["`}, nil},
	})
	var rec struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	if err := json.Unmarshal([]byte(f.lastBody), &rec); err != nil || len(rec.RecoveryCodes) < 2 {
		t.Fatalf("recovery codes: %s", f.lastBody)
	}

	login := f.do(t, call{method: "POST", path: "/v1/auth/login", body: `{"login":"mfa@example.com","password":"correct-horse-battery"}`})
	var step struct {
		Code     string
		MFAToken string `json:"mfa_token"`
	}
	if err := json.Unmarshal([]byte(login.Body), &step); err != nil || step.MFAToken == "" {
		t.Fatalf("login with MFA on: %d %s", login.StatusCode, login.Body)
	}
	runScenarios(t, f, []scenario{
		{"confirm again", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code":"` + code + `"}`}, 409, "conflict", []string{`"detail":"Two-step sign-in is already on.`}, nil},
		{"second step, wrong code", call{method: "POST", path: "/v1/auth/mfa", body: `{"mfa_token":"` + step.MFAToken + `","code":"` + wrong + `"}`}, 400, "invalid_code", nil, nil},
		{"second step, bad token", call{method: "POST", path: "/v1/auth/mfa", body: `{"mfa_token":"nonsense","code":"123456"}`}, 401, "invalid_credentials", nil, nil},
		{"second step, nothing", call{method: "POST", path: "/v1/auth/mfa", body: `{}`}, 400, "validation_failed", []string{`"field":"mfa_token"`}, nil},
		{"second step, unknown field", call{method: "POST", path: "/v1/auth/mfa", body: `{"token":"x"}`}, 400, "unknown_field", nil, nil},
		{"second step, malformed", call{method: "POST", path: "/v1/auth/mfa", body: `{`}, 400, "malformed_json", nil, nil},
		{"second step, a recovery code", call{method: "POST", path: "/v1/auth/mfa", body: `{"mfa_token":"` + step.MFAToken + `","code":"` + rec.RecoveryCodes[0] + `"}`},
			200, "", []string{`"token":"`, `"mfa_enabled":true`}, nil},
		{"second step, the token again", call{method: "POST", path: "/v1/auth/mfa", body: `{"mfa_token":"` + step.MFAToken + `","code":"` + rec.RecoveryCodes[1] + `"}`},
			401, "invalid_credentials", nil, nil},
	})

	// An account disabled between the two steps answers as a disabled account does at
	// every other sign-in: 403 account_disabled, once both factors are right.
	login = f.do(t, call{method: "POST", path: "/v1/auth/login", body: `{"login":"mfa@example.com","password":"correct-horse-battery"}`})
	if err := json.Unmarshal([]byte(login.Body), &step); err != nil || step.MFAToken == "" {
		t.Fatalf("login with MFA on: %d %s", login.StatusCode, login.Body)
	}
	as := bearer(f.admin(t))
	if r := f.do(t, call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: map[string]string{"id": f.userID(t, "mfa@example.com")}, body: `{"active":false}`}); r.StatusCode != 200 {
		t.Fatalf("disable: %d %s", r.StatusCode, r.Body)
	}
	runScenarios(t, f, []scenario{
		{"second step, the account disabled meanwhile, wrong code", call{method: "POST", path: "/v1/auth/mfa", body: `{"mfa_token":"` + step.MFAToken + `","code":"` + wrong + `"}`},
			400, "invalid_code", nil, nil},
		{"second step, the account disabled meanwhile", call{method: "POST", path: "/v1/auth/mfa", body: `{"mfa_token":"` + step.MFAToken + `","code":"` + rec.RecoveryCodes[1] + `"}`},
			403, "account_disabled", nil, nil},
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
