package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// The defences against account takeover, over HTTP: what a stolen session token can no
// longer do, the revert link of an email change, the lock that tells nothing, mail limits.

func TestStolenTokenCannotTakeTheAccountOver(t *testing.T) {
	email := newEmail("victim")
	signUp(t, email, nil)
	stolen := token(t, login(t, email, password))
	attacker := newEmail("attacker")

	// Every step of the old takeover (change the email, confirm it, reset the password) now
	// stops at the first: a sign-in does not open the re-authentication window.
	want(t, patchMe(t, stolen, map[string]any{"email": attacker}), http.StatusForbidden, "reauthentication_required")
	want(t, patchMe(t, stolen, map[string]any{"phone": "+14155550100"}), http.StatusForbidden, "reauthentication_required")
	want(t, do(t, req{method: "PUT", path: "/v1/me/password", token: stolen,
		body: map[string]string{"new_password": "attacker-owns-" + password, "confirm_password": "attacker-owns-" + password}}),
		http.StatusForbidden, "reauthentication_required")
	want(t, do(t, req{method: "POST", path: "/v1/me/mfa/totp", token: stolen}), http.StatusForbidden, "reauthentication_required")
	want(t, do(t, req{method: "DELETE", path: "/v1/me", token: stolen}), http.StatusForbidden, "reauthentication_required")
	// Guessing the password to open the window counts toward the sign-in lock.
	for range 3 {
		want(t, do(t, req{method: "POST", path: "/v1/auth/reauthenticate", token: stolen, body: map[string]string{"password": "guess-" + password}}),
			http.StatusBadRequest, "validation_failed")
	}
	want(t, patchMe(t, stolen, map[string]any{"email": attacker, "current_password": "guess-" + password}), http.StatusBadRequest, "validation_failed")
	r := do(t, req{method: "GET", path: "/v1/me/events", token: stolen})
	want(t, r, http.StatusOK, "")
	failed := 0
	for _, it := range r.JSON(t)["items"].([]any) {
		if it.(map[string]any)["type"] == "login_failed" {
			failed++
		}
	}
	if failed != 4 {
		t.Errorf("%d login_failed events after four wrong proofs, want 4", failed)
	}
	if me := getMe(t, stolen); me["pending_email"] != nil || me["email"] != email {
		t.Errorf("the account changed: %v", me)
	}

	// The owner, who knows the password, re-authenticates and may.
	reauth(t, stolen, password, "")
	want(t, patchMe(t, stolen, map[string]any{"email": newEmail("owner-next")}), http.StatusOK, "")
}

func TestEmailChangeRevertLink(t *testing.T) {
	old := newEmail("revert")
	signUp(t, old, nil)
	changer := token(t, login(t, old, password))
	bystander := token(t, login(t, old, password))
	next := newEmail("taken-over")
	want(t, patchMe(t, changer, map[string]any{"email": next, "current_password": password}), http.StatusOK, "")
	m := waitMail(t, next, func(m sentMail) bool { return strings.Contains(m.Subject, "new email") })
	code := pageCode(t, m, "verify")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/confirm", token: changer, body: map[string]string{"code": code}}), http.StatusOK, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: bystander}), http.StatusUnauthorized, "unauthenticated")
	// The old address is reserved: nobody can sign up with it while the change can be undone.
	want(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": old, "password": password}}), http.StatusConflict, "email_taken")

	notice := waitMail(t, old, func(m sentMail) bool { return strings.Contains(m.Subject, "was changed") })
	revert := pageCode(t, notice, "revert")
	if !strings.Contains(notice.Body.Text, "7 days") {
		t.Fatalf("the notice to the old address does not say how long the link works: %q", notice.Body.Text)
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/revert", body: map[string]string{"code": "nonsense"}}), http.StatusBadRequest, "invalid_code")
	r := do(t, req{method: "POST", path: "/v1/auth/email/revert", body: map[string]string{"code": revert}})
	want(t, r, http.StatusOK, "")
	if u := r.JSON(t)["user"].(map[string]any); u["email"] != old || u["pending_email"] != nil || u["email_verified"] != true {
		t.Errorf("revert answered %s, want the old address back", r.Body)
	}
	want(t, do(t, req{method: "GET", path: "/v1/me", token: changer}), http.StatusUnauthorized, "unauthenticated")
	want(t, login(t, next, password), http.StatusUnauthorized, "invalid_credentials")
	fresh := token(t, login(t, old, password))
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/revert", body: map[string]string{"code": revert}}), http.StatusBadRequest, "invalid_code")
	r = do(t, req{method: "GET", path: "/v1/me/events", token: fresh})
	if !strings.Contains(string(r.Body), `"email_change_reverted"`) {
		t.Errorf("no email_change_reverted event in %s", r.Body)
	}
}

func TestUnknownLoginLocksLikeARealOne(t *testing.T) {
	real := newEmail("real")
	signUp(t, real, nil)
	for _, login := range []string{real, newEmail("ghost")} {
		for i := range 10 {
			r := do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": login, "password": "wrong-" + password}})
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("%s failure %d: %d %s", login, i+1, r.Status, r.Body)
			}
		}
		r := do(t, req{method: "POST", path: "/v1/auth/login", body: map[string]string{"login": login, "password": password}})
		want(t, r, http.StatusTooManyRequests, "rate_limited")
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", login)
		}
	}
}

func TestEmailChangesToOneAddressAreLimited(t *testing.T) {
	target := newEmail("popular")
	for i := range 6 {
		tok, _ := signUp(t, newEmail("suitor"), nil)
		r := patchMe(t, tok, map[string]any{"email": target, "current_password": password})
		if i < 5 {
			want(t, r, http.StatusOK, "")
			continue
		}
		want(t, r, http.StatusTooManyRequests, "rate_limited")
		if me := getMe(t, tok); me["pending_email"] != nil {
			t.Errorf("the limited change was applied: %v", me["pending_email"])
		}
	}
	// The refused change wrote no outbox item (its transaction failed whole), so no mail
	// can follow: once the five have come, there are five.
	waitMails(t, target, 5)
	if n := mailsTo(t, target); n != 5 {
		t.Errorf("%d mails to %s, want 5", n, target)
	}
}
