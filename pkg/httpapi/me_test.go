package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/profilefields"
)

// noToken and badToken are the two failures every signed-in route answers alike.
func authFailures(name string, c call) []scenario {
	bad := c
	bad.headers = bearer("01abcdefghjkmnpqrstvwxyz01.01abcdefghjkmnpqrstvwxyz01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	return []scenario{
		{name + ", no token", c, 401, "unauthenticated", nil, nil},
		{name + ", bad token", bad, 401, "unauthenticated", nil, nil},
	}
}

// The caller's own routes: language, events, sessions, wishlist, export, self-delete.
func TestMeScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	second := f.login(t, "me@example.com")
	var scenarios []scenario
	for _, c := range []call{
		{method: "PUT", path: "/v1/me/language", body: `{"language":"ru"}`},
		{method: "GET", path: "/v1/me/events"},
		{method: "GET", path: "/v1/me/sessions"},
		{method: "DELETE", path: "/v1/me/sessions/{session_id}", params: map[string]string{"session_id": "x"}},
		{method: "GET", path: "/v1/me/wishlist"},
		{method: "PUT", path: "/v1/me/wishlist/{product_id}", params: map[string]string{"product_id": "p1"}, body: `{"name":"Mug"}`},
		{method: "DELETE", path: "/v1/me/wishlist/{product_id}", params: map[string]string{"product_id": "p1"}},
		{method: "GET", path: "/v1/me/export"},
		{method: "DELETE", path: "/v1/me", body: `{"password":"correct-horse-battery"}`},
		{method: "PATCH", path: "/v1/me", body: `{"first_name":"X"}`},
		{method: "PUT", path: "/v1/me/password", body: `{"current_password":"correct-horse-battery","new_password":"another-horse-battery","confirm_password":"another-horse-battery"}`},
		{method: "POST", path: "/v1/auth/email/verification"},
		{method: "POST", path: "/v1/me/mfa/totp/confirm", body: `{"code":"123456"}`},
		{method: "POST", path: "/v1/auth/logout"},
		{method: "GET", path: "/v1/auth/session"},
	} {
		scenarios = append(scenarios, authFailures(c.method+" "+c.path, c)...)
	}
	me := bearer(tok)
	product := func(id string) map[string]string { return map[string]string{"product_id": id} }
	scenarios = append(scenarios, []scenario{
		// PUT /v1/me/language
		{"language", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":"ru"}`}, 200, "", []string{`"language":"ru"`}, nil},
		{"language, unknown", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":"xx"}`},
			400, "validation_failed", []string{`"field":"language","code":"invalid_choice"`}, nil},
		{"language, missing", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{}`},
			400, "validation_failed", []string{`"field":"language","code":"required"`}, nil},
		{"language, wrong type", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":1}`},
			400, "validation_failed", []string{`"field":"language"`}, nil},
		{"language, unknown field", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":"en","lang":"en"}`}, 400, "unknown_field", nil, nil},
		{"language, malformed", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{`}, 400, "malformed_json", nil, nil},
		{"language, not JSON", call{method: "PUT", path: "/v1/me/language", headers: map[string]string{"Authorization": me["Authorization"], "Content-Type": "text/plain"}, body: `{}`},
			415, "unsupported_media_type", nil, nil},

		// GET /v1/me/events
		{"events", call{method: "GET", path: "/v1/me/events", headers: me}, 200, "", []string{`"items":[`, `"type":"`, `"meta":{`}, nil},
		{"events, paged", call{method: "GET", path: "/v1/me/events", headers: me, query: map[string]string{"page": "2", "per_page": "1"}}, 200, "", []string{`"page":2`, `"per_page":1`}, nil},
		{"events, bad per_page", call{method: "GET", path: "/v1/me/events", headers: me, query: map[string]string{"per_page": "0"}},
			400, "validation_failed", []string{`"field":"per_page","code":"invalid_format"`}, nil},

		// PUT, GET, DELETE /v1/me/wishlist
		{"wish", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"),
			body: `{"product_id":"p1","name":"Mug","images":["https://cdn.example.com/m.png"],"publish":"1","weight":"2.5","price":9.5}`},
			200, "", []string{`"product_id":"p1"`, `"publish":true`, `"weight":2.5`, `"categories":[]`, `"added_at":"`}, nil},
		{"wish, booleans and numbers as such", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2"),
			body: `{"name":"Cup","publish":false,"weight":null}`}, 200, "", []string{`"publish":false`, `"weight":0`}, nil},
		{"wish, publish as text", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p3"),
			body: `{"name":"Jar","publish":"true","weight":3}`}, 200, "", []string{`"publish":true`, `"weight":3`}, nil},
		{"wish, id mismatch", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"product_id":"p9","name":"Mug"}`},
			400, "validation_failed", []string{`"field":"product_id","code":"mismatch"`}, nil},
		{"wish, bad publish and weight", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","publish":"maybe","weight":"heavy"}`},
			400, "validation_failed", []string{`"field":"publish","code":"invalid_format"`, `"field":"weight","code":"invalid_format"`}, nil},
		{"wish, weight an object", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","publish":{},"weight":{}}`},
			400, "validation_failed", []string{`"field":"weight"`}, nil},
		{"wish, no name", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{}`},
			400, "validation_failed", []string{`"field":"name","code":"required"`}, nil},
		{"wish, price as text", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","price":"9"}`},
			400, "validation_failed", []string{`"field":"price"`}, nil},
		{"wish, unknown field", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","colour":"red"}`},
			400, "unknown_field", nil, nil},
		{"wish, malformed", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name"`}, 400, "malformed_json", nil, nil},
		{"wishlist", call{method: "GET", path: "/v1/me/wishlist", headers: me}, 200, "", []string{`"product_id":"p1"`, `"product_id":"p2"`, `"total":3`}, nil},
		{"wishlist, bad page", call{method: "GET", path: "/v1/me/wishlist", headers: me, query: map[string]string{"page": "x"}},
			400, "validation_failed", []string{`"field":"page"`}, nil},
		{"unwish", call{method: "DELETE", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2")}, 204, "", nil, nil},
		{"unwish again is idempotent", call{method: "DELETE", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2")}, 204, "", nil, nil},
		{"wishlist after", call{method: "GET", path: "/v1/me/wishlist", headers: me}, 200, "", []string{`"total":2`}, []string{`"product_id":"p2"`}},

		// GET /v1/me/export
		{"export", call{method: "GET", path: "/v1/me/export", headers: me}, 200, "",
			[]string{`"profile":{`, `"email":"me@example.com"`, `"wishlist":[`, `"product_id":"p1"`, `"security_events":[`, `"sessions":[`, `"mfa":{"enabled":false`}, []string{"hash", "correct-horse"}},

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

	// DELETE /v1/me/sessions/{session_id}: the other session ends, the caller's stays.
	resp := f.do(t, call{method: "GET", path: "/v1/me/sessions", headers: me})
	var list struct {
		Items []struct {
			ID      string
			Current bool
		}
	}
	if err := json.Unmarshal([]byte(resp.Body), &list); err != nil || len(list.Items) != 2 {
		t.Fatalf("sessions: %d %s", resp.StatusCode, resp.Body)
	}
	other := list.Items[0].ID
	if list.Items[0].Current {
		other = list.Items[1].ID
	}
	runScenarios(t, f, []scenario{
		{"revoke a session", call{method: "DELETE", path: "/v1/me/sessions/{session_id}", headers: me, params: map[string]string{"session_id": other}}, 204, "", nil, nil},
		{"the revoked session", call{method: "GET", path: "/v1/me", headers: bearer(second)}, 401, "unauthenticated", nil, nil},
		{"revoke an unknown session is idempotent", call{method: "DELETE", path: "/v1/me/sessions/{session_id}", headers: me, params: map[string]string{"session_id": "nonsense"}}, 204, "", nil, nil},
		{"the caller's own stays", call{method: "GET", path: "/v1/me", headers: me}, 200, "", nil, nil},

		// DELETE /v1/me
		{"delete me, wrong password", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"password":"nope-nope-nope"}`},
			400, "validation_failed", []string{`"field":"password","code":"invalid_password"`}, nil},
		{"delete me, malformed", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"password":`}, 400, "malformed_json", nil, nil},
		{"delete me, unknown field", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"pw":"x"}`}, 400, "unknown_field", nil, nil},
		{"delete me", call{method: "DELETE", path: "/v1/me", headers: me, body: `{"password":"correct-horse-battery"}`}, 204, "", nil, nil},
		{"deleted", call{method: "GET", path: "/v1/me", headers: me}, 401, "unauthenticated", nil, nil},
	})
}

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

// TOTP enrollment, its confirmation, and the second step of a sign-in.
func TestMFAScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "mfa@example.com")
	me := bearer(tok)
	if r := f.do(t, call{method: "POST", path: "/v1/auth/reauthenticate", headers: me, body: `{"password":"correct-horse-battery"}`}); r.StatusCode != 200 {
		t.Fatalf("reauthenticate: %d %s", r.StatusCode, r.Body)
	}
	resp := f.do(t, call{method: "POST", path: "/v1/me/mfa/totp", headers: me})
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
		{"confirm again", call{method: "POST", path: "/v1/me/mfa/totp/confirm", headers: me, body: `{"code":"` + code + `"}`}, 409, "conflict", nil, nil},
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
}

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
