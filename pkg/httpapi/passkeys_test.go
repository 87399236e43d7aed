package httpapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/passkey"
	"github.com/userbase/userbase/pkg/passkey/passkeytest"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

const testOrigin = "http://localhost:3000"

// newPasskeyFixture serves the passkey and sign-in code routes over the memory store, with
// pkg/passkey verifying what a virtual authenticator answers.
func newPasskeyFixture(t *testing.T) *fixture {
	t.Helper()
	st := memstore.New()
	svc := user.NewService(st, auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, time.Now, user.Options{
		AllowConfirmationURL: func(u *url.URL) bool { return u.Hostname() == "localhost" }, Secrets: testSecrets{},
		WebAuthn: passkey.New("Userbase"), RelyingParty: user.RelyingParty{ID: "localhost", Origins: []string{testOrigin}},
	})
	return &fixture{svc: svc, store: st, routes: map[string]httpapi.Lambda{
		"POST /v1/auth/register":          httpapi.Route("auth-register", httpapi.Register(svc)),
		"POST /v1/auth/login":             httpapi.Route("auth-login", httpapi.Login(svc)),
		"GET /v1/me":                      httpapi.Route("me-get", httpapi.Me(svc)),
		"POST /v1/auth/reauthenticate":    httpapi.Route("auth-reauthenticate", httpapi.Reauthenticate(svc)),
		"POST /v1/auth/passkey/options":   httpapi.Route("auth-passkey-options", httpapi.PasskeySignInOptions(svc)),
		"POST /v1/auth/passkey":           httpapi.Route("auth-passkey", httpapi.PasskeySignIn(svc)),
		"GET /v1/me/passkeys":             httpapi.Route("me-passkeys-list", httpapi.ListPasskeys(svc)),
		"POST /v1/me/passkeys/options":    httpapi.Route("me-passkeys-options", httpapi.BeginPasskey(svc)),
		"POST /v1/me/passkeys":            httpapi.Route("me-passkeys-add", httpapi.AddPasskey(svc)),
		"DELETE /v1/me/passkeys/{id}":     httpapi.Route("me-passkeys-delete", httpapi.RemovePasskey(svc)),
		"POST /v1/auth/email/code":        httpapi.Route("auth-email-code", httpapi.SendSignInCode(svc)),
		"POST /v1/auth/email/code/verify": httpapi.Route("auth-email-code-verify", httpapi.SignInWithCode(svc)),
		"GET /v1/me/export":               httpapi.Route("me-export", httpapi.Export(svc)),
	}}
}

// ceremony posts to an options route and returns the challenge id and the options.
func (f *fixture) ceremony(t *testing.T, path string, headers map[string]string) (string, []byte) {
	t.Helper()
	r := f.do(t, call{method: "POST", path: path, headers: headers})
	if r.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, r.StatusCode, r.Body)
	}
	id, opts, err := passkeytest.Options([]byte(r.Body))
	if err != nil || id == "" || !strings.HasPrefix(string(opts), `{"publicKey":{`) {
		t.Fatalf("%s: %s (%v)", path, r.Body, err)
	}
	return id, opts
}

func passkeyBody(challengeID string, credential []byte, extra string) string {
	return `{"challenge_id":"` + challengeID + `","credential":` + string(credential) + extra + `}`
}

func TestPasskeyScenarios(t *testing.T) {
	f := newPasskeyFixture(t)
	tok := f.signUp(t, "pk@example.com")
	hw := passkeytest.New("localhost", testOrigin, false)

	// Registration needs a re-authenticated session.
	if r := f.do(t, call{method: "POST", path: "/v1/me/passkeys/options", headers: bearer(tok)}); r.StatusCode != 403 || !strings.Contains(r.Body, `"reauthentication_required"`) {
		t.Fatalf("options without re-authentication: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok), body: `{"password":"correct-horse-battery"}`}); r.StatusCode != 200 {
		t.Fatalf("reauthenticate: %d %s", r.StatusCode, r.Body)
	}
	id, opts := f.ceremony(t, "/v1/me/passkeys/options", bearer(tok))
	for _, want := range []string{`"residentKey":"preferred"`, `"userVerification":"required"`, `"attestation":"none"`, `"rp":{"id":"localhost"`, `"excludeCredentials":[]`} {
		if !strings.Contains(string(opts), want) {
			t.Errorf("creation options %s lack %s", opts, want)
		}
	}
	cred, err := hw.Register(opts)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name       string
		call       call
		wantStatus int
		wantCode   string
		wantBody   []string
	}{
		{"add without a name", call{method: "POST", path: "/v1/me/passkeys", headers: bearer(tok), body: passkeyBody(id, cred, "")},
			400, "validation_failed", []string{`"field":"name","code":"required"`}},
		{"add with an unknown member", call{method: "POST", path: "/v1/me/passkeys", headers: bearer(tok), body: passkeyBody(id, cred, `,"name":"x","nick":"y"`)},
			400, "unknown_field", nil},
		{"add with a bad challenge", call{method: "POST", path: "/v1/me/passkeys", headers: bearer(tok), body: passkeyBody("01hzzzzzzzzzzzzzzzzzzzzzzz", cred, `,"name":"x"`)},
			400, "invalid_passkey", nil},
		{"add without a token", call{method: "POST", path: "/v1/me/passkeys", body: passkeyBody(id, cred, `,"name":"x"`)},
			401, "unauthenticated", nil},
		{"add", call{method: "POST", path: "/v1/me/passkeys", headers: bearer(tok), body: passkeyBody(id, cred, `,"name":"Laptop"`)},
			201, "", []string{`"name":"Laptop"`, `"last_used_at":null`, `"backed_up":false`, `"aaguid":"`}},
		{"add with the spent challenge", call{method: "POST", path: "/v1/me/passkeys", headers: bearer(tok), body: passkeyBody(id, cred, `,"name":"Laptop"`)},
			400, "invalid_passkey", nil},
		{"list", call{method: "GET", path: "/v1/me/passkeys", headers: bearer(tok)},
			200, "", []string{`"items":[{"id":"` + user.PasskeyID(hw.Cred.ID) + `"`, `"total":1`}},
		{"sign-in without a body", call{method: "POST", path: "/v1/auth/passkey", body: `{}`},
			400, "validation_failed", []string{`"field":"challenge_id","code":"required"`, `"field":"credential","code":"required"`}},
		{"sign-in, credential not JSON", call{method: "POST", path: "/v1/auth/passkey", body: `{"challenge_id":"x","credential":"abc"}`},
			401, "invalid_credentials", nil},
		{"sign-in, unknown challenge", call{method: "POST", path: "/v1/auth/passkey", body: passkeyBody("01hzzzzzzzzzzzzzzzzzzzzzzz", mustAssert(t, hw, opts), "")},
			401, "invalid_credentials", nil},
	}
	for _, s := range steps {
		checkStep(t, f, s.name, s.call, s.wantStatus, s.wantCode, s.wantBody)
	}
	if r := f.do(t, call{method: "GET", path: "/v1/me", headers: bearer(tok)}); r.StatusCode != 200 {
		t.Errorf("the adding session after the new passkey: %d", r.StatusCode)
	}

	// Sign in with it, then the same answer again.
	id, opts = f.ceremony(t, "/v1/auth/passkey/options", nil)
	if !strings.Contains(string(opts), `"rpId":"localhost"`) || strings.Contains(string(opts), "allowCredentials") {
		t.Errorf("request options %s", opts)
	}
	body := passkeyBody(id, mustAssert(t, hw, opts), "")
	checkStep(t, f, "sign-in", call{method: "POST", path: "/v1/auth/passkey", body: body}, 200, "",
		[]string{`"token":"`, `"email":"pk@example.com"`, `"expires_at":"`})
	checkStep(t, f, "replayed sign-in", call{method: "POST", path: "/v1/auth/passkey", body: body}, 401, "invalid_credentials", nil)

	// A refused answer spends its challenge: the genuine answer to it is refused after it.
	id, opts = f.ceremony(t, "/v1/auth/passkey/options", nil)
	checkStep(t, f, "sign-in with a bad signature", call{method: "POST", path: "/v1/auth/passkey",
		body: passkeyBody(id, badSignature(t, mustAssert(t, hw, opts)), "")}, 401, "invalid_credentials", nil)
	checkStep(t, f, "sign-in on the challenge the refused answer spent", call{method: "POST", path: "/v1/auth/passkey",
		body: passkeyBody(id, mustAssert(t, hw, opts), "")}, 401, "invalid_credentials", nil)

	// The passkey as the proof of a re-authentication.
	id, opts = f.ceremony(t, "/v1/auth/passkey/options", nil)
	checkStep(t, f, "reauthenticate with password and passkey", call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok),
		body: passkeyBody(id, mustAssert(t, hw, opts), `,"password":"x"`)}, 400, "validation_failed", []string{`"field":"password","code":"exclusive"`})
	id, opts = f.ceremony(t, "/v1/auth/passkey/options", nil)
	checkStep(t, f, "reauthenticate with a passkey", call{method: "POST", path: "/v1/auth/reauthenticate", headers: bearer(tok),
		body: passkeyBody(id, mustAssert(t, hw, opts), "")}, 200, "", []string{`"reauthenticated_until":"`})
	checkStep(t, f, "export lists it", call{method: "GET", path: "/v1/me/export", headers: bearer(tok)}, 200, "",
		[]string{`"passkeys":[{"id":"` + user.PasskeyID(hw.Cred.ID) + `"`})
	pkPath := "/v1/me/passkeys/{id}"
	del := call{method: "DELETE", path: pkPath, headers: bearer(tok)}
	checkStepParams(t, f, "delete", del, map[string]string{"id": user.PasskeyID(hw.Cred.ID)}, 204, "")
	checkStepParams(t, f, "delete again", del, map[string]string{"id": user.PasskeyID(hw.Cred.ID)}, 204, "")
	checkStep(t, f, "list after delete", call{method: "GET", path: "/v1/me/passkeys", headers: bearer(tok)}, 200, "", []string{`"items":[]`})
}

func TestSignInCodeScenarios(t *testing.T) {
	f := newPasskeyFixture(t)
	f.signUp(t, "code@example.com")
	checkStep(t, f, "send", call{method: "POST", path: "/v1/auth/email/code", body: `{"email":"code@example.com","confirmation_url":"http://localhost:5173/in?c={{code}}&e={{email}}"}`},
		202, "", []string{`"status":"accepted"`})
	checkStep(t, f, "send to nobody", call{method: "POST", path: "/v1/auth/email/code", body: `{"email":"nobody@example.com"}`},
		202, "", []string{`"status":"accepted"`})
	checkStep(t, f, "send, bad url", call{method: "POST", path: "/v1/auth/email/code", body: `{"email":"code@example.com","confirmation_url":"https://evil.example/{{code}}"}`},
		400, "invalid_confirmation_url", nil)
	checkStep(t, f, "send, no email", call{method: "POST", path: "/v1/auth/email/code", body: `{}`}, 400, "validation_failed", []string{`"field":"email"`})
	m := f.lastMail(t, mail.KindSignInCode, "code@example.com")
	if m.Link != "http://localhost:5173/in?c="+m.Code+"&e=code%40example.com" {
		t.Errorf("link %q", m.Link)
	}
	checkStep(t, f, "verify, wrong code", call{method: "POST", path: "/v1/auth/email/code/verify", body: `{"email":"code@example.com","code":"00000000x"}`},
		400, "invalid_code", nil)
	checkStep(t, f, "verify, unknown address", call{method: "POST", path: "/v1/auth/email/code/verify", body: `{"email":"nobody@example.com","code":"12345678"}`},
		400, "invalid_code", nil)
	checkStep(t, f, "verify", call{method: "POST", path: "/v1/auth/email/code/verify", body: `{"email":"code@example.com","code":"` + m.Code + `"}`},
		200, "", []string{`"token":"`, `"email_verified":true`})
	checkStep(t, f, "verify again", call{method: "POST", path: "/v1/auth/email/code/verify", body: `{"email":"code@example.com","code":"` + m.Code + `"}`},
		400, "invalid_code", nil)
}

// badSignature is assertion with its signature replaced by one that does not verify.
func badSignature(t *testing.T, assertion []byte) []byte {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(assertion, &c); err != nil {
		t.Fatal(err)
	}
	c["response"].(map[string]any)["signature"] = "MEQCIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAiAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustAssert(t *testing.T, a *passkeytest.Authenticator, opts []byte) []byte {
	t.Helper()
	b, err := a.Assert(opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkStep(t *testing.T, f *fixture, name string, c call, wantStatus int, wantCode string, wantBody []string) {
	t.Helper()
	checkResponse(t, name, f.do(t, c), wantStatus, wantCode, wantBody)
}

// checkStepParams is checkStep for a route with path parameters.
func checkStepParams(t *testing.T, f *fixture, name string, c call, params map[string]string, wantStatus int, wantCode string) {
	t.Helper()
	c.params = params
	checkStep(t, f, name, c, wantStatus, wantCode, nil)
}

func checkResponse(t *testing.T, name string, r events.APIGatewayProxyResponse, wantStatus int, wantCode string, wantBody []string) {
	t.Helper()
	if r.StatusCode != wantStatus {
		t.Fatalf("%s: status %d, want %d (%s)", name, r.StatusCode, wantStatus, r.Body)
	}
	if wantCode != "" {
		var p struct{ Code string }
		_ = json.Unmarshal([]byte(r.Body), &p)
		if p.Code != wantCode {
			t.Errorf("%s: code %q, want %q", name, p.Code, wantCode)
		}
	}
	for _, frag := range wantBody {
		if !strings.Contains(r.Body, frag) {
			t.Errorf("%s: body %s lacks %s", name, r.Body, frag)
		}
	}
}
