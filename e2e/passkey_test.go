package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/passkey/passkeytest"
)

// Passkeys and sign-in by mailed code over HTTP, with a Go virtual authenticator answering
// as a browser on the API's own origin (the relying party `make local` configures:
// localhost, http://localhost:<API port>).

// apiOrigin is the origin of pages served by the local API, as a browser names it.
func apiOrigin() string { return strings.Replace(stack.APIURL, "127.0.0.1", "localhost", 1) }

// ceremony posts to an options route and returns its challenge id and options.
func ceremony(t *testing.T, path, tok string) (string, []byte) {
	t.Helper()
	r := do(t, req{method: "POST", path: path, token: tok})
	want(t, r, http.StatusOK, "")
	id, opts, err := passkeytest.Options(r.Body)
	if err != nil || id == "" {
		t.Fatalf("%s: %s (%v)", path, r.Body, err)
	}
	return id, opts
}

// passkeyBody is a ceremony's answer as a request body.
func passkeyBody(id string, cred []byte, extra map[string]any) map[string]any {
	b := map[string]any{"challenge_id": id, "credential": json.RawMessage(cred)}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// addPasskey re-authenticates tok with the password and registers a passkey of a.
func addPasskey(t *testing.T, tok string, a *passkeytest.Authenticator, name string) map[string]any {
	t.Helper()
	reauth(t, tok, password, "")
	id, opts := ceremony(t, "/v1/me/passkeys/options", tok)
	cred, err := a.Register(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := do(t, req{method: "POST", path: "/v1/me/passkeys", token: tok, body: passkeyBody(id, cred, map[string]any{"name": name})})
	want(t, r, http.StatusCreated, "")
	return r.JSON(t)
}

// signInWithPasskey runs a passkey sign-in and returns the answer.
func signInWithPasskey(t *testing.T, a *passkeytest.Authenticator) *resp {
	t.Helper()
	id, opts := ceremony(t, "/v1/auth/passkey/options", "")
	cred, err := a.Assert(opts)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req{method: "POST", path: "/v1/auth/passkey", body: passkeyBody(id, cred, nil)})
}

func eventsOf(t *testing.T, tok string) []map[string]any {
	t.Helper()
	r := do(t, req{method: "GET", path: "/v1/me/events", token: tok})
	want(t, r, http.StatusOK, "")
	var l struct{ Items []map[string]any }
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatal(err)
	}
	return l.Items
}

func TestPasskeyRegistrationAndSignIn(t *testing.T) {
	email := newEmail("passkey")
	tok, id := signUp(t, email, nil)
	other := token(t, login(t, email, password))
	hw := passkeytest.New("localhost", apiOrigin(), false)

	// Registration needs a re-authenticated session.
	want(t, do(t, req{method: "POST", path: "/v1/me/passkeys/options", token: tok}), http.StatusForbidden, "reauthentication_required")
	pk := addPasskey(t, tok, hw, "Security key")
	if pk["name"] != "Security key" || pk["last_used_at"] != nil || pk["backed_up"] != false {
		t.Errorf("new passkey %v", pk)
	}
	// Every other session ended; this one stays.
	want(t, do(t, req{method: "GET", path: "/v1/me", token: other}), http.StatusUnauthorized, "unauthenticated")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: tok}), http.StatusOK, "")
	r := do(t, req{method: "GET", path: "/v1/me/passkeys", token: tok})
	want(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), `"id":"`+pk["id"].(string)+`"`) {
		t.Errorf("list %s lacks the passkey", r.Body)
	}
	// The next options exclude it.
	_, opts := ceremony(t, "/v1/me/passkeys/options", tok)
	if !strings.Contains(string(opts), `"excludeCredentials":[{"type":"public-key","id":"`) {
		t.Errorf("creation options %s do not exclude the passkey", opts)
	}

	// Sign in with it: no password, no login.
	r = signInWithPasskey(t, hw)
	want(t, r, http.StatusOK, "")
	m := r.JSON(t)
	if m["user"].(map[string]any)["id"] != id || m["token"] == "" {
		t.Fatalf("passkey sign-in answered %s", r.Body)
	}
	pkTok := m["token"].(string)
	// Signing in opened no re-authentication window.
	want(t, do(t, req{method: "POST", path: "/v1/me/passkeys/options", token: pkTok}), http.StatusForbidden, "reauthentication_required")
	if ev := eventsOf(t, pkTok)[0]; ev["type"] != "login_succeeded" || ev["detail"].(map[string]any)["method"] != "hwk" {
		t.Errorf("newest event %v, want login_succeeded by hwk", ev)
	}

	// A replayed assertion: its challenge is spent.
	cid, opts := ceremony(t, "/v1/auth/passkey/options", "")
	cred, _ := hw.Assert(opts)
	want(t, do(t, req{method: "POST", path: "/v1/auth/passkey", body: passkeyBody(cid, cred, nil)}), http.StatusOK, "")
	want(t, do(t, req{method: "POST", path: "/v1/auth/passkey", body: passkeyBody(cid, cred, nil)}), http.StatusUnauthorized, "invalid_credentials")

	// A cloned authenticator: its counter goes back. Refused and recorded.
	cid, opts = ceremony(t, "/v1/auth/passkey/options", "")
	cred, _ = hw.AssertAs(opts, 1)
	want(t, do(t, req{method: "POST", path: "/v1/auth/passkey", body: passkeyBody(cid, cred, nil)}), http.StatusUnauthorized, "invalid_credentials")
	if ev := eventsOf(t, pkTok)[0]; ev["type"] != "passkey_clone_detected" {
		t.Errorf("newest event %v, want passkey_clone_detected", ev)
	}
	// A bad signature is refused and spends its challenge: the genuine answer to it after
	// that is refused too.
	cid, opts = ceremony(t, "/v1/auth/passkey/options", "")
	cred, _ = hw.Assert(opts)
	var c map[string]any
	if err := json.Unmarshal(cred, &c); err != nil {
		t.Fatal(err)
	}
	c["response"].(map[string]any)["signature"] = "MEQCIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAiAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	bad, _ := json.Marshal(c)
	want(t, do(t, req{method: "POST", path: "/v1/auth/passkey", body: passkeyBody(cid, bad, nil)}), http.StatusUnauthorized, "invalid_credentials")
	cred, _ = hw.Assert(opts)
	want(t, do(t, req{method: "POST", path: "/v1/auth/passkey", body: passkeyBody(cid, cred, nil)}), http.StatusUnauthorized, "invalid_credentials")
	// The genuine one, a step ahead, still signs in.
	want(t, signInWithPasskey(t, hw), http.StatusOK, "")

	// An authenticator the account never registered, and bad bodies.
	stranger := passkeytest.New("localhost", apiOrigin(), false)
	stranger.Auth.Options.UserHandle = []byte(id)
	stranger.Cred = &hw.Auth.Credentials[0]
	forged := *stranger.Cred
	fresh := passkeytest.New("localhost", apiOrigin(), false)
	if _, err := fresh.Register(opts); err != nil { // only to make a key
		t.Fatal(err)
	}
	forged.Key = fresh.Cred.Key
	stranger.Cred = &forged
	want(t, signInWithPasskey(t, stranger), http.StatusUnauthorized, "invalid_credentials")
	want(t, do(t, req{method: "POST", path: "/v1/auth/passkey", body: map[string]any{}}), http.StatusBadRequest, "validation_failed")

	// The passkey as the proof of a re-authentication, then a removal in that window.
	cid, opts = ceremony(t, "/v1/auth/passkey/options", "")
	cred, _ = hw.Assert(opts)
	r = do(t, req{method: "POST", path: "/v1/auth/reauthenticate", token: pkTok, body: passkeyBody(cid, cred, nil)})
	want(t, r, http.StatusOK, "")
	want(t, do(t, req{method: "POST", path: "/v1/auth/reauthenticate", token: pkTok, body: passkeyBody(cid, cred, nil)}),
		http.StatusBadRequest, "invalid_passkey")
	want(t, do(t, req{method: "DELETE", path: "/v1/me/passkeys/" + pk["id"].(string), token: pkTok}), http.StatusNoContent, "")
	want(t, do(t, req{method: "DELETE", path: "/v1/me/passkeys/" + pk["id"].(string), token: pkTok}), http.StatusNoContent, "")
	want(t, signInWithPasskey(t, hw), http.StatusUnauthorized, "invalid_credentials")
	r = do(t, req{method: "GET", path: "/v1/me/export", token: pkTok})
	want(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), `"passkeys":[]`) {
		t.Errorf("export after removal: %s", r.Body)
	}
}

func TestPasskeyAnotherAccountsCredential(t *testing.T) {
	a, _ := signUp(t, newEmail("pk-a"), nil)
	b, _ := signUp(t, newEmail("pk-b"), nil)
	ka := passkeytest.New("localhost", apiOrigin(), true)
	addPasskey(t, a, ka, "Phone")
	addPasskey(t, b, passkeytest.New("localhost", apiOrigin(), false), "Key")
	// A's passkey proves nothing about B's session.
	cid, opts := ceremony(t, "/v1/auth/passkey/options", "")
	cred, _ := ka.Assert(opts)
	want(t, do(t, req{method: "POST", path: "/v1/auth/reauthenticate", token: b, body: passkeyBody(cid, cred, nil)}),
		http.StatusBadRequest, "invalid_passkey")
	// A synced passkey signs in as swk.
	r := signInWithPasskey(t, ka)
	want(t, r, http.StatusOK, "")
	if ev := eventsOf(t, r.JSON(t)["token"].(string))[0]; ev["detail"].(map[string]any)["method"] != "swk" {
		t.Errorf("newest event %v, want login_succeeded by swk", ev)
	}
	// A wrong challenge at registration.
	reauth(t, a, password, "")
	_, opts = ceremony(t, "/v1/me/passkeys/options", a)
	cred, _ = passkeytest.New("localhost", apiOrigin(), false).Register(opts)
	want(t, do(t, req{method: "POST", path: "/v1/me/passkeys", token: a, body: passkeyBody("01hzzzzzzzzzzzzzzzzzzzzzzz", cred, map[string]any{"name": "x"})}),
		http.StatusBadRequest, "invalid_passkey")
}

var signInCodeLine = regexp.MustCompile(`(?m)^(\d{8})$`)

// signInCode asks for a sign-in code for email and reads it from the mail.
func signInCode(t *testing.T, email string, n int) string {
	t.Helper()
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/code", body: map[string]string{"email": email}}), http.StatusAccepted, "")
	waitMails(t, email, n)
	var code string
	waitMail(t, email, func(m sentMail) bool {
		g := signInCodeLine.FindAllStringSubmatch(m.Body.Text, -1)
		if len(g) == 0 {
			return false
		}
		code = g[0][1]
		return true
	})
	// The newest code: the emulator lists mails oldest first.
	res, err := http.Get(stack.SESURL + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var store struct{ Emails []sentMail }
	if err := json.NewDecoder(res.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	for _, m := range store.Emails {
		if len(m.Destination.To) > 0 && strings.EqualFold(m.Destination.To[0], email) {
			if g := signInCodeLine.FindStringSubmatch(m.Body.Text); g != nil {
				code = g[1]
			}
		}
	}
	return code
}

func TestSignInWithEmailCode(t *testing.T) {
	email := strings.ToLower(newEmail("code"))
	signUp(t, email, nil)
	waitMails(t, email, 1) // the verification mail

	// Known and unknown addresses get the same answer; only the account gets mail.
	nobody := newEmail("nobody")
	known := do(t, req{method: "POST", path: "/v1/auth/email/code", body: map[string]string{"email": email,
		"confirmation_url": "http://localhost:5173/sign-in?code={{code}}&email={{email}}"}})
	unknown := do(t, req{method: "POST", path: "/v1/auth/email/code", body: map[string]string{"email": nobody}})
	want(t, known, http.StatusAccepted, "")
	want(t, unknown, http.StatusAccepted, "")
	if string(known.Body) != string(unknown.Body) {
		t.Errorf("answers differ: %s vs %s", known.Body, unknown.Body)
	}
	m := waitMail(t, email, func(m sentMail) bool { return strings.Contains(m.Subject, "sign-in code") })
	if !strings.Contains(m.Body.Text, "http://localhost:5173/sign-in?code=") || !strings.Contains(m.Body.Text, "&email="+strings.Replace(email, "@", "%40", 1)) {
		t.Errorf("mail text %q lacks the link", m.Body.Text)
	}
	code := signInCode(t, email, 3)

	// Wrong tries: each a failure of the account; an unknown address answers alike.
	for range 2 {
		want(t, do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{"email": email, "code": "00000000"}}),
			http.StatusBadRequest, "invalid_code")
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{"email": nobody, "code": code}}),
		http.StatusBadRequest, "invalid_code")
	r := do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{"email": strings.ToUpper(email), "code": code}})
	want(t, r, http.StatusOK, "")
	if u := r.JSON(t)["user"].(map[string]any); u["email"] != email || u["email_verified"] != true {
		t.Errorf("signed in as %v, want the account with its address confirmed", u)
	}
	tok := r.JSON(t)["token"].(string)
	if ev := eventsOf(t, tok)[0]; ev["type"] != "login_succeeded" || ev["detail"].(map[string]any)["method"] != "email" {
		t.Errorf("newest event %v, want login_succeeded by email", ev)
	}
	// Spent.
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{"email": email, "code": code}}),
		http.StatusBadRequest, "invalid_code")

	// Five wrong tries kill a code: the right one fails after them.
	code = signInCode(t, email, 4)
	for range 5 {
		want(t, do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{"email": email, "code": "11111111"}}),
			http.StatusBadRequest, "invalid_code")
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{"email": email, "code": code}}),
		http.StatusBadRequest, "invalid_code")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/code/verify", body: map[string]string{}}), http.StatusBadRequest, "validation_failed")
}
