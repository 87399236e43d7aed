package user_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// signInCode asks for a sign-in code for email and returns the code mailed.
func signInCode(t *testing.T, svc *user.Service, st *memstore.Store, email string) string {
	t.Helper()
	if err := svc.SendSignInCode(t.Context(), user.SignInCodeInput{Email: email}); err != nil {
		t.Fatalf("SendSignInCode(%s): %v", email, err)
	}
	m := lastMail(t, st, mail.KindSignInCode, strings.ToLower(strings.TrimSpace(email)))
	if len(m.Code) != 8 || strings.Trim(m.Code, "0123456789") != "" {
		t.Fatalf("mailed code %q, want 8 digits", m.Code)
	}
	return m.Code
}

// wrongCode is eight digits other than code.
func wrongCode(code string) string {
	if code == "12345678" {
		return "87654321"
	}
	return "12345678"
}

func TestSignInCode(t *testing.T) {
	svc, st, c := newServiceOpts(t, user.Options{})
	a := signUp(t, svc, "code@example.com")
	other := mustLogin(t, svc, "code@example.com", goodPassword)

	code := signInCode(t, svc, st, "Code@Example.com")
	m := lastMail(t, st, mail.KindSignInCode, "code@example.com")
	if m.Link != "" || m.Name != "" || !m.ExpiresAt.Equal(c.t.Add(10*time.Minute)) {
		t.Errorf("mail %+v: want the code alone, no name (the address is unconfirmed), valid 10 minutes", m)
	}
	got, err := svc.SignInWithCode(t.Context(), " CODE@example.com", code, user.Client{})
	if err != nil {
		t.Fatalf("SignInWithCode: %v", err)
	}
	if got.User.ID != a.User.ID || !slices.Equal(got.Session.Methods, []string{user.MethodEmail}) || !got.User.EmailVerified {
		t.Errorf("signed in %+v with %v, want the account, amr [email], its address confirmed", got.User, got.Session.Methods)
	}
	if u := storedUser(t, st, a.User.ID); !u.EmailVerified {
		t.Error("the code did not confirm the address")
	}
	principal(t, svc, other.Token) // other sessions stay
	_, err = svc.SignInWithCode(t.Context(), "code@example.com", code, user.Client{})
	checkErr(t, "the code again", err, apperr.InvalidCode)

	// A link is built from an allow-listed confirmation_url.
	if err := svc.SendSignInCode(t.Context(), user.SignInCodeInput{Email: "code@example.com",
		ConfirmationURL: "https://app.example.com/sign-in?code={{code}}&email={{email}}"}); err != nil {
		t.Fatal(err)
	}
	m = lastMail(t, st, mail.KindSignInCode, "code@example.com")
	if m.Link != "https://app.example.com/sign-in?code="+m.Code+"&email=code%40example.com" || m.Name != "" && m.Name != a.User.FullName() {
		t.Errorf("link %q", m.Link)
	}
	err = svc.SendSignInCode(t.Context(), user.SignInCodeInput{Email: "code@example.com", ConfirmationURL: "https://evil.example/{{code}}"})
	checkErr(t, "a foreign confirmation_url", err, apperr.InvalidConfirmationURL)

	// A new code replaces the last one.
	first := m.Code
	second := signInCode(t, svc, st, "code@example.com")
	if first != second {
		_, err = svc.SignInWithCode(t.Context(), "code@example.com", first, user.Client{})
		checkErr(t, "a replaced code", err, apperr.InvalidCode)
	}
	if _, err := svc.SignInWithCode(t.Context(), "code@example.com", second, user.Client{}); err != nil {
		t.Errorf("the newest code after a wrong one: %v", err)
	}

	// Expiry, by the clock.
	code = signInCode(t, svc, st, "code@example.com")
	c.t = c.t.Add(10*time.Minute + time.Second)
	_, err = svc.SignInWithCode(t.Context(), "code@example.com", code, user.Client{})
	checkErr(t, "after ten minutes", err, apperr.InvalidCode)

	_, err = svc.SignInWithCode(t.Context(), "", "", user.Client{})
	checkField(t, "empty", err, "email", apperr.FieldRequired)
	checkField(t, "empty", err, "code", apperr.FieldRequired)
}

func TestSignInCodeTries(t *testing.T) {
	svc, st, c := newServiceOpts(t, user.Options{})
	a := signUp(t, svc, "tries@example.com")
	code := signInCode(t, svc, st, "tries@example.com")
	for i := range 5 {
		_, err := svc.SignInWithCode(t.Context(), "tries@example.com", wrongCode(code), user.Client{IP: "10.9.9.9"})
		checkErr(t, "wrong code", err, apperr.InvalidCode)
		if u := storedUser(t, st, a.User.ID); u.Failures.Count != int64(i+1) {
			t.Errorf("failures after %d wrong codes: %d", i+1, u.Failures.Count)
		}
	}
	_, err := svc.SignInWithCode(t.Context(), "tries@example.com", code, user.Client{})
	checkErr(t, "the right code after five wrong ones", err, apperr.InvalidCode)

	// Wrong codes are failed sign-ins of the account: ten lock it, for codes and passwords.
	c.t = c.t.Add(time.Minute)
	code = signInCode(t, svc, st, "tries@example.com")
	for range 3 { // 5 wrong, the dead one and 3 more: 9 failures in the window
		_, _ = svc.SignInWithCode(t.Context(), "tries@example.com", wrongCode(code), user.Client{})
	}
	if u := storedUser(t, st, a.User.ID); u.Failures.Count != 9 {
		t.Errorf("failures %d, want 9", u.Failures.Count)
	}
	_, err = svc.SignInWithCode(t.Context(), "tries@example.com", code, user.Client{})
	checkErr(t, "right code after 9 failures in the window", err, "")
	// (a right code clears the count, as a right password does)
	code = signInCode(t, svc, st, "tries@example.com")
	failN(t, svc, "tries@example.com", 10, user.Client{})
	_, err = svc.SignInWithCode(t.Context(), "tries@example.com", code, user.Client{})
	checkLocked(t, "right code while locked", err, 15*time.Minute)

	// An address without an account: the same answer, and the same lock.
	for i := range 10 {
		_, err := svc.SignInWithCode(t.Context(), "ghost@example.com", "12345678", user.Client{})
		checkErr(t, "unknown address "+string(rune('0'+i)), err, apperr.InvalidCode)
	}
	_, err = svc.SignInWithCode(t.Context(), "ghost@example.com", "12345678", user.Client{})
	checkLocked(t, "unknown address after ten tries", err, 15*time.Minute)
}

func TestSignInCodeSendsAlike(t *testing.T) {
	svc, st, _ := newServiceOpts(t, user.Options{MailLimitPerHour: 2})
	signUp(t, svc, "known@example.com")
	for _, email := range []string{"known@example.com", "nobody@example.com"} {
		for i := range 3 {
			err := svc.SendSignInCode(t.Context(), user.SignInCodeInput{Email: email})
			want := apperr.Code("")
			if i == 2 {
				want = apperr.RateLimited
			}
			checkErr(t, email, err, want)
		}
	}
	if n := len(mailsOf(st, mail.KindSignInCode, "known@example.com")); n != 2 {
		t.Errorf("%d mails to the account, want 2", n)
	}
	if n := len(mailsOf(st, mail.KindSignInCode, "nobody@example.com")); n != 0 {
		t.Errorf("%d mails to an address without an account", n)
	}
	checkField(t, "no email", svc.SendSignInCode(t.Context(), user.SignInCodeInput{}), "email", apperr.FieldRequired)
	checkField(t, "a phone", svc.SendSignInCode(t.Context(), user.SignInCodeInput{Email: "+14155550100"}), "email", apperr.FieldInvalidEmail)
}

func TestSignInCodeWithMFA(t *testing.T) {
	svc, st, c := newServiceOpts(t, user.Options{})
	a := signUp(t, svc, "code-mfa@example.com")
	secret, _ := enableTOTP(t, svc, c, a.Token)
	code := signInCode(t, svc, st, "code-mfa@example.com")
	_, err := svc.SignInWithCode(t.Context(), "code-mfa@example.com", code, user.Client{})
	e := checkErr(t, "MFA on", err, apperr.MFARequired)
	if e == nil {
		t.FailNow()
	}
	tok, _ := e.Extra["mfa_token"].(string)
	// The code is spent by the first step.
	_, err = svc.SignInWithCode(t.Context(), "code-mfa@example.com", code, user.Client{})
	checkErr(t, "the code again", err, apperr.InvalidCode)
	got, err := svc.CompleteMFA(t.Context(), tok, totpAt(t, secret, c.t), user.Client{})
	if err != nil {
		t.Fatalf("CompleteMFA: %v", err)
	}
	if !slices.Equal(got.Session.Methods, []string{user.MethodEmail, user.MethodOTP}) {
		t.Errorf("amr %v, want [email otp]", got.Session.Methods)
	}
}
