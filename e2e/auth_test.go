package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const password = "correct-horse-battery-staple"

// newEmail is an address no other test uses.
func newEmail(prefix string) string {
	return fmt.Sprintf("%s-%08x@example.com", prefix, rand.Uint32())
}

// signUp registers an account and returns its token and id.
func signUp(t *testing.T, email string, extra map[string]any) (token, id string) {
	t.Helper()
	body := map[string]any{"email": email, "password": password}
	for k, v := range extra {
		body[k] = v
	}
	r := do(t, req{method: "POST", path: "/v1/auth/register", body: body})
	want(t, r, http.StatusCreated, "")
	m := r.JSON(t)
	return m["token"].(string), m["user"].(map[string]any)["id"].(string)
}

func TestRegisterLoginMeLogout(t *testing.T) {
	email := newEmail("Walk")
	tok, id := signUp(t, email, map[string]any{"first_name": "Mostafa", "last_name": "Azizi", "phone": "+98 933 555 " + fmt.Sprint(1000+rand.IntN(8999))})

	r := do(t, req{method: "GET", path: "/v1/me", token: tok})
	want(t, r, http.StatusOK, "")
	me := r.JSON(t)
	if me["id"] != id || me["email"] != strings.ToLower(email) || me["email_verified"] != false || me["first_name"] != "Mostafa" || !strings.HasPrefix(me["phone"].(string), "+98933555") {
		t.Errorf("GET /v1/me = %s", r.Body)
	}

	// The verification mail went out through the outbox, the stream and the mailer.
	m := waitMail(t, strings.ToLower(email), nil)
	if m.Body.Text == "" || m.Body.HTML == "" || !strings.Contains(m.Subject, "Confirm") {
		t.Errorf("verification mail %+v: want a subject and text and HTML parts", m)
	}

	r = do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": strings.ToUpper(email), "password": password}})
	want(t, r, http.StatusOK, "")
	tok2 := r.JSON(t)["token"].(string)

	r = do(t, req{method: "GET", path: "/v1/auth/session", token: tok2})
	want(t, r, http.StatusOK, "")
	if s := r.JSON(t); s["logged_in"] != true || s["user_id"] != id || s["role"] != "member" {
		t.Errorf("GET /v1/auth/session = %s", r.Body)
	}

	want(t, do(t, req{method: "POST", path: "/v1/auth/logout", token: tok2}), http.StatusNoContent, "")
	// Revocation is visible on the very next request.
	want(t, do(t, req{method: "GET", path: "/v1/me", token: tok2}), http.StatusUnauthorized, "unauthenticated")
	want(t, do(t, req{method: "GET", path: "/v1/auth/session", token: tok2}), http.StatusUnauthorized, "unauthenticated")
	// The other session lives on.
	want(t, do(t, req{method: "GET", path: "/v1/me", token: tok}), http.StatusOK, "")
}

func TestLogoutAll(t *testing.T) {
	email := newEmail("all")
	a, _ := signUp(t, email, nil)
	r := do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": email, "password": password}})
	want(t, r, http.StatusOK, "")
	b := r.JSON(t)["token"].(string)
	want(t, do(t, req{method: "POST", path: "/v1/auth/logout?all=true", token: b}), http.StatusNoContent, "")
	for _, tok := range []string{a, b} {
		want(t, do(t, req{method: "GET", path: "/v1/me", token: tok}), http.StatusUnauthorized, "unauthenticated")
	}
	// A new login works.
	want(t, do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": email, "password": password}}), http.StatusOK, "")
}

func TestConcurrentRegistrationsOfOneAddress(t *testing.T) {
	email := newEmail("race")
	const n = 6
	statuses := make([]int, n)
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			variant := email
			if i%2 == 1 {
				variant = strings.ToUpper(email)
			}
			r := do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": variant, "password": password}})
			statuses[i], codes[i] = r.Status, r.Code()
		}()
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			created++
		case s == http.StatusConflict && codes[i] == "email_taken":
		default:
			t.Errorf("registration %d: %d %s, want 201 or 409 email_taken", i, s, codes[i])
		}
	}
	if created != 1 {
		t.Errorf("%d registrations succeeded, want exactly 1", created)
	}
}

func TestBadInput(t *testing.T) {
	taken := newEmail("taken")
	tok, _ := signUp(t, taken, nil)
	revoked, _ := signUp(t, newEmail("revoked"), nil)
	want(t, do(t, req{method: "POST", path: "/v1/auth/logout", token: revoked}), http.StatusNoContent, "")

	tests := []struct {
		name   string
		r      req
		status int
		code   string
	}{
		{"malformed json", req{method: "POST", path: "/v1/auth/register", body: `{"email": "a@example.com",`}, 400, "malformed_json"},
		// The gateway hands the function bytes that are not UTF-8 mended into U+FFFD, as API
		// Gateway does: the function must still see that the body was not UTF-8.
		{"a body not in UTF-8", req{method: "POST", path: "/v1/auth/register", body: "{\"email\":\"" + newEmail("u") + "\",\"password\":\"" + password + "\",\"first_name\":\"A\xffB\"}"}, 400, "malformed_json"},
		{"unknown field", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": newEmail("u"), "password": password, "admin": true}}, 400, "unknown_field"},
		{"read-only field", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": newEmail("u"), "password": password, "role": "admin"}}, 400, "read_only"},
		{"oversized body", req{method: "POST", path: "/v1/auth/register", body: `{"email":"` + strings.Repeat("x", 20000) + `"}`}, 413, "payload_too_large"},
		{"wrong content type", req{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Content-Type": "text/plain"}, body: `{}`}, 415, "unsupported_media_type"},
		{"duplicate email in another case", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": strings.ToUpper(taken), "password": password}}, 409, "email_taken"},
		{"weak password", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": newEmail("w"), "password": "short"}}, 400, "validation_failed"},
		{"common password", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": newEmail("w"), "password": "iloveyou123"}}, 400, "validation_failed"},
		{"invalid email", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "not-an-email", "password": password}}, 400, "validation_failed"},
		{"confirmation url not allowed", req{method: "POST", path: "/v1/auth/register", body: map[string]any{"email": newEmail("c"), "password": password, "confirmation_url": "https://evil.example/c?code={{code}}"}}, 400, "invalid_confirmation_url"},
		{"login wrong password", req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": taken, "password": "wrong-password-42"}}, 401, "invalid_credentials"},
		{"login unknown account", req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": newEmail("ghost"), "password": password}}, 401, "invalid_credentials"},
		{"login missing fields", req{method: "POST", path: "/v1/auth/login", body: `{}`}, 400, "validation_failed"},
		{"me without token", req{method: "GET", path: "/v1/me"}, 401, "unauthenticated"},
		{"me with unknown token", req{method: "GET", path: "/v1/me", token: "nonsense"}, 401, "unauthenticated"},
		{"me with a forged token", req{method: "GET", path: "/v1/me", token: tok[:len(tok)-4] + "AAAA"}, 401, "unauthenticated"},
		{"me with a revoked token", req{method: "GET", path: "/v1/me", token: revoked}, 401, "unauthenticated"},
		{"session without token", req{method: "GET", path: "/v1/auth/session"}, 401, "unauthenticated"},
		{"logout with a revoked token", req{method: "POST", path: "/v1/auth/logout", token: revoked}, 401, "unauthenticated"},
		{"logout without token", req{method: "POST", path: "/v1/auth/logout"}, 401, "unauthenticated"},
		{"unknown route", req{method: "GET", path: "/v1/nothing-here", undocumented: true}, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.r)
			want(t, r, tt.status, tt.code)
			if r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", r.Header.Get("Content-Type"))
			}
			if tt.status == 401 && r.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
		})
	}
}

func TestLocalizedMailAndErrors(t *testing.T) {
	fa := newEmail("fa")
	r := do(t, req{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Accept-Language": "fa-IR, en;q=0.5"},
		body: map[string]any{"email": fa, "password": password, "confirmation_url": "http://localhost:5173/confirm?code={{code}}"}})
	want(t, r, http.StatusCreated, "")
	m := waitMail(t, fa, nil)
	if !strings.Contains(m.Body.HTML, `dir="rtl"`) || !strings.Contains(m.Subject, "تأیید") {
		t.Errorf("Persian mail: subject %q, html %q", m.Subject, m.Body.HTML)
	}
	if !strings.Contains(m.Body.Text, "http://localhost:5173/confirm?code=") || len(linkCode(t, m)) < 22 {
		t.Errorf("mail text %q lacks the confirmation link with a long code", m.Body.Text)
	}

	ru := newEmail("ru")
	signUp(t, ru, map[string]any{"language": "ru"})
	if m := waitMail(t, ru, nil); !strings.Contains(m.Subject, "Подтвердите") {
		t.Errorf("Russian mail subject %q", m.Subject)
	}

	r = do(t, req{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Accept-Language": "ru"}, body: map[string]any{"email": "x", "password": password}})
	want(t, r, http.StatusBadRequest, "validation_failed")
	if p := r.JSON(t); p["title"] != "Ошибка проверки данных" {
		t.Errorf("Russian problem title %q", p["title"])
	}
}

// Nothing any function logged holds a password or a token.
func TestNoSecretsInLogs(t *testing.T) {
	email := newEmail("secret")
	tok, _ := signUp(t, email, nil)
	do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": email, "password": "wrong-" + password}})
	do(t, req{method: "GET", path: "/v1/me", token: tok})
	l := logs.String()
	for _, secret := range []string{password, tok, tok[strings.LastIndex(tok, ".")+1:], "$argon2id$"} {
		if strings.Contains(l, secret) {
			t.Errorf("the logs hold a secret (%.12s…)", secret)
		}
	}
}
