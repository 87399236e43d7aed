package user_test

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// The defences against account takeover: re-authentication, email change and revert, the
// lock that tells nothing, idle sessions, mail limits, codes and passwords.

// countingHasher counts what the service asks of the password hasher.
type countingHasher struct {
	auth.Hasher
	hashes, verifies, burns atomic.Int64
}

func (h *countingHasher) Hash(p string) (string, error) { h.hashes.Add(1); return h.Hasher.Hash(p) }
func (h *countingHasher) Verify(p, hash string) (bool, bool, error) {
	h.verifies.Add(1)
	return h.Hasher.Verify(p, hash)
}
func (h *countingHasher) Burn(p string) { h.burns.Add(1); h.Hasher.Burn(p) }

func newCountingService(t *testing.T, o user.Options) (*user.Service, *memstore.Store, *clock, *countingHasher) {
	t.Helper()
	st := memstore.New()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	h := &countingHasher{Hasher: fastHasher}
	if o.SessionTTL == 0 {
		o.SessionTTL = 30 * 24 * time.Hour
	}
	if o.Secrets == nil {
		o.Secrets = newTestSecrets()
	}
	o.AllowConfirmationURL = func(u *url.URL) bool { return u.Host == "app.example.com" }
	return user.NewService(st, h, c.now, o), st, c, h
}

// --- re-authentication ---

func TestSignInDoesNotOpenTheWindow(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "win@example.com")
	l := mustLogin(t, svc, "win@example.com", goodPassword)
	email := "new-win@example.com"
	phone := "+14155550123"
	sensitive := map[string]func(p *user.Principal) error{
		"email change": func(p *user.Principal) error {
			_, err := svc.UpdateProfile(t.Context(), p, user.Patch{Email: &email}, user.Client{})
			return err
		},
		"phone change": func(p *user.Principal) error {
			_, err := svc.UpdateProfile(t.Context(), p, user.Patch{Profile: user.Profile{Phone: &phone}}, user.Client{})
			return err
		},
		"TOTP on": func(p *user.Principal) error { _, err := svc.BeginTOTP(t.Context(), p); return err },
		"password change": func(p *user.Principal) error {
			return svc.ChangePassword(t.Context(), p, user.PasswordChange{New: newPassword, Confirm: newPassword}, user.Client{})
		},
		"self-delete": func(p *user.Principal) error { return svc.DeleteAccount(t.Context(), p, "", user.Client{}) },
	}
	for name, change := range sensitive {
		for _, tok := range []string{a.Token, l.Token} {
			checkErr(t, name+" right after a sign-in", change(principal(t, svc, tok)), apperr.ReauthenticationRequired)
		}
	}
	if u := storedUser(t, st, a.User.ID); u.PendingEmail != "" || u.Phone != "" || u.MFAEnabled {
		t.Fatalf("a refused change was applied: %+v", u)
	}
	// A non-sensitive change needs nothing.
	name := "Win"
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, l.Token), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{}); err != nil {
		t.Errorf("a name change: %v", err)
	}

	until, err := svc.Reauthenticate(t.Context(), principal(t, svc, l.Token), user.ReauthInput{Password: goodPassword}, user.Client{})
	if err != nil || !until.Equal(c.t.Add(5*time.Minute)) {
		t.Fatalf("Reauthenticate = %v, %v; want now+5m", until, err)
	}
	if got := eventTypes(t, svc, a.User.ID)[0]; got != user.EventReauthenticated {
		t.Errorf("newest event %s, want %s", got, user.EventReauthenticated)
	}
	// The window is the session's own: the other session still may not.
	checkErr(t, "email change in another session", sensitive["email change"](principal(t, svc, a.Token)), apperr.ReauthenticationRequired)
	if err := sensitive["email change"](principal(t, svc, l.Token)); err != nil {
		t.Errorf("email change in the re-authenticated session: %v", err)
	}
	c.t = c.t.Add(5*time.Minute + time.Second)
	checkErr(t, "phone change after the window", sensitive["phone change"](principal(t, svc, l.Token)), apperr.ReauthenticationRequired)
	// The current password in the request is a proof too, and opens the window.
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, l.Token), user.Patch{Profile: user.Profile{Phone: &phone},
		CurrentPassword: goodPassword}, user.Client{}); err != nil {
		t.Errorf("phone change with current_password: %v", err)
	}
	if err := sensitive["TOTP on"](principal(t, svc, l.Token)); err != nil {
		t.Errorf("TOTP after a request that carried the password: %v", err)
	}
	wrong := "x" + goodPassword
	_, err = svc.UpdateProfile(t.Context(), principal(t, svc, a.Token), user.Patch{Email: &email, CurrentPassword: wrong}, user.Client{})
	checkField(t, "email change with a wrong current_password", err, "current_password", apperr.FieldInvalidPassword)
}

// The reauthenticated event names every factor proved, as a sign-in's methods do.
func TestReauthenticatedEventNamesTheFactors(t *testing.T) {
	svc, _, c := newService(t)
	a := signUp(t, svc, "factors@example.com")
	method := func() string {
		t.Helper()
		evs, err := svc.Events(t.Context(), a.User.ID)
		if err != nil || len(evs) == 0 || evs[0].Type != user.EventReauthenticated {
			t.Fatalf("newest event: %v %v, want reauthenticated", evs, err)
		}
		return evs[0].Detail["method"]
	}
	reauthed(t, svc, a.Token)
	if got := method(); got != "pwd" {
		t.Errorf("password alone: method %q, want pwd", got)
	}
	secret, _ := enableTOTP(t, svc, c, a.Token)
	c.t = c.t.Add(time.Minute)
	if _, err := svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: goodPassword, Code: totpAt(t, secret, c.t)}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if got := method(); got != "pwd+otp" {
		t.Errorf("password and TOTP: method %q, want pwd+otp", got)
	}
}

func TestReauthenticateWrongProofsLock(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "lock@example.com")
	p := principal(t, svc, a.Token)
	_, err := svc.Reauthenticate(t.Context(), p, user.ReauthInput{}, user.Client{})
	checkField(t, "no password", err, "password", apperr.FieldRequired)
	for i := range 9 {
		_, err := svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: "wrong-" + goodPassword}, user.Client{})
		checkField(t, fmt.Sprintf("wrong password %d", i+1), err, "password", apperr.FieldInvalidPassword)
	}
	if u := storedUser(t, st, a.User.ID); u.Failures.Count != 9 {
		t.Fatalf("failures %d, want 9", u.Failures.Count)
	}
	_, _ = svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: "wrong-" + goodPassword}, user.Client{})
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "lock@example.com", Password: goodPassword})
	checkLocked(t, "sign-in after ten wrong re-authentications", err, 15*time.Minute)
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: goodPassword}, user.Client{})
	checkLocked(t, "re-authentication while locked", err, 15*time.Minute)

	// With MFA on, the second factor is needed too, and a wrong one counts.
	c.t = c.t.Add(time.Hour)
	m := signUp(t, svc, "mfa-lock@example.com")
	secret, _ := enableTOTP(t, svc, c, m.Token)
	c.t = c.t.Add(6 * time.Minute)
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, m.Token), user.ReauthInput{Password: goodPassword}, user.Client{})
	checkField(t, "MFA on, no code", err, "code", apperr.FieldRequired)
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, m.Token), user.ReauthInput{Password: goodPassword, Code: wrongTOTP(t, secret, c.t)}, user.Client{})
	checkErr(t, "MFA on, wrong code", err, apperr.InvalidCode)
	if u := storedUser(t, st, m.User.ID); u.Failures.Count != 1 {
		t.Errorf("failures after a wrong code %d, want 1", u.Failures.Count)
	}
	code := totpAt(t, secret, c.t)
	if _, err := svc.Reauthenticate(t.Context(), principal(t, svc, m.Token), user.ReauthInput{Password: goodPassword, Code: code}, user.Client{}); err != nil {
		t.Fatalf("Reauthenticate with the code: %v", err)
	}
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, m.Token), user.ReauthInput{Password: goodPassword, Code: code}, user.Client{})
	checkErr(t, "the same code again", err, apperr.InvalidCode)
}

// --- email change defences ---

func TestEmailChangeEndsOtherSessionsAndReverts(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "owner@example.com")
	owner := mustLogin(t, svc, "owner@example.com", goodPassword) // the owner's other device
	thief := mustLogin(t, svc, "owner@example.com", goodPassword)
	p := reauthed(t, svc, thief.Token)
	email := "thief@example.net"
	if _, err := svc.UpdateProfile(t.Context(), p, user.Patch{Email: &email}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	code := mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, email))
	if _, err := svc.ConfirmEmail(t.Context(), code, principal(t, svc, thief.Token), user.Client{}); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"sign-up": a.Token, "owner": owner.Token} {
		if _, err := svc.Authenticate(t.Context(), tok); !errors.Is(err, user.ErrUnauthenticated) {
			t.Errorf("%s session after the change: %v, want unauthenticated", name, err)
		}
	}
	principal(t, svc, thief.Token) // the confirming session stays

	notice := lastMail(t, st, mail.KindEmailChanged, "owner@example.com")
	if notice.Code == "" || !notice.ExpiresAt.Equal(c.t.Add(7*24*time.Hour)) {
		t.Fatalf("notice %+v, want a revert code valid 7 days", notice)
	}
	c.t = c.t.Add(6 * 24 * time.Hour)
	u, err := svc.RevertEmail(t.Context(), notice.Code, user.Client{})
	if err != nil || u.Email != "owner@example.com" || u.PendingEmail != "" || !u.EmailVerified {
		t.Fatalf("RevertEmail = %+v, %v; want the old address back", u, err)
	}
	if _, err := svc.Authenticate(t.Context(), thief.Token); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("the changer's session after the revert: %v, want unauthenticated", err)
	}
	if got := eventTypes(t, svc, a.User.ID)[0]; got != user.EventEmailChangeReverted {
		t.Errorf("newest event %s, want %s", got, user.EventEmailChangeReverted)
	}
	_, err = svc.Login(t.Context(), user.LoginInput{Login: email, Password: goodPassword})
	checkErr(t, "sign-in with the thief's address", err, apperr.InvalidCredentials)
	mustLogin(t, svc, "owner@example.com", goodPassword)
	_, err = svc.RevertEmail(t.Context(), notice.Code, user.Client{})
	checkErr(t, "the revert code again", err, apperr.InvalidCode)
}

// A thief who moved the account through several addresses holds the revert codes of the
// later changes. The owner's revert ends them; the thief's revert of a later change does
// not end the owner's code of an earlier one.
func TestARevertEndsTheRevertCodesOfLaterChanges(t *testing.T) {
	svc, st, _, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "first@example.com")
	thief := mustLogin(t, svc, "first@example.com", goodPassword)
	revertCodes := map[string]string{} // address restored -> code
	prev := "first@example.com"
	for _, email := range []string{"second@example.net", "third@example.net", "fourth@example.net"} {
		e := email
		if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, thief.Token), user.Patch{Email: &e, CurrentPassword: goodPassword}, user.Client{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ConfirmEmail(t.Context(), mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, e)), principal(t, svc, thief.Token), user.Client{}); err != nil {
			t.Fatal(err)
		}
		revertCodes[prev] = lastMail(t, st, mail.KindEmailChanged, prev).Code
		prev = e
	}
	revert := func(to string) error {
		_, err := svc.RevertEmail(t.Context(), revertCodes[to], user.Client{})
		return err
	}
	// The thief goes back one step: the owner's code still works.
	if err := revert("third@example.net"); err != nil {
		t.Fatalf("the thief's revert to the third address: %v", err)
	}
	// The owner takes the account back; every later code ends with it.
	if err := revert("first@example.com"); err != nil {
		t.Fatalf("the owner's revert after the thief's: %v", err)
	}
	checkErr(t, "a later change's revert code after the owner's revert", revert("second@example.net"), apperr.InvalidCode)
	u, err := st.User(t.Context(), a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "first@example.com" {
		t.Fatalf("address after the thief's try: %s, want the owner's", u.Email)
	}
	// A change after the revert has a revert code that works.
	owner := mustLogin(t, svc, "first@example.com", goodPassword)
	e := "fifth@example.com"
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, owner.Token), user.Patch{Email: &e, CurrentPassword: goodPassword}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmEmail(t.Context(), mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, e)), nil, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevertEmail(t.Context(), lastMail(t, st, mail.KindEmailChanged, "first@example.com").Code, user.Client{}); err != nil {
		t.Errorf("the revert code of a change after a revert: %v", err)
	}
}

func TestRevertCodeExpires(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "late@example.com")
	email := "later@example.com"
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, a.Token), user.Patch{Email: &email, CurrentPassword: goodPassword}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmEmail(t.Context(), mailCode(t, lastMail(t, st, mail.KindEmailChangeCode, email)), nil, user.Client{}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(7*24*time.Hour + time.Second)
	_, err := svc.RevertEmail(t.Context(), lastMail(t, st, mail.KindEmailChanged, "late@example.com").Code, user.Client{})
	checkErr(t, "a revert code after 7 days", err, apperr.InvalidCode)
	// And the old address is free again for anyone.
	signUp(t, svc, "late@example.com")
}

func TestTurningMFAOnEndsOtherSessions(t *testing.T) {
	svc, _, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "two@example.com")
	other := mustLogin(t, svc, "two@example.com", goodPassword)
	enableTOTP(t, svc, c, a.Token)
	if _, err := svc.Authenticate(t.Context(), other.Token); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("another session after MFA on: %v, want unauthenticated", err)
	}
	principal(t, svc, a.Token)
}

// --- the lock tells nothing ---

func TestUnknownLoginsLockLikeAccounts(t *testing.T) {
	svc, _, _, h := newCountingService(t, user.Options{Throttle: user.Throttle{MaxIPFailures: 1000}})
	signUp(t, svc, "real@example.com")
	for _, login := range []string{"real@example.com", "ghost@example.com"} {
		for i := range 10 {
			_, err := svc.Login(t.Context(), user.LoginInput{Login: login, Password: "wrong-" + goodPassword, Client: user.Client{IP: "203.0.113.7"}})
			checkErr(t, fmt.Sprintf("%s failure %d", login, i+1), err, apperr.InvalidCredentials)
		}
		spent := h.verifies.Load() + h.burns.Load()
		_, err := svc.Login(t.Context(), user.LoginInput{Login: login, Password: goodPassword, Client: user.Client{IP: "203.0.113.7"}})
		checkLocked(t, login+" 11th try", err, 15*time.Minute)
		// A locked login spends a hash as an open one does: no answer comes faster.
		if got := h.verifies.Load() + h.burns.Load() - spent; got != 1 {
			t.Errorf("%s locked: %d hashes spent, want 1", login, got)
		}
	}
}

// --- sessions ---

func TestIdleSessionsEnd(t *testing.T) {
	svc, _, c, _ := newCountingService(t, user.Options{SessionIdle: 7 * 24 * time.Hour})
	a := signUp(t, svc, "idle@example.com")
	busy := mustLogin(t, svc, "idle@example.com", goodPassword)
	for range 13 {
		c.t = c.t.Add(12 * time.Hour)
		principal(t, svc, busy.Token) // each request keeps it alive
	}
	c.t = c.t.Add(12 * time.Hour) // a.Token was last seen 7 days ago
	for name, call := range map[string]func() error{
		"Authenticate": func() error { _, err := svc.Authenticate(t.Context(), a.Token); return err },
		"Sessions":     func() error { _, err := svc.Sessions(t.Context(), a.Token); return err },
		"Wishlist":     func() error { _, _, err := svc.Wishlist(t.Context(), a.Token); return err },
		"Logout":       func() error { return svc.Logout(t.Context(), a.Token, false, user.Client{}) },
	} {
		if err := call(); !errors.Is(err, user.ErrUnauthenticated) {
			t.Errorf("%s with an idle session: %v, want unauthenticated", name, err)
		}
	}
	list, err := svc.Sessions(t.Context(), busy.Token)
	if err != nil || len(list.Sessions) != 1 {
		t.Errorf("Sessions = %v, %v; want only the busy one", list, err)
	}
}

// --- mail ---

// Anyone can sign up with someone else's address: until it is confirmed, what the holder
// does (a password changed, TOTP on and off) mails its owner nothing, however often.
func TestSecurityNoticesGoOnlyToAConfirmedAddress(t *testing.T) {
	svc, st, c := newService(t)
	a := signUp(t, svc, "owner@example.com")
	for range 2 {
		secret, _ := enableTOTP(t, svc, c, a.Token)
		c.t = c.t.Add(6 * time.Minute)
		if err := svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), goodPassword, totpAt(t, secret, c.t), user.Client{}); err != nil {
			t.Fatalf("DisableTOTP: %v", err)
		}
		c.t = c.t.Add(time.Minute)
	}
	change := func(from, to string) {
		t.Helper()
		p := principal(t, svc, a.Token)
		if _, err := svc.Reauthenticate(t.Context(), p, user.ReauthInput{Password: from}, user.Client{}); err != nil {
			t.Fatalf("Reauthenticate: %v", err)
		}
		err := svc.ChangePassword(t.Context(), principal(t, svc, a.Token), user.PasswordChange{Current: from, New: to, Confirm: to}, user.Client{})
		if err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
	}
	change(goodPassword, newPassword)
	for _, kind := range []string{mail.KindPasswordChanged, mail.KindMFAEnabled, mail.KindMFADisabled} {
		if got := mailsOf(st, kind, "owner@example.com"); len(got) != 0 {
			t.Errorf("%d %s mails to an unconfirmed address, want none", len(got), kind)
		}
	}
	saveUser(t, st, a.User.ID, func(u *user.User) { u.EmailVerified = true })
	change(newPassword, goodPassword)
	lastMail(t, st, mail.KindPasswordChanged, "owner@example.com")
}

func TestEveryMailKindCountsTowardTheLimit(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	target := "victim@example.com"
	for i := range 6 {
		a := signUp(t, svc, fmt.Sprintf("changer%d@example.com", i))
		_, err := svc.UpdateProfile(t.Context(), principal(t, svc, a.Token), user.Patch{Email: &target, CurrentPassword: goodPassword}, user.Client{})
		if i < 5 {
			checkErr(t, fmt.Sprintf("email change %d", i+1), err, "")
		} else {
			checkLocked(t, "6th email change to one address in an hour", err, time.Hour)
		}
	}
	if got := len(mailsOf(st, mail.KindEmailChangeCode, target)); got != 5 {
		t.Errorf("%d code mails to %s, want 5: the 6th sends nothing", got, target)
	}
	// Invitations count too: an account invited, deleted and invited again, six times.
	c.t = c.t.Add(time.Hour)
	admin := adminPrincipal(t, svc, "root@example.com")
	for i := range 6 {
		u, _, err := svc.CreateUser(t.Context(), admin, user.AdminCreate{Email: "invited@example.com",
			ConfirmationURL: "https://app.example.com/c?code={{code}}"}, user.Client{})
		if i == 5 {
			checkLocked(t, "6th invitation in an hour", err, time.Hour)
			break
		}
		if err != nil {
			t.Fatalf("invitation %d: %v", i+1, err)
		}
		if err := svc.DeleteUser(t.Context(), admin, u.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(mailsOf(st, mail.KindInvite, "invited@example.com")); got != 5 {
		t.Errorf("%d invitations sent, want 5", got)
	}
}

func TestNoNameInMailToAnUnconfirmedAddress(t *testing.T) {
	svc, st, _, _ := newCountingService(t, user.Options{})
	first := "<a href=https://evil.example>Click</a>"
	a, err := svc.Register(t.Context(), user.Registration{Email: "unconfirmed@example.com", Password: goodPassword,
		Profile: user.Profile{FirstName: &first}, Client: user.Client{IP: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := lastMail(t, st, mail.KindVerifyEmail, "unconfirmed@example.com"); m.Name != "" {
		t.Errorf("verification mail carries the name %q", m.Name)
	}
	if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: "unconfirmed@example.com"}); err != nil {
		t.Fatal(err)
	}
	if m := lastMail(t, st, mail.KindResetPassword, "unconfirmed@example.com"); m.Name != "" {
		t.Errorf("reset mail to an unconfirmed address carries the name %q", m.Name)
	}
	email := "next@example.com"
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, a.Token), user.Patch{Email: &email, CurrentPassword: goodPassword}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if m := lastMail(t, st, mail.KindEmailChangeCode, email); m.Name != "" {
		t.Errorf("email change code mail carries the name %q", m.Name)
	}
}

// --- codes and passwords ---

func TestResetChecksTheCodeBeforeHashing(t *testing.T) {
	svc, st, _, h := newCountingService(t, user.Options{ResetLimitPerHour: 3})
	signUp(t, svc, "rst@example.com")
	if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: "rst@example.com"}); err != nil {
		t.Fatal(err)
	}
	good := mailCode(t, lastMail(t, st, mail.KindResetPassword, "rst@example.com"))
	uid, _, _ := strings.Cut(good, ".")
	before := h.hashes.Load()
	for _, bad := range []string{"nonsense", uid + ".AAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		err := svc.ResetPassword(t.Context(), bad, newPassword, user.Client{IP: "198.51.100.9"})
		checkErr(t, "reset with "+bad, err, apperr.InvalidCode)
	}
	if got := h.hashes.Load() - before; got != 0 {
		t.Errorf("bad codes cost %d hashes, want 0", got)
	}
	// Per source address: a third bad try, then even the right code is refused.
	_ = svc.ResetPassword(t.Context(), "nonsense", newPassword, user.Client{IP: "198.51.100.9"})
	checkLocked(t, "4th reset from one address", svc.ResetPassword(t.Context(), good, newPassword, user.Client{IP: "198.51.100.9"}), 60*time.Minute)
	if err := svc.ResetPassword(t.Context(), good, newPassword, user.Client{IP: "198.51.100.10"}); err != nil {
		t.Errorf("the right code from another address: %v", err)
	}
}

func TestPasswordChangesEndOutstandingResetCodes(t *testing.T) {
	svc, st, _, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "codes@example.com")
	forgot := func() string {
		t.Helper()
		if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: "codes@example.com"}); err != nil {
			t.Fatal(err)
		}
		return mailCode(t, lastMail(t, st, mail.KindResetPassword, "codes@example.com"))
	}
	first, second := forgot(), forgot()
	if err := svc.ResetPassword(t.Context(), second, newPassword, user.Client{}); err != nil {
		t.Fatal(err)
	}
	checkErr(t, "the other code after a reset", svc.ResetPassword(t.Context(), first, goodPassword, user.Client{}), apperr.InvalidCode)
	third := forgot()
	p := mustLogin(t, svc, "codes@example.com", newPassword)
	if err := svc.ChangePassword(t.Context(), principal(t, svc, p.Token), user.PasswordChange{Current: newPassword, New: goodPassword, Confirm: goodPassword}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	checkErr(t, "a code after a password change", svc.ResetPassword(t.Context(), third, newPassword, user.Client{}), apperr.InvalidCode)
	_ = a
}

func TestDisableTOTPCountsWrongCodesAndSpendsTheCode(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "off@example.com")
	secret, _ := enableTOTP(t, svc, c, a.Token)
	p := principal(t, svc, a.Token)
	err := svc.DisableTOTP(t.Context(), p, goodPassword, wrongTOTP(t, secret, c.t), user.Client{})
	checkErr(t, "wrong code", err, apperr.InvalidCode)
	if u := storedUser(t, st, a.User.ID); u.Failures.Count != 1 || !u.MFAEnabled {
		t.Fatalf("after a wrong code: %+v; want one failure and MFA on", u.Failures)
	}
	code := totpAt(t, secret, c.t)
	if _, err := svc.Reauthenticate(t.Context(), p, user.ReauthInput{Password: goodPassword, Code: code}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	err = svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), "", code, user.Client{})
	checkErr(t, "a code already spent", err, apperr.InvalidCode)
	// Spent by a concurrent request between the check and the write: still refused.
	c.t = c.t.Add(30 * time.Second)
	next := totpAt(t, secret, c.t)
	st.BeforeApply = func(tx *user.Tx) {
		st.BeforeApply = nil
		if _, err := svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: goodPassword, Code: next}, user.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	err = svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), "", next, user.Client{})
	checkErr(t, "a code spent meanwhile", err, apperr.InvalidCode)
	if !storedUser(t, st, a.User.ID).MFAEnabled {
		t.Error("MFA went off with a code spent twice")
	}
}

func TestGeneratedPasswordsExpire(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	admin := adminPrincipal(t, svc, "root@example.com")
	u, generated, err := svc.CreateUser(t.Context(), admin, user.AdminCreate{Email: "gen@example.com"}, user.Client{})
	if err != nil || generated == "" || !u.PasswordExpiresAt.Equal(c.t.Add(72*time.Hour)) {
		t.Fatalf("CreateUser = %+v, %q, %v; want a generated password expiring in 72h", u, generated, err)
	}
	mustLogin(t, svc, "gen@example.com", generated)
	c.t = c.t.Add(72 * time.Hour)
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "gen@example.com", Password: generated})
	checkErr(t, "the generated password after 72 hours", err, apperr.PasswordExpired)
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "gen@example.com", Password: "wrong-" + generated})
	checkErr(t, "a wrong password then", err, apperr.InvalidCredentials)
	if err := svc.ForgotPassword(t.Context(), user.ForgotInput{Email: "gen@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.ResetPassword(t.Context(), mailCode(t, lastMail(t, st, mail.KindResetPassword, "gen@example.com")), newPassword, user.Client{}); err != nil {
		t.Fatal(err)
	}
	mustLogin(t, svc, "gen@example.com", newPassword)
	// A password the admin chose does not expire.
	if _, _, err := svc.CreateUser(t.Context(), admin, user.AdminCreate{Email: "chosen@example.com", Password: goodPassword}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(100 * 24 * time.Hour)
	mustLogin(t, svc, "chosen@example.com", goodPassword)
}

// --- limits ---

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":                 "203.0.113.7",
		"::ffff:203.0.113.7":          "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":        "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":        "2001:db8:1:2::/64",
		"2001:db8:1:3::1":             "2001:db8:1:3::/64",
		"fe80::1%eth0":                "fe80::/64",
		"not an address":              "not an address",
		"2001:0db8:0001:0002:0:0:0:9": "2001:db8:1:2::/64",
	} {
		if got := user.AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIPv6CountsBySlash64(t *testing.T) {
	svc, _, _, _ := newCountingService(t, user.Options{Throttle: user.Throttle{MaxIPFailures: 3}})
	for i := range 3 {
		ip := fmt.Sprintf("2001:db8:1:2::%x", i+1) // a new address of the same /64 each time
		_, err := svc.Login(t.Context(), user.LoginInput{Login: fmt.Sprintf("nobody%d@example.com", i), Password: "x-" + goodPassword, Client: user.Client{IP: ip}})
		checkErr(t, "failure from "+ip, err, apperr.InvalidCredentials)
	}
	_, err := svc.Login(t.Context(), user.LoginInput{Login: "nobody9@example.com", Password: "x", Client: user.Client{IP: "2001:db8:1:2::ff"}})
	checkErr(t, "a 4th address of the /64", err, apperr.RateLimited)
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "nobody9@example.com", Password: "x", Client: user.Client{IP: "2001:db8:1:3::1"}})
	checkErr(t, "another /64", err, apperr.InvalidCredentials)
}

func TestWishlistReplaceRacingARemoval(t *testing.T) {
	svc, st, _, _ := newCountingService(t, user.Options{WishlistMax: 2})
	a := signUp(t, svc, "wish@example.com")
	p := principal(t, svc, a.Token)
	put := func(id string) error {
		_, err := svc.PutWish(t.Context(), p, &user.WishItem{ProductID: id, Name: id})
		return err
	}
	if err := put("a"); err != nil {
		t.Fatal(err)
	}
	// The replacement read the item, then a removal won: the replacement adds it again,
	// counted, instead of writing it back behind the counter's back.
	st.BeforeApply = func(tx *user.Tx) {
		st.BeforeApply = nil
		if err := svc.RemoveWish(t.Context(), p, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if err := put("a"); err != nil {
		t.Fatal(err)
	}
	if err := put("b"); err != nil {
		t.Fatal(err)
	}
	err := put("c")
	checkField(t, "a third item with a cap of 2", err, "product_id", apperr.FieldTooLarge)
}

// FuzzAddressKey: any source address string gives a key without a panic, and two
// addresses of one IPv6 /64 give the same key.
func FuzzAddressKey(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "2001:db8::1", "::ffff:1.2.3.4", "fe80::1%eth0", "", "::", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ip string) {
		k := user.AddressKey(ip)
		if a, err := netip.ParseAddr(ip); err == nil && a.Unmap().Is6() {
			b := a.As16()
			b[15] ^= 0xff
			if other := user.AddressKey(netip.AddrFrom16(b).WithZone(a.Zone()).String()); other != k {
				t.Fatalf("AddressKey(%q) = %q, but its /64 neighbour gives %q", ip, k, other)
			}
		}
	})
}

func TestPasswordInARequestWithMFAOnOpensNoWindow(t *testing.T) {
	svc, _, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "mfa-proof@example.com")
	enableTOTP(t, svc, c, a.Token)
	c.t = c.t.Add(6 * time.Minute) // past the window enrolment opened
	phone, other := "+14155550124", "+14155550125"
	// The password in the request still lets that request through...
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, a.Token), user.Patch{Profile: user.Profile{Phone: &phone},
		CurrentPassword: goodPassword}, user.Client{}); err != nil {
		t.Fatalf("phone change with current_password: %v", err)
	}
	// ...but opens no window without the second factor: a stolen token and a phished
	// password must not go on to add a passkey or turn MFA off.
	_, err := svc.BeginPasskey(t.Context(), principal(t, svc, a.Token), user.Client{})
	checkErr(t, "passkey after a request that carried only the password", err, apperr.ReauthenticationRequired)
	_, err = svc.UpdateProfile(t.Context(), principal(t, svc, a.Token), user.Patch{Profile: user.Profile{Phone: &other}}, user.Client{})
	checkErr(t, "phone change after a request that carried only the password", err, apperr.ReauthenticationRequired)
	if err := svc.ChangePassword(t.Context(), principal(t, svc, a.Token), user.PasswordChange{Current: goodPassword, New: newPassword,
		Confirm: newPassword}, user.Client{}); err != nil {
		t.Fatalf("password change with current_password: %v", err)
	}
	err = svc.DeleteAccount(t.Context(), principal(t, svc, a.Token), "", user.Client{})
	checkErr(t, "self-delete after a password change", err, apperr.ReauthenticationRequired)
}

func TestTheLockHoldsWhereverACodeIsAsked(t *testing.T) {
	svc, st, c, _ := newCountingService(t, user.Options{})
	a := signUp(t, svc, "lock-code@example.com")
	secret, recovery := enableTOTP(t, svc, c, a.Token)
	// A window open, then codes guessed at DELETE /v1/me/mfa/totp until the account locks.
	if _, err := svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: goodPassword,
		Code: totpAt(t, secret, c.t)}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		err := svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), "", wrongTOTP(t, secret, c.t), user.Client{})
		checkErr(t, fmt.Sprintf("wrong code %d", i+1), err, apperr.InvalidCode)
	}
	// Locked: a further guess is not tried, and does not lift the lock either.
	err := svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), "", wrongTOTP(t, secret, c.t), user.Client{})
	checkLocked(t, "a wrong code while locked", err, 15*time.Minute)
	err = svc.DisableTOTP(t.Context(), principal(t, svc, a.Token), "", recovery[0], user.Client{})
	checkLocked(t, "a right code while locked", err, 15*time.Minute)
	if !storedUser(t, st, a.User.ID).MFAEnabled {
		t.Fatal("MFA went off while the account was locked")
	}
	_, err = svc.Login(t.Context(), user.LoginInput{Login: "lock-code@example.com", Password: goodPassword})
	checkLocked(t, "sign-in after the guesses", err, 15*time.Minute)
}
