package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/store"
)

const confirmURL = "http://localhost:5173/confirm?code={{code}}"

func login(t *testing.T, email, pw string) *resp {
	t.Helper()
	return do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": email, "password": pw}})
}

func token(t *testing.T, r *resp) string {
	t.Helper()
	want(t, r, http.StatusOK, "")
	return r.JSON(t)["token"].(string)
}

// reauth opens tok's re-authentication window with the password (and code, when MFA is on).
func reauth(t *testing.T, tok, pw, code string) {
	t.Helper()
	body := map[string]string{"password": pw}
	if code != "" {
		body["code"] = code
	}
	r := do(t, req{method: "POST", path: "/v1/auth/reauthenticate", token: tok, body: body})
	want(t, r, http.StatusOK, "")
	if until, err := time.Parse(time.RFC3339, strOf(r.JSON(t)["reauthenticated_until"])); err != nil || time.Until(until) < 4*time.Minute {
		t.Errorf("reauthenticated_until %s, want about 5 minutes from now", r.Body)
	}
}

// mailCode waits for a mail to address whose subject contains subj and returns its code.
func mailCode(t *testing.T, address, subj string) string {
	t.Helper()
	m := waitMail(t, address, func(m sentMail) bool { return strings.Contains(m.Subject, subj) })
	c, err := url.QueryUnescape(linkCode(t, m))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// confirmEmail confirms email with the code of its verification mail (a hosted-page link):
// security notices go only to a confirmed address.
func confirmEmail(t *testing.T, email string) {
	t.Helper()
	code := pageCode(t, waitMail(t, email, func(m sentMail) bool { return strings.Contains(m.Subject, "Confirm") }), "verify")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/confirm", body: map[string]string{"code": code}}), http.StatusOK, "")
}

func TestForgotAndResetPassword(t *testing.T) {
	email := newEmail("reset")
	phone := fmt.Sprintf("+4420%08d", rand.IntN(1e8))
	old, _ := signUp(t, email, map[string]any{"phone": phone})

	// Known and unknown addresses get the same answer.
	known := do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email, "confirmation_url": confirmURL}})
	unknown := do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": newEmail("nobody"), "confirmation_url": confirmURL}})
	want(t, known, http.StatusAccepted, "")
	want(t, unknown, http.StatusAccepted, "")
	if string(known.Body) != string(unknown.Body) {
		t.Errorf("forgot answers differ: %s vs %s", known.Body, unknown.Body)
	}
	code := mailCode(t, email, "Reset")

	// Two parallel uses of the code: exactly one succeeds.
	newPassword := "a-brand-new-passphrase"
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = do(t, req{method: "POST", path: "/v1/auth/password/reset", body: map[string]string{"code": code, "new_password": newPassword}}).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 204 && statuses[1] == 400 || statuses[0] == 400 && statuses[1] == 204) {
		t.Fatalf("parallel resets answered %v, want one 204 and one 400", statuses)
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/password/reset", body: map[string]string{"code": code, "new_password": newPassword}}), 400, "invalid_code")
	// Every session ended; the new password signs in, the old does not.
	want(t, do(t, req{method: "GET", path: "/v1/me", token: old}), 401, "unauthenticated")
	want(t, login(t, email, password), 401, "invalid_credentials")
	token(t, login(t, email, newPassword))

	// A phone login finds the account's email.
	want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": phone}}), http.StatusAccepted, "")
	m := waitMail(t, email, func(m sentMail) bool {
		return strings.Contains(m.Subject, "Reset") && !strings.Contains(m.Body.Text, "localhost:5173")
	})
	if !strings.Contains(m.Body.Text, ".") {
		t.Errorf("reset mail without a link has no code: %q", m.Body.Text)
	}

	for _, tt := range []struct {
		name string
		body any
		code string
	}{
		{"malformed code", map[string]string{"code": "nope", "new_password": newPassword}, "invalid_code"},
		{"weak password", map[string]string{"code": code, "new_password": "short"}, "validation_failed"},
		{"missing fields", map[string]string{}, "validation_failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want(t, do(t, req{method: "POST", path: "/v1/auth/password/reset", body: tt.body}), 400, tt.code)
		})
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": "not an address"}}), 400, "validation_failed")
	want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email, "confirmation_url": "https://evil.example/{{code}}"}}), 400, "invalid_confirmation_url")
}

func TestForgotIsRateLimitedPerAddress(t *testing.T) {
	for _, email := range []string{newEmail("limit"), newEmail("limit-unknown")} {
		if strings.Contains(email, "limit-") {
			_ = email // an unknown address: limited the same way
		} else {
			signUp(t, email, nil)
		}
		for range 5 {
			want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email}}), http.StatusAccepted, "")
		}
		r := do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email}})
		want(t, r, http.StatusTooManyRequests, "rate_limited")
		if r.Header.Get("Retry-After") == "" || !strings.Contains(r.JSON(t)["detail"].(string), "available again in") {
			t.Errorf("429 without Retry-After or detail: %v %s", r.Header, r.Body)
		}
	}
}

func TestEmailVerification(t *testing.T) {
	email := newEmail("verify")
	tok, _ := signUp(t, email, map[string]any{"confirmation_url": confirmURL})
	first := mailCode(t, email, "Confirm")
	// The sender as SES gets it: the app's name once, then the configured address (the
	// IAM policy allows only MAIL_FROM, bare or after a display name).
	if m := waitMail(t, email, func(sentMail) bool { return true }); m.From != `"Userbase" <no-reply@example.com>` && m.From != "Userbase <no-reply@example.com>" {
		t.Errorf("mail sent from %q, want Userbase <no-reply@example.com>", m.From)
	}

	// Resend: a second mail with another code.
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/verification", token: tok, body: map[string]string{"confirmation_url": confirmURL}}), http.StatusAccepted, "")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/verification", token: tok}), http.StatusAccepted, "")

	r := do(t, req{method: "POST", path: "/v1/auth/email/confirm", body: map[string]string{"code": first}})
	want(t, r, http.StatusOK, "")
	if u := r.JSON(t)["user"].(map[string]any); u["email_verified"] != true {
		t.Errorf("confirm answered %s, want email_verified true", r.Body)
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/confirm", body: map[string]string{"code": first}}), 400, "invalid_code")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/confirm", body: map[string]string{"code": "x"}}), 400, "invalid_code")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/verification"}), 401, "unauthenticated")
	if me := do(t, req{method: "GET", path: "/v1/me", token: tok}).JSON(t); me["email_verified"] != true {
		t.Errorf("GET /v1/me after confirm: email_verified %v", me["email_verified"])
	}
}

func TestChangePassword(t *testing.T) {
	email := newEmail("change")
	a, _ := signUp(t, email, nil)
	confirmEmail(t, email)
	b := token(t, login(t, email, password))
	for _, tt := range []struct {
		name, field, code string
		body              map[string]string
	}{
		{"wrong current", "current_password", "invalid_password", map[string]string{"current_password": "wrong-one-123", "new_password": "another-good-pass", "confirm_password": "another-good-pass"}},
		{"mismatch", "confirm_password", "mismatch", map[string]string{"current_password": password, "new_password": "another-good-pass", "confirm_password": "another-good-pasS"}},
		{"breached", "new_password", "password_breached", map[string]string{"current_password": password, "new_password": "password123", "confirm_password": "password123"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, req{method: "PUT", path: "/v1/me/password", token: a, body: tt.body})
			want(t, r, 400, "validation_failed")
			if !strings.Contains(string(r.Body), `"field":"`+tt.field+`","code":"`+tt.code+`"`) {
				t.Errorf("got %s, want field %s code %s", r.Body, tt.field, tt.code)
			}
		})
	}
	want(t, do(t, req{method: "PUT", path: "/v1/me/password", token: a, body: map[string]string{"current_password": password, "new_password": "another-good-pass", "confirm_password": "another-good-pass"}}), 204, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: a}), 200, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: b}), 401, "unauthenticated")
	token(t, login(t, email, "another-good-pass"))
	waitMail(t, email, func(m sentMail) bool { return strings.Contains(strings.ToLower(m.Subject), "password") })
}

func TestSessions(t *testing.T) {
	email := newEmail("sessions")
	a, _ := signUp(t, email, nil)
	b := token(t, login(t, email, password))
	r := do(t, req{method: "GET", path: "/v1/me/sessions", token: a})
	want(t, r, 200, "")
	items := r.JSON(t)["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("got %d sessions, want 2: %s", len(items), r.Body)
	}
	var other string
	for _, it := range items {
		s := it.(map[string]any)
		if s["current"] == false {
			other = s["id"].(string)
		}
		if s["ip"] == "" || s["user_agent"] == "" {
			t.Errorf("session without ip or user agent: %v", s)
		}
	}
	want(t, do(t, req{method: "DELETE", path: "/v1/me/sessions/" + other, token: a}), 204, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: b}), 401, "unauthenticated")
	want(t, do(t, req{method: "DELETE", path: "/v1/me/sessions/" + other, token: a}), 204, "")
	want(t, do(t, req{method: "DELETE", path: "/v1/me/sessions/garbage", token: a}), 204, "")
	if r := do(t, req{method: "GET", path: "/v1/me/sessions?per_page=500", token: a}); r.JSON(t)["meta"].(map[string]any)["per_page"] != float64(100) {
		t.Errorf("per_page 500 not capped at 100: %s", r.Body)
	}
	want(t, do(t, req{method: "GET", path: "/v1/me/sessions?page=0", token: a}), 400, "validation_failed")
	want(t, do(t, req{method: "GET", path: "/v1/me/sessions", token: b}), 401, "unauthenticated")
}

func TestDeleteMe(t *testing.T) {
	email := newEmail("delete")
	tok, id := signUp(t, email, nil)
	want(t, putAvatar(t, tok, formPart{"image", "me.png", "image/png", pngBytes(t, 8, 8)}), 200, "")
	r := do(t, req{method: "DELETE", path: "/v1/me", token: tok, body: map[string]string{"password": "wrong-password-1"}})
	want(t, r, 400, "validation_failed")
	want(t, do(t, req{method: "DELETE", path: "/v1/me", token: tok, body: map[string]string{"password": password}}), 204, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: tok}), 401, "unauthenticated")
	want(t, login(t, email, password), 401, "invalid_credentials")
	// me-delete is wired with the avatar store: the images go with the account.
	if objs := avatarObjects(t, id); len(objs) != 0 {
		t.Errorf("avatar objects left after DELETE /v1/me: %v", objs)
	}
	signUp(t, email, nil) // the address is free at once
}

func TestMFA(t *testing.T) {
	email := newEmail("mfa")
	tok, _ := signUp(t, email, nil)
	confirmEmail(t, email)
	want(t, do(t, req{method: "POST", path: "/v1/me/mfa/totp", token: tok}), 403, "reauthentication_required")
	reauth(t, tok, password, "")
	r := do(t, req{method: "POST", path: "/v1/me/mfa/totp", token: tok})
	want(t, r, 200, "")
	secret := r.JSON(t)["secret"].(string)
	if u := r.JSON(t)["otpauth_url"].(string); !strings.HasPrefix(u, "otpauth://totp/") {
		t.Errorf("otpauth_url %q", u)
	}
	want(t, do(t, req{method: "POST", path: "/v1/me/mfa/totp/confirm", token: tok, body: map[string]string{"code": "000000"}}), 400, "invalid_code")
	now, _ := auth.TOTPCode(secret, time.Now())
	r = do(t, req{method: "POST", path: "/v1/me/mfa/totp/confirm", token: tok, body: map[string]string{"code": now}})
	want(t, r, 200, "")
	recovery := r.JSON(t)["recovery_codes"].([]any)
	if len(recovery) != 10 {
		t.Fatalf("got %d recovery codes, want 10", len(recovery))
	}

	// A correct password now answers mfa_required with a token, and no session.
	r = login(t, email, password)
	want(t, r, 401, "mfa_required")
	mfaToken := r.JSON(t)["mfa_token"].(string)
	// The confirming code's step is spent; the next step's code is accepted once.
	next, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	want(t, do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": mfaToken, "code": "123"}}), 400, "invalid_code")
	r = do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": mfaToken, "code": next}})
	want(t, r, 200, "")
	if r.JSON(t)["user"].(map[string]any)["mfa_enabled"] != true {
		t.Errorf("user after MFA login: %s", r.Body)
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": mfaToken, "code": next}}), 401, "invalid_credentials")
	second := login(t, email, password).JSON(t)["mfa_token"].(string)
	want(t, do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": second, "code": next}}), 400, "invalid_code") // replay
	want(t, do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": second, "code": recovery[0].(string)}}), 200, "")
	third := login(t, email, password).JSON(t)["mfa_token"].(string)
	want(t, do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": third, "code": recovery[0].(string)}}), 400, "invalid_code")

	want(t, do(t, req{method: "DELETE", path: "/v1/me/mfa/totp", token: tok, body: map[string]string{"password": "wrong-password", "code": recovery[1].(string)}}), 400, "validation_failed")
	want(t, do(t, req{method: "DELETE", path: "/v1/me/mfa/totp", token: tok, body: map[string]string{"password": password, "code": "999999"}}), 400, "invalid_code")
	want(t, do(t, req{method: "DELETE", path: "/v1/me/mfa/totp", token: tok, body: map[string]string{"password": password, "code": recovery[1].(string)}}), 204, "")
	token(t, login(t, email, password))
	waitMail(t, email, func(m sentMail) bool {
		return strings.Contains(m.Subject, "turned off") || strings.Contains(strings.ToLower(m.Subject), "two-step")
	})
}

func TestLoginLockUnderABurst(t *testing.T) {
	email := newEmail("burst")
	signUp(t, email, nil)
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := login(t, email, "wrong-password-x")
			if r.Status != 401 && r.Status != 429 {
				t.Errorf("a wrong password answered %d %s", r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	// The right password does not get past the lock.
	r := login(t, email, password)
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	if d := r.JSON(t)["detail"].(string); !strings.Contains(d, "minutes") {
		t.Errorf("detail %q does not say when", d)
	}
	r = do(t, req{method: "POST", path: "/v1/auth/login", headers: map[string]string{"Accept-Language": "ru"}, body: map[string]string{"login": email, "password": password}})
	if d := r.JSON(t)["detail"].(string); !strings.Contains(d, "минут") {
		t.Errorf("Russian detail %q", d)
	}
}

func TestAdminLogin(t *testing.T) {
	member := newEmail("member")
	signUp(t, member, nil)
	want(t, do(t, req{method: "POST", path: "/v1/auth/admin/login", body: map[string]string{"login": member, "password": password}}), 401, "invalid_credentials")
	admin := newEmail("admin")
	svc := app.Service(config.Defaults(stack.TableName), store.New(stack.DynamoDB(), stack.TableName), time.Now)
	if _, err := svc.EnsureAdmin(context.Background(), admin, password); err != nil {
		t.Fatal(err)
	}
	r := do(t, req{method: "POST", path: "/v1/auth/admin/login", body: map[string]string{"login": admin, "password": password}})
	want(t, r, 200, "")
	if r.JSON(t)["user"].(map[string]any)["role"] != "admin" {
		t.Errorf("admin login: %s", r.Body)
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/admin/login", body: map[string]string{"login": admin, "password": "wrong-password-9"}}), 401, "invalid_credentials")
}

func TestEvents(t *testing.T) {
	email := newEmail("events")
	tok, _ := signUp(t, email, nil)
	login(t, email, "wrong-password-7")
	token(t, login(t, email, password))
	// account_created is written from the table's stream, the others with their requests;
	// it sorts first all the same: its id is the account's.
	waitEvent(t, tok, "account_created")
	r := do(t, req{method: "GET", path: "/v1/me/events", token: tok, headers: map[string]string{"User-Agent": "e2e-agent"}})
	want(t, r, 200, "")
	var types []string
	for _, it := range r.JSON(t)["items"].([]any) {
		types = append(types, it.(map[string]any)["type"].(string))
	}
	if got := strings.Join(types, ","); got != "login_succeeded,login_failed,account_created" {
		t.Errorf("events %s, want login_succeeded,login_failed,account_created", got)
	}
	if r := do(t, req{method: "GET", path: "/v1/me/events?per_page=1&page=2", token: tok}); len(r.JSON(t)["items"].([]any)) != 1 || r.JSON(t)["meta"].(map[string]any)["page_count"] != float64(3) {
		t.Errorf("paged events: %s", r.Body)
	}
}

// Mail survives SES being unreachable for a while: the mailer fails, the stream retries,
// and the mail arrives once SES is back.
func TestMailSurvivesAnSESOutage(t *testing.T) {
	if err := stack.SetSESReachable(false); err != nil {
		t.Fatal(err)
	}
	restored := false
	defer func() {
		if !restored {
			_ = stack.SetSESReachable(true)
		}
	}()
	before := strings.Count(logs.String(), `"msg":"mail `)
	_ = before
	email := newEmail("outage")
	signUp(t, email, nil)
	// Wait until the mailer has tried and failed at least once.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "send:") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polling the logs for the failure, not a race
	}
	if !strings.Contains(logs.String(), "send:") {
		t.Fatal("the mailer never failed while SES was unreachable")
	}
	if err := stack.SetSESReachable(true); err != nil {
		t.Fatal(err)
	}
	restored = true
	waitMail(t, email, nil)
}
