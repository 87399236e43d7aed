package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The hosted pages over HTTP: the redirect, a page with its headers, its files, the QR
// route, and what is refused.
func TestAccountPages(t *testing.T) {
	r := do(t, req{method: "GET", path: "/account?lang=fa"})
	want(t, r, http.StatusFound, "")
	if loc := r.Header.Get("Location"); loc != "account/sign-in?lang=fa" {
		t.Errorf("GET /account: Location %q, want account/sign-in?lang=fa", loc)
	}

	r = do(t, req{method: "GET", path: "/account/security", headers: map[string]string{"Accept-Language": "fa-IR,fa;q=0.9"}})
	want(t, r, http.StatusOK, "")
	page := string(r.Body)
	if !strings.Contains(page, `<html lang="fa" dir="rtl">`) || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /account/security in Persian: %s %.200s", r.Header.Get("Content-Type"), page)
	}
	csp := r.Header.Get("Content-Security-Policy")
	for _, part := range []string{"default-src 'none'", "script-src 'self';", "frame-ancestors 'none'", "img-src 'self' blob: " + stack.S3Endpoint} {
		if !strings.Contains(csp, part) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, part)
		}
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	for _, m := range regexp.MustCompile(`assets/([a-z]+\.(?:js|css))\?v=([0-9a-f]+)`).FindAllStringSubmatch(page, -1) {
		a := do(t, req{method: "GET", path: "/account/assets/" + m[1] + "?v=" + m[2]})
		want(t, a, http.StatusOK, "")
		if cc := a.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" || len(a.Body) == 0 {
			t.Errorf("%s: Cache-Control %q, %d bytes", m[1], cc, len(a.Body))
		}
	}

	want(t, do(t, req{method: "GET", path: "/account/nope"}), http.StatusNotFound, "not_found")
	want(t, do(t, req{method: "GET", path: "/account/assets/nope.js"}), http.StatusNotFound, "not_found")
	want(t, do(t, req{method: "POST", path: "/account/sign-in", body: map[string]string{}, undocumented: true}), http.StatusMethodNotAllowed, "method_not_allowed")

	otpauth := "otpauth://totp/Userbase:a@example.com?algorithm=SHA1&digits=6&issuer=Userbase&period=30&secret=HQWU6DJTGTWWPYURT44VVFB5HXRBZM4X"
	r = do(t, req{method: "POST", path: "/account/qr", body: map[string]string{"otpauth_url": otpauth}})
	want(t, r, http.StatusOK, "")
	if !strings.HasPrefix(string(r.Body), "<svg ") || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("POST /account/qr: %s %.60s", r.Header.Get("Content-Type"), r.Body)
	}
	want(t, do(t, req{method: "POST", path: "/account/qr", body: map[string]string{"otpauth_url": "https://example.com"}}), http.StatusBadRequest, "validation_failed")
	want(t, do(t, req{method: "POST", path: "/account/qr", body: "x", headers: map[string]string{"Content-Type": "text/plain"}}), http.StatusUnsupportedMediaType, "unsupported_media_type")
	want(t, do(t, req{method: "POST", path: "/account/qr", body: `{"otpauth_url":"` + strings.Repeat("a", 17000) + `"}`}), http.StatusRequestEntityTooLarge, "payload_too_large")
}

// With no default URL configured, mails link to the stack's own pages, and opening such a
// link (as a mail scanner does) leaves its code valid: only the page's button uses it.
func TestMailedLinksToThePages(t *testing.T) {
	email := newEmail("pages")
	r := do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": email, "password": password}})
	want(t, r, http.StatusCreated, "")
	code := pageCode(t, waitMail(t, strings.ToLower(email), nil), "verify")
	want(t, do(t, req{method: "GET", path: "/account/verify?code=" + url.QueryEscape(code)}), http.StatusOK, "")
	r = do(t, req{method: "POST", path: "/v1/auth/email/confirm", body: map[string]string{"code": code}})
	want(t, r, http.StatusOK, "")
	var confirmed struct {
		User struct {
			EmailVerified bool `json:"email_verified"`
		} `json:"user"`
	}
	if err := json.Unmarshal(r.Body, &confirmed); err != nil || !confirmed.User.EmailVerified {
		t.Errorf("confirm after the page was opened: %s", r.Body)
	}

	want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email}}), http.StatusAccepted, "")
	reset := pageCode(t, waitMail(t, strings.ToLower(email), func(m sentMail) bool { return strings.Contains(m.Body.Text, "/account/reset?") }), "reset")
	want(t, do(t, req{method: "GET", path: "/account/reset?code=" + url.QueryEscape(reset)}), http.StatusOK, "")
	want(t, do(t, req{method: "POST", path: "/v1/auth/password/reset", body: map[string]string{"code": reset, "new_password": password + "-new"}}), http.StatusNoContent, "")
}
