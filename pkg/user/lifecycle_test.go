package user_test

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// The account lifecycle after sign-up: password reset, email confirmation and change,
// password change, sessions, login throttling, TOTP, admin sign-in, deletion and the
// security log, all against the memory store and a clock the tests move.

const newPassword = "purple-monkey-dishwasher-7"

// newServiceOpts is newService with other options: the same store, clock and allow-list.
func newServiceOpts(t *testing.T, o user.Options) (*user.Service, *memstore.Store, *clock) {
	t.Helper()
	st := memstore.New()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	if o.SessionTTL == 0 {
		o.SessionTTL = time.Hour
	}
	if o.Secrets == nil {
		o.Secrets = newTestSecrets()
	}
	if o.AllowConfirmationURL == nil {
		o.AllowConfirmationURL = func(u *url.URL) bool { return u.Host == "app.example.com" || u.Hostname() == "localhost" }
	}
	return user.NewService(st, fastHasher, c.now, o), st, c
}

// signUp registers email from a source address of its own, so that newService's limit of
// three registrations an hour per address never gets in the way.
func signUp(t *testing.T, svc *user.Service, email string) *user.Auth {
	t.Helper()
	a, err := svc.Register(t.Context(), user.Registration{Email: email, Password: goodPassword,
		Client: user.Client{IP: "signup/" + email}})
	if err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return a
}

func mustLogin(t *testing.T, svc *user.Service, login, password string) *user.Auth {
	t.Helper()
	a, err := svc.Login(t.Context(), user.LoginInput{Login: login, Password: password})
	if err != nil {
		t.Fatalf("Login(%s): got %v, want a session", login, err)
	}
	return a
}

func principal(t *testing.T, svc *user.Service, token string) *user.Principal {
	t.Helper()
	p, err := svc.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatalf("Authenticate: got %v, want a principal", err)
	}
	return p
}

// checkErr reports unless err carries the problem code want ("" for no error). It returns
// the problem, nil when there is none.
func checkErr(t *testing.T, what string, err error, want apperr.Code) *apperr.Error {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: got %v, want no error", what, err)
		}
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != want {
		t.Errorf("%s: got %v, want %s", what, err, want)
		return nil
	}
	return e
}

// checkField reports unless err is validation_failed with code on field.
func checkField(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	if checkErr(t, what, err, apperr.ValidationFailed) == nil {
		return
	}
	if got := fieldCodes(err)[field]; got != code {
		t.Errorf("%s: field %s got %q, want %q (all: %v)", what, field, got, code, fieldCodes(err))
	}
}

// checkLocked reports unless err is rate_limited with the given Retry-After.
func checkLocked(t *testing.T, what string, err error, retryAfter time.Duration) {
	t.Helper()
	if e := checkErr(t, what, err, apperr.RateLimited); e != nil && e.RetryAfter != retryAfter {
		t.Errorf("%s: got Retry-After %v, want %v", what, e.RetryAfter, retryAfter)
	}
}

// mailsOf lists the outbox's mails of kind to address, oldest first.
func mailsOf(st *memstore.Store, kind, to string) []mail.Mail {
	var out []mail.Mail
	for _, m := range st.Outbox {
		if m.Kind == kind && m.To == to {
			out = append(out, m)
		}
	}
	return out
}

func lastMail(t *testing.T, st *memstore.Store, kind, to string) mail.Mail {
	t.Helper()
	ms := mailsOf(st, kind, to)
	if len(ms) == 0 {
		t.Fatalf("got no %s mail to %s, want one (outbox: %+v)", kind, to, st.Outbox)
	}
	return ms[len(ms)-1]
}

var codeShape = regexp.MustCompile(`^[0-9a-z]{26}\.[A-Za-z0-9_-]{27}$`)

// mailCode is the one-time code a mail carries, alone or in the "code" query of its link.
func mailCode(t *testing.T, m mail.Mail) string {
	t.Helper()
	code := m.Code
	if code == "" {
		u, err := url.Parse(m.Link)
		if err != nil {
			t.Fatalf("mail link %q: %v", m.Link, err)
		}
		code = u.Query().Get("code")
	}
	if !codeShape.MatchString(code) {
		t.Fatalf("got code %q in mail %+v, want <user id>.<secret>", code, m)
	}
	return code
}

// forgotCode asks for a reset of email and returns the mailed code.
func forgotCode(t *testing.T, svc *user.Service, st *memstore.Store, email string) string {
	t.Helper()
	if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: email}); err != nil {
		t.Fatalf("ForgotPassword(%s): %v", email, err)
	}
	return mailCode(t, lastMail(t, st, mail.KindResetPassword, email))
}

// saveUser changes a stored user as another request would.
func saveUser(t *testing.T, st *memstore.Store, id string, change func(*user.User)) {
	t.Helper()
	prev, err := st.User(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	next := *prev
	next.Version++
	change(&next)
	if err := st.Apply(t.Context(), &user.Tx{Save: &user.Save{Next: &next, Prev: prev}}); err != nil {
		t.Fatalf("SaveUser: %v", err)
	}
}

func storedUser(t *testing.T, st *memstore.Store, id string) *user.User {
	t.Helper()
	u, err := st.User(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func sessionID(t *testing.T, token string) string {
	t.Helper()
	p, err := auth.ParseSessionToken(token)
	if err != nil {
		t.Fatal(err)
	}
	return p.SessionID
}

func eventTypes(t *testing.T, svc *user.Service, userID string) []string {
	t.Helper()
	evs, err := svc.Events(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// unknownCode has the shape of a one-time code of userID but was never issued.
func unknownCode(t *testing.T, userID string) string {
	t.Helper()
	secret, _, err := auth.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	return userID + "." + secret
}

// failN makes n sign-ins of login with a wrong password, each answered invalid_credentials.
func failN(t *testing.T, svc *user.Service, login string, n int, c user.Client) {
	t.Helper()
	for i := range n {
		_, err := svc.Login(t.Context(), user.LoginInput{Login: login, Password: "wrong-" + goodPassword, Client: c})
		if checkErr(t, "wrong password", err, apperr.InvalidCredentials) == nil {
			t.Fatalf("failure %d of %d", i+1, n)
		}
	}
}

// lockRetry signs in with the right password and returns the Retry-After of the lock.
func lockRetry(t *testing.T, svc *user.Service, login string) time.Duration {
	t.Helper()
	_, err := svc.Login(t.Context(), user.LoginInput{Login: login, Password: goodPassword})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.RateLimited {
		t.Fatalf("right password while locked: got %v, want rate_limited", err)
	}
	return e.RetryAfter
}

// totpAt is the TOTP code of secret at now.
func totpAt(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	code, err := auth.TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongTOTP is six digits that no step accepted around now gives.
func wrongTOTP(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		near[totpAt(t, secret, now.Add(d))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !near[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// enableTOTP turns on TOTP for the holder of token and returns the secret and the recovery
// codes. It moves the clock to the next step, so a code of now is fresh.
func enableTOTP(t *testing.T, svc *user.Service, c *clock, token string) (string, []string) {
	t.Helper()
	p := reauthed(t, svc, token)
	en, err := svc.BeginTOTP(t.Context(), p)
	if err != nil {
		t.Fatalf("BeginTOTP: %v", err)
	}
	codes, err := svc.ConfirmTOTP(t.Context(), p, totpAt(t, en.Secret, c.t), user.Client{})
	if err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	c.t = c.t.Add(30 * time.Second)
	return en.Secret, codes
}

// reauthed is the principal of token after it re-authenticated with the password.
func reauthed(t *testing.T, svc *user.Service, token string) *user.Principal {
	t.Helper()
	p := principal(t, svc, token)
	if _, err := svc.Reauthenticate(t.Context(), p, user.ReauthInput{Password: goodPassword}, user.Client{}); err != nil {
		t.Fatalf("Reauthenticate: %v", err)
	}
	return principal(t, svc, token)
}

// mfaToken signs in to an MFA account and returns the mfa_token of the mfa_required answer.
func mfaToken(t *testing.T, svc *user.Service, login string) string {
	t.Helper()
	_, err := svc.Login(t.Context(), user.LoginInput{Login: login, Password: goodPassword})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.MFARequired {
		t.Fatalf("Login of an MFA account: got %v, want mfa_required", err)
	}
	tok, _ := e.Extra["mfa_token"].(string)
	if !codeShape.MatchString(tok) {
		t.Fatalf("got mfa_token %q, want <user id>.<secret>", tok)
	}
	return tok
}

// --- password reset ---

func TestForgotPasswordMailsCode(t *testing.T) {
	tests := []struct {
		name, url, wantLink string // wantLink: prefix of the link, "" for the code alone
	}{
		{"code alone", "", ""},
		{"https link", "https://app.example.com/reset?code={{code}}", "https://app.example.com/reset?code="},
		{"localhost link", "http://localhost:5173/reset?x=1&code={{code}}", "http://localhost:5173/reset?x=1&code="},
		{"a link with the address", "https://app.example.com/reset?email={{email}}&code={{code}}", "https://app.example.com/reset?email=fay%40example.com&code="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, _ := newService(t)
			a := signUp(t, svc, "fay@example.com")
			if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: " FAY@example.com ", ConfirmationURL: tt.url}); err != nil {
				t.Fatalf("ForgotPassword: %v", err)
			}
			ms := mailsOf(st, mail.KindResetPassword, "fay@example.com")
			if len(ms) != 1 {
				t.Fatalf("got %d reset mails, want 1", len(ms))
			}
			m := ms[0]
			if tt.wantLink == "" && (m.Link != "" || m.Code == "") {
				t.Errorf("got link %q, code %q; want the code alone", m.Link, m.Code)
			}
			if tt.wantLink != "" && (!strings.HasPrefix(m.Link, tt.wantLink) || m.Code != "") {
				t.Errorf("got link %q, code %q; want a link starting %q", m.Link, m.Code, tt.wantLink)
			}
			code := mailCode(t, m)
			if !strings.HasPrefix(code, a.User.ID+".") {
				t.Errorf("got code %q, want it to start with the user id %s", code, a.User.ID)
			}
			// The mailed code is the one that works.
			if err := svc.ResetPassword(t.Context(), code, newPassword, user.Client{}); err != nil {
				t.Errorf("ResetPassword with the mailed code: got %v, want nil", err)
			}
		})
	}
}

func TestForgotPasswordAnswersAlike(t *testing.T) {
	tests := []struct {
		name  string
		in    user.ForgotInput
		want  apperr.Code
		field string // with want validation_failed: the field, code email
		code  string
	}{
		{"unknown address", user.ForgotInput{Email: "nobody@example.com"}, "", "", ""},
		{"unknown phone", user.ForgotInput{Email: "+14155550199"}, "", "", ""},
		{"disabled account", user.ForgotInput{Email: "off@example.com"}, "", "", ""},
		{"missing", user.ForgotInput{}, apperr.ValidationFailed, "email", apperr.FieldRequired},
		{"bad syntax", user.ForgotInput{Email: "not an address"}, apperr.ValidationFailed, "email", apperr.FieldInvalidEmail},
		{"url not allowed", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://evil.example.net/?c={{code}}"}, apperr.InvalidConfirmationURL, "", ""},
		{"url without code", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset"}, apperr.InvalidConfirmationURL, "", ""},
		// Text of the caller's around the link, or a second link carrying the code, would
		// reach the victim's inbox beside a live reset code.
		{"url with text after it", user.ForgotInput{Email: "on@example.com",
			ConfirmationURL: "https://app.example.com/reset?c={{code}} Your account is at risk, open https://evil.example.net/?c={{code}}"}, apperr.InvalidConfirmationURL, "", ""},
		{"url with a line break", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset?c={{code}}\nhttps://evil.example.net/"}, apperr.InvalidConfirmationURL, "", ""},
		{"url with the code twice", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset?c={{code}}&next=https://evil.example.net/{{code}}"}, apperr.InvalidConfirmationURL, "", ""},
		{"url with non-ASCII text", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset?c={{code}}\u00a0Сброс"}, apperr.InvalidConfirmationURL, "", ""},
		{"url with a broken percent-encoding", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset?x=%zz&c={{code}}"}, apperr.InvalidConfirmationURL, "", ""},
		{"url with a cut percent-encoding", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset?c={{code}}&x=%4"}, apperr.InvalidConfirmationURL, "", ""},
		{"url with markup", user.ForgotInput{Email: "on@example.com", ConfirmationURL: "https://app.example.com/reset?c={{code}}\"><a href=https://evil.example.net/>"}, apperr.InvalidConfirmationURL, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, _ := newService(t)
			signUp(t, svc, "on@example.com")
			off := signUp(t, svc, "off@example.com")
			saveUser(t, st, off.User.ID, func(u *user.User) { u.Active = false })
			before := len(st.Outbox)
			err := svc.ForgotPassword(t.Context(), tt.in)
			if tt.field != "" {
				checkField(t, "ForgotPassword", err, tt.field, tt.code)
			} else {
				checkErr(t, "ForgotPassword", err, tt.want)
			}
			if got := len(st.Outbox) - before; got != 0 {
				t.Errorf("got %d new mails, want none: %+v", got, st.Outbox[before:])
			}
		})
	}
}

func TestForgotPasswordLimit(t *testing.T) {
	tests := []struct {
		name, email string
		wantMails   int
	}{
		{"known address", "lim@example.com", 5},
		{"unknown address", "ghost@example.com", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, c := newService(t)
			signUp(t, svc, "lim@example.com")
			c.t = c.t.Add(20 * time.Minute) // 12:20, 40 minutes before the window ends
			for i := range 5 {
				if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: tt.email}); err != nil {
					t.Fatalf("request %d: got %v, want nil", i+1, err)
				}
			}
			err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: tt.email})
			checkLocked(t, "6th request", err, 40*time.Minute)
			if got := len(mailsOf(st, mail.KindResetPassword, tt.email)); got != tt.wantMails {
				t.Errorf("got %d reset mails, want %d", got, tt.wantMails)
			}
			// Another address has its own count; the next hour starts from zero.
			if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: "other@example.com"}); err != nil {
				t.Errorf("another address: got %v, want nil", err)
			}
			c.t = c.t.Add(40 * time.Minute)
			if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: tt.email}); err != nil {
				t.Errorf("next hour: got %v, want nil", err)
			}
		})
	}
}

func TestForgotPasswordByPhone(t *testing.T) {
	svc, st, _ := newService(t)
	phone := "+14155550100"
	if _, err := svc.Register(t.Context(), user.Registration{Email: "phil@example.com", Password: goodPassword,
		Profile: user.Profile{Phone: &phone}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: "+1 (415) 555-0100"}); err != nil {
		t.Fatalf("ForgotPassword(phone): %v", err)
	}
	code := mailCode(t, lastMail(t, st, mail.KindResetPassword, "phil@example.com"))
	if err := svc.ResetPassword(t.Context(), code, newPassword, user.Client{}); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	mustLogin(t, svc, "+14155550100", newPassword)
}

func TestResetPassword(t *testing.T) {
	svc, st, _ := newService(t)
	a := signUp(t, svc, "rita@example.com")
	b := mustLogin(t, svc, "rita@example.com", goodPassword)
	code := forgotCode(t, svc, st, "rita@example.com")

	weak := []struct {
		name, password, code string
	}{
		{"missing", "", apperr.FieldRequired},
		{"short", "Ab1!x", apperr.FieldTooShort},
		{"breached", "Password123", apperr.FieldPasswordBreached},
		{"run", "hijklmnopq", apperr.FieldPasswordWeak},
		{"repeated", "qqqqqqqqqqqq", apperr.FieldPasswordWeak},
	}
	for _, tt := range weak {
		t.Run(tt.name, func(t *testing.T) {
			err := svc.ResetPassword(t.Context(), code, tt.password, user.Client{})
			checkField(t, "ResetPassword", err, "new_password", tt.code)
		})
	}

	// A rejected password does not spend the code.
	if err := svc.ResetPassword(t.Context(), code, newPassword, user.Client{IP: "10.9.9.9"}); err != nil {
		t.Fatalf("ResetPassword: got %v, want nil", err)
	}
	checkErr(t, "second use of the code", svc.ResetPassword(t.Context(), code, newPassword+"x", user.Client{}), apperr.InvalidCode)
	for name, tok := range map[string]string{"register's": a.Token, "login's": b.Token} {
		if _, err := svc.Authenticate(t.Context(), tok); err == nil {
			t.Errorf("%s token after reset: got nil error, want unauthenticated", name)
		} else {
			checkErr(t, name+" token after reset", err, apperr.Unauthenticated)
		}
	}
	mustLogin(t, svc, "rita@example.com", newPassword)
	_, err := svc.Login(t.Context(), user.LoginInput{Login: "rita@example.com", Password: goodPassword})
	checkErr(t, "old password", err, apperr.InvalidCredentials)
	lastMail(t, st, mail.KindPasswordChanged, "rita@example.com")
	if got := eventTypes(t, svc, a.User.ID); !slices.Contains(got, user.EventPasswordReset) {
		t.Errorf("got events %v, want a %s", got, user.EventPasswordReset)
	}
}

func TestResetPasswordRejectsCodes(t *testing.T) {
	tests := []struct {
		name string
		// code returns the code to try, after whatever it takes to make it.
		code func(t *testing.T, svc *user.Service, st *memstore.Store, c *clock, a *user.Auth) string
		want apperr.Code
	}{
		{"missing", func(*testing.T, *user.Service, *memstore.Store, *clock, *user.Auth) string { return "" }, apperr.ValidationFailed},
		{"garbage", func(*testing.T, *user.Service, *memstore.Store, *clock, *user.Auth) string { return "garbage" }, apperr.InvalidCode},
		{"no secret", func(_ *testing.T, _ *user.Service, _ *memstore.Store, _ *clock, a *user.Auth) string {
			return a.User.ID + "."
		}, apperr.InvalidCode},
		{"short secret", func(_ *testing.T, _ *user.Service, _ *memstore.Store, _ *clock, a *user.Auth) string {
			return a.User.ID + ".abc"
		}, apperr.InvalidCode},
		{"never issued", func(t *testing.T, _ *user.Service, _ *memstore.Store, _ *clock, a *user.Auth) string {
			return unknownCode(t, a.User.ID)
		}, apperr.InvalidCode},
		{"another user's id", func(t *testing.T, svc *user.Service, st *memstore.Store, _ *clock, _ *user.Auth) string {
			code := forgotCode(t, svc, st, "pat@example.com")
			other := signUp(t, svc, "other@example.com")
			_, secret, _ := strings.Cut(code, ".")
			return other.User.ID + "." + secret
		}, apperr.InvalidCode},
		{"verification code", func(t *testing.T, _ *user.Service, st *memstore.Store, _ *clock, _ *user.Auth) string {
			return mailCode(t, lastMail(t, st, mail.KindVerifyEmail, "pat@example.com"))
		}, apperr.InvalidCode},
		{"expired", func(t *testing.T, svc *user.Service, st *memstore.Store, c *clock, _ *user.Auth) string {
			code := forgotCode(t, svc, st, "pat@example.com")
			c.t = c.t.Add(time.Hour + time.Second)
			return code
		}, apperr.InvalidCode},
		{"account deleted", func(t *testing.T, svc *user.Service, st *memstore.Store, _ *clock, a *user.Auth) string {
			code := forgotCode(t, svc, st, "pat@example.com")
			if err := svc.DeleteAccount(t.Context(), principal(t, svc, a.Token), goodPassword, user.Client{}); err != nil {
				t.Fatal(err)
			}
			return code
		}, apperr.InvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, c := newService(t)
			a := signUp(t, svc, "pat@example.com")
			err := svc.ResetPassword(t.Context(), tt.code(t, svc, st, c, a), newPassword, user.Client{})
			checkErr(t, "ResetPassword", err, tt.want)
		})
	}
}

// behavior-notes: a code "for an address the account no longer has" is invalid_code; that
// holds for every one-time code, reset codes included.
func TestResetPasswordCodeForFormerAddress(t *testing.T) {
	svc, st, _ := newService(t)
	a := signUp(t, svc, "old@example.com")
	code := forgotCode(t, svc, st, "old@example.com")
	saveUser(t, st, a.User.ID, func(u *user.User) { u.Email = "new@example.com" })
	err := svc.ResetPassword(t.Context(), code, newPassword, user.Client{})
	checkErr(t, "reset code mailed to the former address", err, apperr.InvalidCode)
}

func TestResetPasswordLiftsLock(t *testing.T) {
	svc, st, _ := newService(t)
	signUp(t, svc, "lou@example.com")
	failN(t, svc, "lou@example.com", 10, user.Client{})
	lockRetry(t, svc, "lou@example.com")
	code := forgotCode(t, svc, st, "lou@example.com")
	if err := svc.ResetPassword(t.Context(), code, newPassword, user.Client{}); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	mustLogin(t, svc, "lou@example.com", newPassword)
}

// --- email verification and change ---

func TestResendVerification(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(t *testing.T, svc *user.Service, st *memstore.Store, a *user.Auth)
		url      string
		wantKind string // "" for no mail
		wantTo   string
		wantLink string
	}{
		{"unverified", nil, "", mail.KindVerifyEmail, "vic@example.com", ""},
		{"unverified with link", nil, "https://app.example.com/verify?code={{code}}", mail.KindVerifyEmail, "vic@example.com",
			"https://app.example.com/verify?code="},
		{"verified", func(t *testing.T, svc *user.Service, st *memstore.Store, _ *user.Auth) {
			code := mailCode(t, lastMail(t, st, mail.KindVerifyEmail, "vic@example.com"))
			if _, err := svc.ConfirmEmail(t.Context(), code, nil, user.Client{}); err != nil {
				t.Fatal(err)
			}
		}, "", "", "", ""},
		{"pending address", func(t *testing.T, _ *user.Service, st *memstore.Store, a *user.Auth) {
			saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "vic.new@example.com" })
		}, "", mail.KindEmailChangeCode, "vic.new@example.com", ""},
		{"pending address of a verified account", func(t *testing.T, _ *user.Service, st *memstore.Store, a *user.Auth) {
			saveUser(t, st, a.User.ID, func(u *user.User) { u.EmailVerified, u.PendingEmail = true, "vic.new@example.com" })
		}, "", mail.KindEmailChangeCode, "vic.new@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, _ := newService(t)
			a := signUp(t, svc, "vic@example.com")
			if tt.prepare != nil {
				tt.prepare(t, svc, st, a)
			}
			before := len(st.Outbox)
			if err := svc.ResendVerification(t.Context(), principal(t, svc, a.Token), tt.url); err != nil {
				t.Fatalf("ResendVerification: got %v, want nil", err)
			}
			sent := st.Outbox[before:]
			if tt.wantKind == "" {
				if len(sent) != 0 {
					t.Errorf("got mails %+v, want none", sent)
				}
				return
			}
			if len(sent) != 1 || sent[0].Kind != tt.wantKind || sent[0].To != tt.wantTo {
				t.Fatalf("got mails %+v, want one %s to %s", sent, tt.wantKind, tt.wantTo)
			}
			if tt.wantLink != "" && !strings.HasPrefix(sent[0].Link, tt.wantLink) {
				t.Errorf("got link %q, want it to start %q", sent[0].Link, tt.wantLink)
			}
			mailCode(t, sent[0])
		})
	}
}

func TestResendVerificationRejects(t *testing.T) {
	svc, st, c := newService(t)
	a := signUp(t, svc, "rex@example.com")
	p := principal(t, svc, a.Token)
	checkErr(t, "bad confirmation_url", svc.ResendVerification(t.Context(), p, "https://evil.example.net/{{code}}"), apperr.InvalidConfirmationURL)
	// The sign-up's verification mail counts toward the hourly five, as every mail does.
	for i := range 4 {
		if err := svc.ResendVerification(t.Context(), p, ""); err != nil {
			t.Fatalf("resend %d: got %v, want nil", i+1, err)
		}
	}
	checkLocked(t, "5th resend", svc.ResendVerification(t.Context(), p, ""), time.Hour)
	if got := len(mailsOf(st, mail.KindVerifyEmail, "rex@example.com")); got != 5 { // register's and four
		t.Errorf("got %d verification mails, want 6", got)
	}
	c.t = c.t.Add(time.Hour)
	checkErr(t, "next hour", svc.ResendVerification(t.Context(), p, ""), "")
}

func TestConfirmEmail(t *testing.T) {
	svc, st, _ := newService(t)
	a, err := svc.Register(t.Context(), user.Registration{Email: "eve@example.com", Password: goodPassword,
		ConfirmationURL: "https://app.example.com/confirm?code={{code}}"})
	if err != nil {
		t.Fatal(err)
	}
	code := mailCode(t, lastMail(t, st, mail.KindVerifyEmail, "eve@example.com"))
	u, err := svc.ConfirmEmail(t.Context(), code, nil, user.Client{})
	if err != nil {
		t.Fatalf("ConfirmEmail: %v", err)
	}
	if !u.EmailVerified || u.Email != "eve@example.com" {
		t.Errorf("got user %+v, want eve@example.com verified", u)
	}
	if !storedUser(t, st, a.User.ID).EmailVerified {
		t.Error("got stored email_verified false, want true")
	}
	if !principal(t, svc, a.Token).User.EmailVerified {
		t.Error("got email_verified false on the session's user, want true")
	}
	_, err = svc.ConfirmEmail(t.Context(), code, nil, user.Client{})
	checkErr(t, "second use of the code", err, apperr.InvalidCode)
}

func TestConfirmEmailRejects(t *testing.T) {
	tests := []struct {
		name string
		code func(t *testing.T, svc *user.Service, st *memstore.Store, c *clock, a *user.Auth) string
		want apperr.Code
	}{
		{"missing", func(*testing.T, *user.Service, *memstore.Store, *clock, *user.Auth) string { return "" }, apperr.ValidationFailed},
		{"garbage", func(*testing.T, *user.Service, *memstore.Store, *clock, *user.Auth) string { return "not-a-code" }, apperr.InvalidCode},
		{"never issued", func(t *testing.T, _ *user.Service, _ *memstore.Store, _ *clock, a *user.Auth) string {
			return unknownCode(t, a.User.ID)
		}, apperr.InvalidCode},
		{"reset code", func(t *testing.T, svc *user.Service, st *memstore.Store, _ *clock, _ *user.Auth) string {
			return forgotCode(t, svc, st, "cy@example.com")
		}, apperr.InvalidCode},
		{"expired", func(t *testing.T, _ *user.Service, st *memstore.Store, c *clock, _ *user.Auth) string {
			c.t = c.t.Add(24*time.Hour + time.Second)
			return mailCode(t, lastMail(t, st, mail.KindVerifyEmail, "cy@example.com"))
		}, apperr.InvalidCode},
		{"email changed since", func(t *testing.T, _ *user.Service, st *memstore.Store, _ *clock, a *user.Auth) string {
			code := mailCode(t, lastMail(t, st, mail.KindVerifyEmail, "cy@example.com"))
			saveUser(t, st, a.User.ID, func(u *user.User) { u.Email = "cy.moved@example.com" })
			return code
		}, apperr.InvalidCode},
		{"pending address withdrawn", func(t *testing.T, svc *user.Service, st *memstore.Store, _ *clock, a *user.Auth) string {
			saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "cy.next@example.com" })
			if err := svc.ResendVerification(t.Context(), principal(t, svc, a.Token), ""); err != nil {
				t.Fatal(err)
			}
			code := mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, "cy.next@example.com"))
			saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "" })
			return code
		}, apperr.InvalidCode},
		{"pending address replaced", func(t *testing.T, svc *user.Service, st *memstore.Store, _ *clock, a *user.Auth) string {
			saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "cy.next@example.com" })
			if err := svc.ResendVerification(t.Context(), principal(t, svc, a.Token), ""); err != nil {
				t.Fatal(err)
			}
			code := mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, "cy.next@example.com"))
			saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "cy.other@example.com" })
			return code
		}, apperr.InvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, c := newService(t)
			a := signUp(t, svc, "cy@example.com")
			code := tt.code(t, svc, st, c, a)
			before := storedUser(t, st, a.User.ID)
			_, err := svc.ConfirmEmail(t.Context(), code, nil, user.Client{})
			checkErr(t, "ConfirmEmail", err, tt.want)
			if diff := cmp.Diff(before, storedUser(t, st, a.User.ID)); diff != "" {
				t.Errorf("a rejected code changed the user (-before +after):\n%s", diff)
			}
		})
	}
}

func TestEmailChange(t *testing.T) {
	svc, st, _ := newService(t)
	a := signUp(t, svc, "olga@example.com")
	saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "nina@example.com" })
	if err := svc.ResendVerification(t.Context(), principal(t, svc, a.Token), ""); err != nil {
		t.Fatalf("ResendVerification: %v", err)
	}
	code := mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, "nina@example.com"))
	u, err := svc.ConfirmEmail(t.Context(), code, nil, user.Client{})
	if err != nil {
		t.Fatalf("ConfirmEmail: %v", err)
	}
	if u.Email != "nina@example.com" || u.PendingEmail != "" || !u.EmailVerified {
		t.Errorf("got email %q, pending %q, verified %v; want nina@example.com, none, true", u.Email, u.PendingEmail, u.EmailVerified)
	}
	notice := lastMail(t, st, mail.KindEmailChanged, "olga@example.com")
	if notice.Address != "n***@example.com" || notice.Code == "" || notice.Link != "" {
		t.Errorf("got notice %+v, want Address n***@example.com and the revert code", notice)
	}
	if got := eventTypes(t, svc, a.User.ID); len(got) == 0 || got[0] != user.EventEmailChanged {
		t.Errorf("got events %v, want %s first", got, user.EventEmailChanged)
	}
	mustLogin(t, svc, "nina@example.com", goodPassword)
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "olga@example.com", Password: goodPassword})
	checkErr(t, "login with the old email", err, apperr.InvalidCredentials)
	// The old address stays reserved while the change can be reverted.
	_, err = svc.Register(t.Context(), user.Registration{Email: "olga@example.com", Password: goodPassword, Client: user.Client{IP: "x"}})
	checkErr(t, "registering the reserved old address", err, apperr.EmailTaken)
	_, err = svc.ConfirmEmail(t.Context(), code, nil, user.Client{})
	checkErr(t, "second use of the change code", err, apperr.InvalidCode)
}

func TestEmailChangeAddressTaken(t *testing.T) {
	svc, st, _ := newService(t)
	a := signUp(t, svc, "ugo@example.com")
	saveUser(t, st, a.User.ID, func(u *user.User) { u.PendingEmail = "wanted@example.com" })
	if err := svc.ResendVerification(t.Context(), principal(t, svc, a.Token), ""); err != nil {
		t.Fatal(err)
	}
	code := mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, "wanted@example.com"))
	signUp(t, svc, "wanted@example.com")
	_, err := svc.ConfirmEmail(t.Context(), code, nil, user.Client{})
	checkErr(t, "ConfirmEmail of a taken address", err, apperr.EmailTaken)
	if u := storedUser(t, st, a.User.ID); u.Email != "ugo@example.com" {
		t.Errorf("got email %q, want ugo@example.com kept", u.Email)
	}
	if got := mailsOf(st, mail.KindEmailChanged, "ugo@example.com"); len(got) != 0 {
		t.Errorf("got email_changed notices %+v, want none", got)
	}
}

// --- password change ---

func TestChangePasswordRejects(t *testing.T) {
	tests := []struct {
		name        string
		in          user.PasswordChange
		field, code string
	}{
		{"wrong current", user.PasswordChange{Current: "not-" + goodPassword, New: newPassword, Confirm: newPassword}, "current_password", apperr.FieldInvalidPassword},

		{"mismatch", user.PasswordChange{Current: goodPassword, New: newPassword, Confirm: newPassword + "!"}, "confirm_password", apperr.FieldMismatch},
		{"missing confirm", user.PasswordChange{Current: goodPassword, New: newPassword}, "confirm_password", apperr.FieldRequired},
		{"short", user.PasswordChange{Current: goodPassword, New: "Ab1!", Confirm: "Ab1!"}, "new_password", apperr.FieldTooShort},
		{"breached", user.PasswordChange{Current: goodPassword, New: "Password123", Confirm: "Password123"}, "new_password", apperr.FieldPasswordBreached},
	}
	svc, st, _ := newService(t)
	a := signUp(t, svc, "cam@example.com")
	p := principal(t, svc, a.Token)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := svc.ChangePassword(t.Context(), p, tt.in, user.Client{})
			checkField(t, "ChangePassword", err, tt.field, tt.code)
		})
	}
	// Without the current password a fresh sign-in is not enough: the session must have
	// re-authenticated.
	err := svc.ChangePassword(t.Context(), p, user.PasswordChange{New: newPassword, Confirm: newPassword}, user.Client{})
	checkErr(t, "ChangePassword without a proof", err, apperr.ReauthenticationRequired)
	if got := mailsOf(st, mail.KindPasswordChanged, "cam@example.com"); len(got) != 0 {
		t.Errorf("got %d password_changed mails after rejected changes, want 0", len(got))
	}
	mustLogin(t, svc, "cam@example.com", goodPassword)
}

func TestChangePassword(t *testing.T) {
	svc, st, _ := newService(t)
	a := signUp(t, svc, "dan@example.com")
	saveUser(t, st, a.User.ID, func(u *user.User) { u.EmailVerified = true }) // notices go to a confirmed address
	other := mustLogin(t, svc, "dan@example.com", goodPassword)
	p := principal(t, svc, a.Token)
	err := svc.ChangePassword(t.Context(), p, user.PasswordChange{Current: goodPassword, New: newPassword, Confirm: newPassword},
		user.Client{IP: "10.2.2.2", UserAgent: "ua"})
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := svc.Authenticate(t.Context(), a.Token); err != nil {
		t.Errorf("the caller's token: got %v, want it still working", err)
	}
	_, err = svc.Authenticate(t.Context(), other.Token)
	checkErr(t, "another session's token", err, apperr.Unauthenticated)
	list, err := svc.Sessions(t.Context(), a.Token)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Sessions) != 1 || list.Sessions[0].ID != sessionID(t, a.Token) {
		t.Errorf("got %d live sessions, want only the caller's", len(list.Sessions))
	}
	mustLogin(t, svc, "dan@example.com", newPassword)
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "dan@example.com", Password: goodPassword})
	checkErr(t, "old password", err, apperr.InvalidCredentials)
	lastMail(t, st, mail.KindPasswordChanged, "dan@example.com")
	if got := eventTypes(t, svc, a.User.ID); !slices.Contains(got, user.EventPasswordChanged) {
		t.Errorf("got events %v, want a %s", got, user.EventPasswordChanged)
	}
}

// --- sessions ---

func TestSessionsList(t *testing.T) {
	svc, _, c := newService(t)
	a := signUp(t, svc, "sam@example.com")
	c.t = c.t.Add(time.Minute)
	b, err := svc.Login(t.Context(), user.LoginInput{Login: "sam@example.com", Password: goodPassword,
		Client: user.Client{IP: "10.3.3.3", UserAgent: "phone"}})
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	third := mustLogin(t, svc, "sam@example.com", goodPassword)
	c.t = c.t.Add(30 * time.Minute) // 12:32; the sessions end at 13:00, 13:01 and 13:02

	tests := []struct {
		name        string
		token       string
		wantCurrent string
	}{
		{"from the first", a.Token, sessionID(t, a.Token)},
		{"from the second", b.Token, sessionID(t, b.Token)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := svc.Sessions(t.Context(), tt.token)
			if err != nil {
				t.Fatalf("Sessions: %v", err)
			}
			var ids []string
			for _, s := range list.Sessions {
				ids = append(ids, s.ID)
			}
			want := []string{sessionID(t, third.Token), sessionID(t, b.Token), sessionID(t, a.Token)}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("session ids, newest first (-want +got):\n%s", diff)
			}
			if got := list.Principal.Session.ID; got != tt.wantCurrent {
				t.Errorf("got current %s, want %s", got, tt.wantCurrent)
			}
			if s := list.Sessions[1]; s.IP != "10.3.3.3" || s.UserAgent != "phone" {
				t.Errorf("got ip %q, user agent %q; want 10.3.3.3, phone", s.IP, s.UserAgent)
			}
		})
	}
	// Past the first session's end only the later two are live.
	c.t = c.t.Add(28*time.Minute + 30*time.Second) // 13:00:30
	list, err := svc.Sessions(t.Context(), b.Token)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Sessions) != 2 {
		t.Errorf("got %d live sessions, want 2", len(list.Sessions))
	}
	_, err = svc.Sessions(t.Context(), a.Token)
	checkErr(t, "Sessions with an expired token", err, apperr.Unauthenticated)
}

func TestRevokeSession(t *testing.T) {
	svc, _, _ := newService(t)
	a := signUp(t, svc, "rob@example.com")
	b := mustLogin(t, svc, "rob@example.com", goodPassword)
	stranger := signUp(t, svc, "stan@example.com")
	p := principal(t, svc, a.Token)

	for _, id := range []string{"", "garbage", "01hzzzzzzzzzzzzzzzzzzzzzzz", sessionID(t, stranger.Token)} {
		if err := svc.RevokeSession(t.Context(), p, id, user.Client{}); err != nil {
			t.Errorf("RevokeSession(%q): got %v, want nil", id, err)
		}
	}
	for name, tok := range map[string]string{"own": a.Token, "other of the user": b.Token, "stranger's": stranger.Token} {
		if _, err := svc.Authenticate(t.Context(), tok); err != nil {
			t.Errorf("%s token after revoking unknown ids: got %v, want it working", name, err)
		}
	}

	if err := svc.RevokeSession(t.Context(), p, sessionID(t, b.Token), user.Client{}); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	_, err := svc.Authenticate(t.Context(), b.Token)
	checkErr(t, "revoked session's token", err, apperr.Unauthenticated)
	if _, err := svc.Authenticate(t.Context(), a.Token); err != nil {
		t.Errorf("caller's token: got %v, want it working", err)
	}
	evs, err := svc.Events(t.Context(), a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Type != user.EventSessionRevoked || evs[0].Detail["session_id"] != sessionID(t, b.Token) {
		t.Errorf("got newest event %+v, want session_revoked of %s", evs[0], sessionID(t, b.Token))
	}

	// Revoking one's own session logs it out.
	if err := svc.RevokeSession(t.Context(), p, sessionID(t, a.Token), user.Client{}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Authenticate(t.Context(), a.Token)
	checkErr(t, "own revoked token", err, apperr.Unauthenticated)
}

// behavior-notes: revoking an id that is gone or not the caller's answers 204 and "nothing
// happens then".
func TestRevokeUnknownSessionLeavesNoEvent(t *testing.T) {
	svc, _, _ := newService(t)
	a := signUp(t, svc, "ned@example.com")
	stranger := signUp(t, svc, "sue@example.com")
	p := principal(t, svc, a.Token)
	for _, id := range []string{"01hzzzzzzzzzzzzzzzzzzzzzzz", sessionID(t, stranger.Token)} {
		if err := svc.RevokeSession(t.Context(), p, id, user.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := eventTypes(t, svc, a.User.ID); slices.Contains(got, user.EventSessionRevoked) {
		t.Errorf("got events %v, want no %s", got, user.EventSessionRevoked)
	}
}

func TestLastSeenRefreshedOncePerMinute(t *testing.T) {
	svc, _, c := newService(t)
	start := c.t
	a := signUp(t, svc, "lea@example.com")
	tests := []struct {
		name    string
		advance time.Duration // from the start
		want    time.Time
	}{
		{"30 s later", 30 * time.Second, start},
		{"61 s later", 61 * time.Second, start.Add(61 * time.Second)},
		{"90 s later", 90 * time.Second, start.Add(61 * time.Second)},
		{"2 min 1 s later", 121 * time.Second, start.Add(121 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = start.Add(tt.advance)
			if _, err := svc.Authenticate(t.Context(), a.Token); err != nil {
				t.Fatal(err)
			}
			list, err := svc.Sessions(t.Context(), a.Token)
			if err != nil {
				t.Fatal(err)
			}
			if got := list.Sessions[0].LastSeenAt; !got.Equal(tt.want) {
				t.Errorf("got last_seen_at %v, want %v", got, tt.want)
			}
		})
	}
}

// --- login throttling ---

func TestLoginLock(t *testing.T) {
	svc, st, c := newService(t)
	a := signUp(t, svc, "lars@example.com")
	failN(t, svc, "lars@example.com", 10, user.Client{IP: "10.4.4.4", UserAgent: "bot"})
	if got := lockRetry(t, svc, "lars@example.com"); got != 15*time.Minute {
		t.Errorf("got Retry-After %v, want 15m", got)
	}
	c.t = c.t.Add(time.Second)
	if got := lockRetry(t, svc, "lars@example.com"); got != 15*time.Minute-time.Second {
		t.Errorf("a second later: got Retry-After %v, want 14m59s", got)
	}
	// Attempts while locked are not counted as failures.
	_, err := svc.Login(t.Context(), user.LoginInput{Login: "lars@example.com", Password: "wrong"})
	checkLocked(t, "wrong password while locked", err, 15*time.Minute-time.Second)
	evs, err := svc.Events(t.Context(), a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantUntil := time.Date(2026, 3, 1, 12, 15, 0, 0, time.UTC).Format(time.RFC3339)
	if evs[0].Type != user.EventLocked || evs[0].Detail["until"] != wantUntil || evs[0].IP != "10.4.4.4" {
		t.Errorf("got newest event %+v, want locked until %s from 10.4.4.4", evs[0], wantUntil)
	}
	if got := len(evs); got != 12 { // account_created, 10 login_failed, locked
		t.Errorf("got %d events, want 12", got)
	}
	c.t = time.Date(2026, 3, 1, 12, 15, 0, 0, time.UTC)
	mustLogin(t, svc, "lars@example.com", goodPassword)
	if u := storedUser(t, st, a.User.ID); u.Failures.Count != 0 || u.Failures.LockLevel != 0 || !u.Failures.LockedUntil.IsZero() {
		t.Errorf("got fail count %d, lock level %d, locked until %v after a sign-in; want all cleared", u.Failures.Count, u.Failures.LockLevel, u.Failures.LockedUntil)
	}
}

func TestLoginLockDurations(t *testing.T) {
	tests := []struct {
		name          string
		throttle      user.Throttle
		signInBetween bool
		want          []time.Duration
	}{
		{"doubles in a row", user.Throttle{}, false, []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}},
		{"a sign-in resets the doubling", user.Throttle{}, true, []time.Duration{15 * time.Minute, 15 * time.Minute, 15 * time.Minute}},
		{"capped", user.Throttle{MaxFailures: 3, Lock: time.Hour, LockMax: 3 * time.Hour},
			false, []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 3 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _, c := newServiceOpts(t, user.Options{Throttle: tt.throttle})
			signUp(t, svc, "dora@example.com")
			n := tt.throttle.MaxFailures
			if n == 0 {
				n = 10
			}
			for i, want := range tt.want {
				failN(t, svc, "dora@example.com", n, user.Client{})
				got := lockRetry(t, svc, "dora@example.com")
				if got != want {
					t.Errorf("lock %d: got %v, want %v", i+1, got, want)
				}
				c.t = c.t.Add(got)
				if tt.signInBetween {
					mustLogin(t, svc, "dora@example.com", goodPassword)
				}
			}
		})
	}
}

func TestLoginFailureWindow(t *testing.T) {
	svc, _, c := newService(t)
	signUp(t, svc, "win@example.com")
	failN(t, svc, "win@example.com", 9, user.Client{})
	c.t = c.t.Add(15*time.Minute + time.Second)
	failN(t, svc, "win@example.com", 9, user.Client{}) // a new window: 9 again
	mustLogin(t, svc, "win@example.com", goodPassword)
}

func TestLoginIPLimit(t *testing.T) {
	svc, _, c := newServiceOpts(t, user.Options{Throttle: user.Throttle{MaxIPFailures: 3}})
	signUp(t, svc, "ida@example.com")
	bad := user.Client{IP: "203.0.113.9"}
	c.t = c.t.Add(5 * time.Minute) // 12:05; the window ends at 12:15
	for i := range 3 {
		_, err := svc.Login(t.Context(), user.LoginInput{Login: "nobody" + string(rune('a'+i)) + "@example.com", Password: goodPassword, Client: bad})
		checkErr(t, "unknown account", err, apperr.InvalidCredentials)
	}
	tests := []struct {
		name   string
		in     user.LoginInput
		want   apperr.Code
		minute time.Duration // when, after 12:05
	}{
		{"unknown account", user.LoginInput{Login: "nobody@example.com", Password: goodPassword, Client: bad}, apperr.RateLimited, 0},
		{"right password", user.LoginInput{Login: "ida@example.com", Password: goodPassword, Client: bad}, apperr.RateLimited, 0},
		{"another address", user.LoginInput{Login: "ida@example.com", Password: goodPassword, Client: user.Client{IP: "203.0.113.10"}}, "", 0},
		{"next window", user.LoginInput{Login: "ida@example.com", Password: goodPassword, Client: bad}, "", 10 * time.Minute},
	}
	start := c.t
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = start.Add(tt.minute)
			_, err := svc.Login(t.Context(), tt.in)
			if e := checkErr(t, "Login", err, tt.want); e != nil && tt.want == apperr.RateLimited && e.RetryAfter != 10*time.Minute {
				t.Errorf("got Retry-After %v, want 10m (the end of the window)", e.RetryAfter)
			}
		})
	}
}

// behavior-notes: past the limit an address gets 429 "until the window ends", whatever it
// sends.
func TestLoginIPLimitCoversMalformedLogins(t *testing.T) {
	svc, _, _ := newServiceOpts(t, user.Options{Throttle: user.Throttle{MaxIPFailures: 3}})
	bad := user.Client{IP: "203.0.113.9"}
	for range 3 {
		_, err := svc.Login(t.Context(), user.LoginInput{Login: "nobody@example.com", Password: goodPassword, Client: bad})
		checkErr(t, "unknown account", err, apperr.InvalidCredentials)
	}
	_, err := svc.Login(t.Context(), user.LoginInput{Login: "not-a-login", Password: goodPassword, Client: bad})
	checkErr(t, "malformed login from a blocked address", err, apperr.RateLimited)
}

func TestLoginConcurrentFailuresAllCount(t *testing.T) {
	tests := []struct {
		name        string
		maxFailures int
		attempts    int
		wantCounted int // answered invalid_credentials; the rest rate_limited
	}{
		{"lock at the default 10", 0, 20, 10},
		{"every one of 20 needed", 20, 20, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, c := newServiceOpts(t, user.Options{Throttle: user.Throttle{MaxFailures: tt.maxFailures}})
			a := signUp(t, svc, "conc@example.com")
			errs := make([]error, tt.attempts)
			start := make(chan struct{}) // release them together, for the most contention
			var wg sync.WaitGroup
			for i := range tt.attempts {
				wg.Go(func() {
					<-start
					_, errs[i] = svc.Login(t.Context(), user.LoginInput{Login: "conc@example.com", Password: "wrong-password-1"})
				})
			}
			close(start)
			wg.Wait()
			counts := map[apperr.Code]int{}
			for _, err := range errs {
				e, ok := apperr.As(err)
				if !ok {
					t.Errorf("got %v, want invalid_credentials or rate_limited", err)
					continue
				}
				counts[e.Code]++
			}
			want := map[apperr.Code]int{apperr.InvalidCredentials: tt.wantCounted}
			if tt.attempts > tt.wantCounted {
				want[apperr.RateLimited] = tt.attempts - tt.wantCounted
			}
			if diff := cmp.Diff(want, counts); diff != "" {
				t.Errorf("answers by code (-want +got):\n%s", diff)
			}
			if u := storedUser(t, st, a.User.ID); !u.Failures.LockedUntil.After(c.t) {
				t.Errorf("got locked until %v, want the account locked", u.Failures.LockedUntil)
			}
			evs := eventTypes(t, svc, a.User.ID)
			var failed, locked int
			for _, e := range evs {
				switch e {
				case user.EventLoginFailed:
					failed++
				case user.EventLocked:
					locked++
				}
			}
			if failed != tt.wantCounted || locked != 1 {
				t.Errorf("got %d login_failed and %d locked events, want %d and 1", failed, locked, tt.wantCounted)
			}
			lockRetry(t, svc, "conc@example.com")
		})
	}
}

// --- TOTP ---

var recoveryShape = regexp.MustCompile(`^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`)

func TestTOTPEnrollment(t *testing.T) {
	svc, st, c := newService(t)
	a := signUp(t, svc, "tom@example.com")
	saveUser(t, st, a.User.ID, func(u *user.User) { u.EmailVerified = true }) // notices go to a confirmed address
	p := reauthed(t, svc, a.Token)
	en, err := svc.BeginTOTP(t.Context(), p)
	if err != nil {
		t.Fatalf("BeginTOTP: %v", err)
	}
	u, err := url.Parse(en.OTPAuthURL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != en.Secret || en.Secret == "" ||
		!strings.Contains(u.Path, "tom@example.com") {
		t.Errorf("got secret %q, url %q; want an otpauth://totp/ URL of tom@example.com with the secret", en.Secret, en.OTPAuthURL)
	}
	if principal(t, svc, a.Token).User.MFAEnabled {
		t.Error("got MFA on before confirmation, want off")
	}
	mustLogin(t, svc, "tom@example.com", goodPassword) // pending: no second factor yet

	tests := []struct {
		name string
		code string
		want apperr.Code
	}{
		{"missing", "", apperr.ValidationFailed},
		{"wrong", wrongTOTP(t, en.Secret, c.t), apperr.InvalidCode},
		{"not digits", "abcdef", apperr.InvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.ConfirmTOTP(t.Context(), p, tt.code, user.Client{})
			checkErr(t, "ConfirmTOTP", err, tt.want)
		})
	}

	codes, err := svc.ConfirmTOTP(t.Context(), p, totpAt(t, en.Secret, c.t), user.Client{})
	if err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	seen := map[string]bool{}
	for _, rc := range codes {
		if !recoveryShape.MatchString(rc) || seen[rc] {
			t.Errorf("got recovery code %q, want a new xxxxx-xxxxx", rc)
		}
		seen[rc] = true
	}
	if len(codes) != 10 {
		t.Errorf("got %d recovery codes, want 10", len(codes))
	}
	p = principal(t, svc, a.Token)
	if !p.User.MFAEnabled {
		t.Error("got MFA off after confirmation, want on")
	}
	lastMail(t, st, mail.KindMFAEnabled, "tom@example.com")
	if got := eventTypes(t, svc, a.User.ID); got[0] != user.EventMFAEnabled {
		t.Errorf("got events %v, want %s first", got, user.EventMFAEnabled)
	}
	_, err = svc.BeginTOTP(t.Context(), p)
	checkErr(t, "BeginTOTP with MFA on", err, apperr.Conflict)
	_, err = svc.ConfirmTOTP(t.Context(), p, totpAt(t, en.Secret, c.t.Add(30*time.Second)), user.Client{})
	checkErr(t, "ConfirmTOTP with MFA on", err, apperr.Conflict)
}

func TestConfirmTOTPWithoutEnrollment(t *testing.T) {
	svc, _, c := newService(t)
	a := signUp(t, svc, "nat@example.com")
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.ConfirmTOTP(t.Context(), principal(t, svc, a.Token), totpAt(t, secret, c.t), user.Client{})
	checkErr(t, "ConfirmTOTP without BeginTOTP", err, apperr.InvalidCode)
}

func TestTOTPSignIn(t *testing.T) {
	svc, _, c := newService(t)
	a := signUp(t, svc, "mia@example.com")
	secret, recovery := enableTOTP(t, svc, c, a.Token)

	tok := mfaToken(t, svc, "mia@example.com")
	code := totpAt(t, secret, c.t)
	got, err := svc.CompleteMFA(t.Context(), tok, code, user.Client{})
	if err != nil {
		t.Fatalf("CompleteMFA with a TOTP code: %v", err)
	}
	if got.User.ID != a.User.ID {
		t.Errorf("got user %s, want %s", got.User.ID, a.User.ID)
	}
	principal(t, svc, got.Token)

	// The same TOTP code again, with a new token: a replay.
	tok2 := mfaToken(t, svc, "mia@example.com")
	_, err = svc.CompleteMFA(t.Context(), tok2, code, user.Client{})
	checkErr(t, "replayed TOTP code", err, apperr.InvalidCode)

	// A recovery code works once; its form is forgiving.
	if _, err := svc.CompleteMFA(t.Context(), tok2, recovery[0], user.Client{}); err != nil {
		t.Fatalf("CompleteMFA with a recovery code: %v", err)
	}
	tok3 := mfaToken(t, svc, "mia@example.com")
	_, err = svc.CompleteMFA(t.Context(), tok3, recovery[0], user.Client{})
	checkErr(t, "used recovery code", err, apperr.InvalidCode)
	if _, err := svc.CompleteMFA(t.Context(), tok3, strings.ToUpper(strings.ReplaceAll(recovery[1], "-", " ")), user.Client{}); err != nil {
		t.Errorf("CompleteMFA with an upper-case recovery code: %v", err)
	}

	// The next step's code is fresh.
	c.t = c.t.Add(30 * time.Second)
	tok4 := mfaToken(t, svc, "mia@example.com")
	if _, err := svc.CompleteMFA(t.Context(), tok4, totpAt(t, secret, c.t), user.Client{}); err != nil {
		t.Errorf("CompleteMFA with the next step's code: %v", err)
	}
}

func TestCompleteMFARejectsTokens(t *testing.T) {
	tests := []struct {
		name  string
		token func(t *testing.T, svc *user.Service, c *clock, secret string) string
		want  apperr.Code
	}{
		{"missing", func(*testing.T, *user.Service, *clock, string) string { return "" }, apperr.ValidationFailed},
		{"garbage", func(*testing.T, *user.Service, *clock, string) string { return "garbage" }, apperr.InvalidCredentials},
		{"session token", func(t *testing.T, svc *user.Service, _ *clock, _ string) string {
			return mustLogin(t, svc, "other@example.com", goodPassword).Token
		}, apperr.InvalidCredentials},
		{"never issued", func(t *testing.T, svc *user.Service, _ *clock, _ string) string {
			tok := mfaToken(t, svc, "zoe@example.com")
			uid, _, _ := strings.Cut(tok, ".")
			return unknownCode(t, uid)
		}, apperr.InvalidCredentials},
		{"used", func(t *testing.T, svc *user.Service, c *clock, secret string) string {
			tok := mfaToken(t, svc, "zoe@example.com")
			if _, err := svc.CompleteMFA(t.Context(), tok, totpAt(t, secret, c.t), user.Client{}); err != nil {
				t.Fatal(err)
			}
			c.t = c.t.Add(30 * time.Second)
			return tok
		}, apperr.InvalidCredentials},
		{"expired", func(t *testing.T, svc *user.Service, c *clock, _ string) string {
			tok := mfaToken(t, svc, "zoe@example.com")
			c.t = c.t.Add(5*time.Minute + time.Second)
			return tok
		}, apperr.InvalidCredentials},
		{"MFA turned off since", func(t *testing.T, svc *user.Service, c *clock, secret string) string {
			tok := mfaToken(t, svc, "zoe@example.com")
			a := mustLoginMFA(t, svc, c, secret)
			if err := svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), goodPassword, totpAt(t, secret, c.t), user.Client{}); err != nil {
				t.Fatal(err)
			}
			return tok
		}, apperr.InvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _, c := newService(t)
			a := signUp(t, svc, "zoe@example.com")
			signUp(t, svc, "other@example.com")
			secret, _ := enableTOTP(t, svc, c, a.Token)
			tok := tt.token(t, svc, c, secret)
			_, err := svc.CompleteMFA(t.Context(), tok, totpAt(t, secret, c.t), user.Client{})
			checkErr(t, "CompleteMFA", err, tt.want)
		})
	}
}

// mustLoginMFA signs zoe in with a TOTP code and moves the clock to the next step.
func mustLoginMFA(t *testing.T, svc *user.Service, c *clock, secret string) *user.Auth {
	t.Helper()
	a, err := svc.CompleteMFA(t.Context(), mfaToken(t, svc, "zoe@example.com"), totpAt(t, secret, c.t), user.Client{})
	if err != nil {
		t.Fatalf("CompleteMFA: %v", err)
	}
	c.t = c.t.Add(30 * time.Second)
	return a
}

func TestCompleteMFAWrongCodesLock(t *testing.T) {
	svc, st, c := newService(t)
	a := signUp(t, svc, "kim@example.com")
	secret, _ := enableTOTP(t, svc, c, a.Token)
	tok := mfaToken(t, svc, "kim@example.com")
	wrong := []string{wrongTOTP(t, secret, c.t), "aaaaa-aaaaa", "not a code at all"}
	_, err := svc.CompleteMFA(t.Context(), tok, wrong[0], user.Client{IP: "10.5.5.5"})
	checkErr(t, "wrong TOTP code", err, apperr.InvalidCode)
	if u := storedUser(t, st, a.User.ID); u.Failures.Count != 1 {
		t.Errorf("got fail count %d after a wrong code, want 1", u.Failures.Count)
	}
	evs, err := svc.Events(t.Context(), a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Type != user.EventLoginFailed || evs[0].Detail["reason"] != "wrong_mfa_code" || evs[0].IP != "10.5.5.5" {
		t.Errorf("got newest event %+v, want login_failed wrong_mfa_code from 10.5.5.5", evs[0])
	}
	for i := 1; i < 10; i++ {
		_, err := svc.CompleteMFA(t.Context(), tok, wrong[i%len(wrong)], user.Client{})
		checkErr(t, "wrong code", err, apperr.InvalidCode)
	}
	_, err = svc.CompleteMFA(t.Context(), tok, totpAt(t, secret, c.t), user.Client{})
	checkLocked(t, "right code after 10 wrong ones", err, 15*time.Minute)
	if got := lockRetry(t, svc, "kim@example.com"); got != 15*time.Minute {
		t.Errorf("got Retry-After %v, want 15m", got)
	}
}

func TestDisableTOTP(t *testing.T) {
	tests := []struct {
		name     string
		password string
		code     func(t *testing.T, secret string, recovery []string, now time.Time) string
		want     apperr.Code
		field    string // with validation_failed
		fcode    string
	}{
		{"wrong password", "not-" + goodPassword, func(t *testing.T, s string, _ []string, now time.Time) string { return totpAt(t, s, now) },
			apperr.ValidationFailed, "password", apperr.FieldInvalidPassword},
		{"missing password", "", func(t *testing.T, s string, _ []string, now time.Time) string { return totpAt(t, s, now) },
			apperr.ReauthenticationRequired, "", ""},
		{"missing code", goodPassword, func(*testing.T, string, []string, time.Time) string { return "" },
			apperr.ValidationFailed, "code", apperr.FieldRequired},
		{"wrong code", goodPassword, func(t *testing.T, s string, _ []string, now time.Time) string { return wrongTOTP(t, s, now) },
			apperr.InvalidCode, "", ""},
		{"TOTP code", goodPassword, func(t *testing.T, s string, _ []string, now time.Time) string { return totpAt(t, s, now) },
			"", "", ""},
		{"recovery code", goodPassword, func(_ *testing.T, _ string, r []string, _ time.Time) string { return r[3] },
			"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, c := newService(t)
			a := signUp(t, svc, "dee@example.com")
			saveUser(t, st, a.User.ID, func(u *user.User) { u.EmailVerified = true }) // notices go to a confirmed address
			secret, recovery := enableTOTP(t, svc, c, a.Token)
			c.t = c.t.Add(6 * time.Minute) // past the window enrolling opened
			p := principal(t, svc, a.Token)
			err := svc.DisableTOTP(t.Context(), p, tt.password, tt.code(t, secret, recovery, c.t), user.Client{})
			if tt.field != "" {
				checkField(t, "DisableTOTP", err, tt.field, tt.fcode)
			} else {
				checkErr(t, "DisableTOTP", err, tt.want)
			}
			if tt.want != "" {
				mfaToken(t, svc, "dee@example.com") // still on
				return
			}
			mustLogin(t, svc, "dee@example.com", goodPassword)
			if principal(t, svc, a.Token).User.MFAEnabled {
				t.Error("got MFA on after DisableTOTP, want off")
			}
			lastMail(t, st, mail.KindMFADisabled, "dee@example.com")
			err = svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), goodPassword, totpAt(t, secret, c.t), user.Client{})
			checkErr(t, "DisableTOTP with MFA off", err, apperr.InvalidCode)
		})
	}
}

// --- admin sign-in ---

func TestAdminLogin(t *testing.T) {
	svc, _, _ := newService(t)
	if _, err := svc.EnsureAdmin(t.Context(), "root@example.com", goodPassword); err != nil {
		t.Fatal(err)
	}
	signUp(t, svc, "mem@example.com")
	tests := []struct {
		name, login, password string
		want                  apperr.Code
	}{
		{"admin", "root@example.com", goodPassword, ""},
		{"admin, wrong password", "root@example.com", "not-" + goodPassword, apperr.InvalidCredentials},
		{"member, right password", "mem@example.com", goodPassword, apperr.InvalidCredentials},
		{"member, wrong password", "mem@example.com", "not-" + goodPassword, apperr.InvalidCredentials},
		{"unknown", "who@example.com", goodPassword, apperr.InvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := svc.AdminLogin(t.Context(), user.LoginInput{Login: tt.login, Password: tt.password})
			checkErr(t, "AdminLogin", err, tt.want)
			if tt.want == "" && (a == nil || a.User.Role != user.RoleAdmin || a.Token == "") {
				t.Errorf("got %+v, want an admin session", a)
			}
		})
	}
	// The member still signs in where members do.
	mustLogin(t, svc, "mem@example.com", goodPassword)
}

// --- account deletion ---

func TestDeleteAccount(t *testing.T) {
	svc, st, _ := newService(t)
	phone := "+14155550111"
	a, err := svc.Register(t.Context(), user.Registration{Email: "del@example.com", Password: goodPassword,
		Profile: user.Profile{Phone: &phone}})
	if err != nil {
		t.Fatal(err)
	}
	other := mustLogin(t, svc, "del@example.com", goodPassword)
	p := principal(t, svc, a.Token)

	checkField(t, "DeleteAccount with a wrong password", svc.DeleteAccount(t.Context(), p, "not-"+goodPassword, user.Client{}), "password", apperr.FieldInvalidPassword)
	checkErr(t, "DeleteAccount without a proof", svc.DeleteAccount(t.Context(), p, "", user.Client{}), apperr.ReauthenticationRequired)
	principal(t, svc, a.Token)

	saveUser(t, st, a.User.ID, func(u *user.User) { u.EmailVerified = true }) // the notice goes only to a confirmed address
	p = principal(t, svc, a.Token)
	if err := svc.DeleteAccount(t.Context(), p, goodPassword, user.Client{}); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	for name, tok := range map[string]string{"caller's": a.Token, "other session's": other.Token} {
		_, err := svc.Authenticate(t.Context(), tok)
		checkErr(t, name+" token after deletion", err, apperr.Unauthenticated)
	}
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "del@example.com", Password: goodPassword})
	checkErr(t, "login after deletion", err, apperr.InvalidCredentials)
	if evs, err := svc.Events(t.Context(), a.User.ID); err != nil || len(evs) != 0 {
		t.Errorf("got events %v, %v; want none", evs, err)
	}
	lastMail(t, st, mail.KindAccountDeleted, "del@example.com")
	// The email and the phone are free at once.
	b, err := svc.Register(t.Context(), user.Registration{Email: "del@example.com", Password: newPassword,
		Profile: user.Profile{Phone: &phone}})
	if err != nil {
		t.Fatalf("Register again: %v", err)
	}
	if b.User.ID == a.User.ID {
		t.Error("got the old user id again, want a new account")
	}
	mustLogin(t, svc, "del@example.com", newPassword)
	if got := eventTypes(t, svc, b.User.ID); len(got) != 2 {
		t.Errorf("got events %v of the new account, want its own two", got)
	}
	// An account whose address was never confirmed goes without mailing it: whoever signed
	// up someone else's address cannot mail its owner by deleting the account again and again.
	if err := svc.DeleteAccount(t.Context(), principal(t, svc, b.Token), newPassword, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if n := len(mailsOf(st, mail.KindAccountDeleted, "del@example.com")); n != 1 {
		t.Errorf("%d deletion notices to del@example.com, want only the confirmed account's", n)
	}
}

// --- security log ---

func TestEvents(t *testing.T) {
	svc, _, c := newService(t)
	start := c.t
	clients := []user.Client{
		{IP: "198.51.100.1", UserAgent: "ua-register"},
		{IP: "198.51.100.2", UserAgent: "ua-login"},
		{IP: "198.51.100.3", UserAgent: "ua-fail"},
		{IP: "198.51.100.4", UserAgent: "ua-change"},
	}
	a, err := svc.Register(t.Context(), user.Registration{Email: "evan@example.com", Password: goodPassword, Client: clients[0]})
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	b, err := svc.Login(t.Context(), user.LoginInput{Login: "evan@example.com", Password: goodPassword, Client: clients[1]})
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "evan@example.com", Password: "wrong-password", Client: clients[2]})
	checkErr(t, "wrong password", err, apperr.InvalidCredentials)
	c.t = c.t.Add(time.Minute)
	err = svc.ChangePassword(t.Context(), principal(t, svc, b.Token),
		user.PasswordChange{Current: goodPassword, New: newPassword, Confirm: newPassword}, clients[3])
	if err != nil {
		t.Fatal(err)
	}

	type ev struct {
		Type, IP, UserAgent string
		At                  time.Time
		Detail              map[string]string
	}
	want := []ev{
		{user.EventPasswordChanged, "198.51.100.4", "ua-change", start.Add(3 * time.Minute), nil},
		{user.EventLoginFailed, "198.51.100.3", "ua-fail", start.Add(2 * time.Minute), map[string]string{"reason": "wrong_password"}},
		{user.EventLoginSucceeded, "198.51.100.2", "ua-login", start.Add(time.Minute), map[string]string{"session_id": sessionID(t, b.Token), "method": "pwd"}},
		{user.EventAccountCreated, "198.51.100.1", "ua-register", start, nil},
	}
	evs, err := svc.Events(t.Context(), a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []ev
	for _, e := range evs {
		if e.UserID != a.User.ID {
			t.Errorf("got event of user %s, want %s", e.UserID, a.User.ID)
		}
		got = append(got, ev{e.Type, e.IP, e.UserAgent, e.At, e.Detail})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events, newest first (-want +got):\n%s", diff)
	}
}
