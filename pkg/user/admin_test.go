package user_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/user"
)

func adminPrincipal(t *testing.T, svc *user.Service, email string) *user.Principal {
	t.Helper()
	if _, err := svc.EnsureAdmin(context.Background(), email, goodPassword); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Login(context.Background(), user.LoginInput{Login: email, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(context.Background(), a.Token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLastAdminCannotBeDemotedDisabledOrDeleted(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	a := adminPrincipal(t, svc, "a@example.com")
	b := adminPrincipal(t, svc, "b@example.com")
	member := "member"
	off := false
	if _, err := svc.AdminUpdate(ctx, a, b.User.ID, user.Patch{Role: &member}, user.Client{}); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	for name, patch := range map[string]user.Patch{"demote": {Role: &member}, "disable": {Active: &off}} {
		if _, err := svc.AdminUpdate(ctx, a, a.User.ID, patch, user.Client{}); !errors.Is(err, user.ErrLastAdmin) {
			t.Errorf("%s the last admin: err %v, want last_admin", name, err)
		}
	}
	if err := svc.DeleteUser(ctx, a, a.User.ID, false); !errors.Is(err, user.ErrLastAdmin) {
		t.Errorf("deleting the last admin: err %v, want last_admin", err)
	}
	if err := svc.DeleteAccount(ctx, a, goodPassword, user.Client{}); !errors.Is(err, user.ErrLastAdmin) {
		t.Errorf("the last admin deleting its own account: err %v, want last_admin", err)
	}
	// A second admin again makes the first one free to go.
	admin := "admin"
	if _, err := svc.AdminUpdate(ctx, a, b.User.ID, user.Patch{Role: &admin}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AdminUpdate(ctx, a, a.User.ID, user.Patch{Active: &off}, user.Client{}); err != nil {
		t.Errorf("disabling one of two admins: %v", err)
	}
}

func TestCreateUserGeneratesAPassword(t *testing.T) {
	svc, st, _ := newService(t)
	ctx := context.Background()
	a := adminPrincipal(t, svc, "root@example.com")
	u, generated, err := svc.CreateUser(ctx, a, user.AdminCreate{Email: "New@Example.com"}, user.Client{})
	if err != nil || len(generated) != 20 || !u.EmailVerified || u.Role != user.RoleMember {
		t.Fatalf("CreateUser = %+v, %q, %v", u, generated, err)
	}
	if stored, _ := st.Account(ctx, "new@example.com"); stored.PasswordHash == generated || len(st.Outbox) != 0 {
		t.Errorf("stored the password in clear, or mailed without a confirmation_url")
	}
	if _, err := svc.Login(ctx, user.LoginInput{Login: "new@example.com", Password: generated}); err != nil {
		t.Errorf("the generated password does not sign in: %v", err)
	}
	_, _, err = svc.CreateUser(ctx, a, user.AdminCreate{Email: "x@example.com", SponsorID: "01zzzzzzzzzzzzzzzzzzzzzzzz"}, user.Client{})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.ValidationFailed {
		t.Errorf("unknown sponsor: err %v, want validation_failed", err)
	}
}

func TestUpdateRacingADeleteIsNotFound(t *testing.T) {
	svc, st, _ := newService(t)
	admin := adminPrincipal(t, svc, "racer-admin@example.com")
	for _, byAdmin := range []bool{true, false} {
		m := signUp(t, svc, fmt.Sprintf("gone-%v@example.com", byAdmin))
		// The user goes between the update's read and its write.
		st.BeforeApply = func(*user.Tx) {
			st.BeforeApply = nil
			if err := svc.DeleteUser(t.Context(), admin, m.User.ID, false); err != nil {
				t.Fatal(err)
			}
		}
		name := "Late"
		var err error
		if byAdmin {
			_, err = svc.AdminUpdate(t.Context(), admin, m.User.ID, user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{})
			checkErr(t, "an admin's update of a user deleted meanwhile", err, apperr.NotFound)
		} else {
			_, err = svc.UpdateProfile(t.Context(), principal(t, svc, m.Token), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{})
			checkErr(t, "an update of one's own account deleted meanwhile", err, apperr.Unauthenticated)
		}
	}
}

func TestAnAdminsOwnAccountNeedsTheWindowOnAdminRoutesToo(t *testing.T) {
	svc, st, _ := newService(t)
	a := adminPrincipal(t, svc, "self-admin@example.com")
	m := signUp(t, svc, "managed@example.com")
	email, phone := "self-admin-2@example.com", "+14155550126"
	_, err := svc.AdminUpdate(t.Context(), a, a.User.ID, user.Patch{Email: &email}, user.Client{})
	checkErr(t, "own email through the admin route", err, apperr.ReauthenticationRequired)
	_, err = svc.AdminUpdate(t.Context(), a, a.User.ID, user.Patch{Profile: user.Profile{Phone: &phone}}, user.Client{})
	checkErr(t, "own phone through the admin route", err, apperr.ReauthenticationRequired)
	checkErr(t, "own password through the admin route", svc.SetPassword(t.Context(), a, a.User.ID, newPassword, user.Client{}),
		apperr.ReauthenticationRequired)
	if u := storedUser(t, st, a.User.ID); u.PendingEmail != "" || u.Phone != "" {
		t.Fatalf("a refused change was applied: %+v", u)
	}
	// Other accounts need no window, and a name of one's own neither.
	if _, err := svc.AdminUpdate(t.Context(), a, m.User.ID, user.Patch{Profile: user.Profile{Phone: &phone}}, user.Client{}); err != nil {
		t.Errorf("another user's phone: %v", err)
	}
	name := "Self"
	if _, err := svc.AdminUpdate(t.Context(), a, a.User.ID, user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{}); err != nil {
		t.Errorf("own name: %v", err)
	}
	if _, err := svc.Reauthenticate(t.Context(), a, user.ReauthInput{Password: goodPassword}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AdminUpdate(t.Context(), a, a.User.ID, user.Patch{Email: &email}, user.Client{}); err != nil {
		t.Errorf("own email in the window: %v", err)
	}
}

// A session that ends between a request's read and its write (a logout from another tab)
// makes the request 401, not a 500 or a 409, whatever the write moves on the session.
func TestASessionEndingMidRequestIsUnauthenticated(t *testing.T) {
	svc, st, _ := newService(t)
	for _, tt := range []struct {
		name string
		do   func(p *user.Principal) error
	}{
		{"a PATCH with the current password", func(p *user.Principal) error {
			name := "Late"
			_, err := svc.UpdateProfile(t.Context(), p, user.Patch{Profile: user.Profile{FirstName: &name}, CurrentPassword: goodPassword}, user.Client{})
			return err
		}},
		{"a password change", func(p *user.Principal) error {
			return svc.ChangePassword(t.Context(), p, user.PasswordChange{Current: goodPassword, New: "another-good-passphrase", Confirm: "another-good-passphrase"}, user.Client{})
		}},
	} {
		m := signUp(t, svc, "ending-"+strings.ReplaceAll(tt.name, " ", "-")+"@example.com")
		p := principal(t, svc, m.Token)
		st.BeforeApply = func(*user.Tx) {
			st.BeforeApply = nil
			if err := svc.Logout(t.Context(), m.Token, false, user.Client{}); err != nil {
				t.Fatal(err)
			}
		}
		checkErr(t, tt.name+" whose session ended meanwhile", tt.do(p), apperr.Unauthenticated)
	}
}

// A failed sign-in between a profile change's read and its write is not undone by the
// write: the change is made again on the state with the failure, which stays counted.
func TestAProfileChangeKeepsAFailedSignInMadeMeanwhile(t *testing.T) {
	svc, st, _ := newService(t)
	m := signUp(t, svc, "counted@example.com")
	st.BeforeApply = func(*user.Tx) {
		st.BeforeApply = nil
		_, err := svc.Login(t.Context(), user.LoginInput{Login: "counted@example.com", Password: "wrong-password-1"})
		checkErr(t, "the failed sign-in", err, apperr.InvalidCredentials)
	}
	name := "Kept"
	if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, m.Token), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	u, err := st.User(t.Context(), m.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "Kept" || u.Failures.Count != 1 {
		t.Errorf("after the change: name %q, failures %d; want Kept and 1", u.FirstName, u.Failures.Count)
	}
}

// An enrollment begun by a request that read the account before MFA was turned on (a
// second tab) does not replace the secret in force: MFA stays usable.
func TestAnEnrollmentBegunBeforeMFAWentOnLeavesItInForce(t *testing.T) {
	svc, st, c := newService(t)
	m := signUp(t, svc, "two-tabs@example.com")
	stale := reauthed(t, svc, m.Token) // read while MFA is off
	secret, _ := enableTOTP(t, svc, c, m.Token)
	_, err := svc.BeginTOTP(t.Context(), stale)
	checkErr(t, "an enrollment begun from the state before MFA went on", err, apperr.Conflict)
	_, en, _, err := st.MFAUser(t.Context(), m.User.ID, "")
	if err != nil || en == nil {
		t.Fatalf("enrollment after the late begin: %v; want the one in force", err)
	}
	if en.Pending {
		t.Fatal("the late begin replaced the enrollment in force with a pending one")
	}
	if _, err := svc.CompleteMFA(t.Context(), mfaToken(t, svc, "two-tabs@example.com"), totpAt(t, secret, c.t), user.Client{}); err != nil {
		t.Errorf("signing in with the secret in force: %v", err)
	}
}

// A password change, a self-delete and an admin's delete made while another request
// changed the profile are made on the state read again, not answered with 409.
func TestWritesRacingAProfileChangeAreRetried(t *testing.T) {
	svc, st, _ := newService(t)
	admin := adminPrincipal(t, svc, "retry-admin@example.com")
	for _, tt := range []struct {
		name string
		do   func(m *user.Auth) error
	}{
		{"a password change", func(m *user.Auth) error {
			return svc.ChangePassword(t.Context(), principal(t, svc, m.Token), user.PasswordChange{Current: goodPassword, New: "another-good-passphrase", Confirm: "another-good-passphrase"}, user.Client{})
		}},
		{"a self-delete", func(m *user.Auth) error {
			return svc.DeleteAccount(t.Context(), principal(t, svc, m.Token), goodPassword, user.Client{})
		}},
		{"an admin's delete", func(m *user.Auth) error {
			return svc.DeleteUser(t.Context(), admin, m.User.ID, false)
		}},
	} {
		m := signUp(t, svc, "retried-"+strings.ReplaceAll(tt.name, " ", "-")+"@example.com")
		other := mustLogin(t, svc, m.User.Email, goodPassword)
		st.BeforeApply = func(tx *user.Tx) {
			if tx.Save == nil && tx.Remove == nil {
				return // not the write that races
			}
			st.BeforeApply = nil
			name := "Meanwhile"
			if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, other.Token), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tt.do(m); err != nil {
			t.Errorf("%s racing a profile change: %v", tt.name, err)
		}
	}
}

// A change retried after another request won is made only while the caller's session is
// still live: a password changed, or the account disabled, in between ends the request
// with 401, as a moment later it would have.
func TestARetriedChangeNeedsTheSessionStillLive(t *testing.T) {
	svc, st, _ := newService(t)
	m := signUp(t, svc, "retry-live@example.com")
	other := mustLogin(t, svc, "retry-live@example.com", goodPassword)
	st.BeforeApply = func(tx *user.Tx) {
		if tx.Save == nil {
			return
		}
		st.BeforeApply = nil
		if err := svc.ChangePassword(t.Context(), principal(t, svc, other.Token),
			user.PasswordChange{Current: goodPassword, New: "another-good-passphrase", Confirm: "another-good-passphrase"}, user.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	email := "taken-over@example.com"
	_, err := svc.UpdateProfile(t.Context(), principal(t, svc, m.Token), user.Patch{Email: &email, CurrentPassword: goodPassword}, user.Client{})
	checkErr(t, "an email change whose session a password change ended meanwhile", err, apperr.Unauthenticated)
	if ms := mailsOf(st, mail.KindEmailChangeCode, email); len(ms) != 0 {
		t.Errorf("%d email change codes mailed, want none", len(ms))
	}
}

// Turning TOTP on and off while another session changes the profile is made on the state
// read again, not answered with 409.
func TestTOTPOnAndOffRacingAProfileChange(t *testing.T) {
	svc, st, c := newService(t)
	m := signUp(t, svc, "totp-race@example.com")
	other := mustLogin(t, svc, "totp-race@example.com", goodPassword)
	var tok string
	race := func() {
		st.BeforeApply = func(tx *user.Tx) {
			if tx.Save == nil {
				return
			}
			st.BeforeApply = nil
			name := "Meanwhile"
			if _, err := svc.UpdateProfile(t.Context(), principal(t, svc, tok), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	tok = other.Token
	p := reauthed(t, svc, m.Token)
	en, err := svc.BeginTOTP(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	race()
	if _, err := svc.ConfirmTOTP(t.Context(), p, totpAt(t, en.Secret, c.t), user.Client{}); err != nil {
		t.Fatalf("ConfirmTOTP racing a profile change: %v", err)
	}
	c.t = c.t.Add(30 * time.Second)
	tok = m.Token // turning MFA on ended the other session
	race()
	if err := svc.DisableTOTP(t.Context(), principal(t, svc, m.Token), goodPassword, totpAt(t, en.Secret, c.t), user.Client{}); err != nil {
		t.Errorf("DisableTOTP racing a profile change: %v", err)
	}
}
