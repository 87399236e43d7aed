package user_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

const unknownID = "0123456789abcdefghijklmnop"

// An admin's reads and writes of another account: look-ups, password, email confirmation,
// its security events, deletion with and without its data.
func TestAdminOperations(t *testing.T) {
	st := memstore.New()
	o := &objects{}
	svc := user.NewService(st, fastHasher, time.Now, user.Options{AllowConfirmationURL: func(*url.URL) bool { return false },
		AvatarObjects: o, AvatarURLs: o})
	ctx := context.Background()
	admin := adminPrincipal(t, svc, "boss@example.com")
	a := register(t, svc, "Member@Example.com")
	id := a.User.ID
	member := principal(t, svc, a.Token)

	if err := user.RequireAdmin(member); !isCode(err, apperr.Forbidden) {
		t.Errorf("RequireAdmin(member) = %v, want forbidden", err)
	}
	if err := user.RequireAdmin(admin); err != nil {
		t.Errorf("RequireAdmin(admin) = %v", err)
	}
	if u, err := svc.UserByLogin(ctx, " member@EXAMPLE.com"); err != nil || u.ID != id {
		t.Errorf("UserByLogin: %v %v", u, err)
	}
	if _, err := svc.UserByLogin(ctx, "ghost@example.com"); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("UserByLogin(unknown): %v, want not_found", err)
	}
	for login, want := range map[string]bool{"member@example.com": true, "ghost@example.com": false} {
		if got, err := svc.Exists(ctx, login); err != nil || got != want {
			t.Errorf("Exists(%s) = %v %v, want %v", login, got, err, want)
		}
	}
	if _, err := svc.Exists(ctx, ""); err == nil {
		t.Error("Exists(\"\") is not an error")
	}

	// The password: weak refused; set ends the user's sessions and tells the user (at a
	// confirmed address).
	saveUser(t, st, id, func(u *user.User) { u.EmailVerified = true })
	if err := svc.SetPassword(ctx, admin, id, "abc", user.Client{}); fieldCodes(err)["new_password"] == "" {
		t.Errorf("weak password: %v", err)
	}
	if err := svc.SetPassword(ctx, admin, unknownID, "another-horse-battery", user.Client{}); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("password of an unknown user: %v", err)
	}
	if err := svc.SetPassword(ctx, admin, id, "another-horse-battery", user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, a.Token); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("the user's session after a password set: %v, want unauthenticated", err)
	}
	if !slices.ContainsFunc(st.Outbox, func(m mail.Mail) bool { return m.Kind == mail.KindPasswordChanged && m.To == "member@example.com" }) {
		t.Error("no password_changed notice")
	}

	// The email confirmed by an admin, once; an unknown id is not found.
	u, err := svc.ForceConfirmEmail(ctx, admin, id, user.Client{})
	if err != nil || !u.EmailVerified {
		t.Fatalf("ForceConfirmEmail: %+v %v", u, err)
	}
	if u2, err := svc.ForceConfirmEmail(ctx, admin, id, user.Client{}); err != nil || !u2.EmailVerified {
		t.Errorf("ForceConfirmEmail again: %v", err)
	}
	if _, err := svc.ForceConfirmEmail(ctx, admin, unknownID, user.Client{}); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("ForceConfirmEmail(unknown): %v", err)
	}

	events, err := svc.UserEvents(ctx, id)
	if err != nil || len(events) == 0 {
		t.Errorf("UserEvents: %d %v", len(events), err)
	}
	if _, err := svc.UserEvents(ctx, unknownID); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("UserEvents(unknown): %v", err)
	}

	// Deletion: without the data, then the data of the deleted id; unknown ids are no error.
	if err := svc.DeleteUser(ctx, admin, id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetUser(ctx, id); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("GetUser after delete: %v", err)
	}
	if len(o.deletedUsers) != 0 {
		t.Errorf("a delete without data removed objects of %v", o.deletedUsers)
	}
	if err := svc.DeleteUser(ctx, admin, id, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.deletedUsers, []string{id}) {
		t.Errorf("objects deleted for %v, want %s", o.deletedUsers, id)
	}
	if err := svc.DeleteUser(ctx, admin, unknownID, false); err != nil {
		t.Errorf("delete of an unknown id: %v, want nil (idempotent)", err)
	}
	b := register(t, svc, "second@example.com")
	if err := svc.DeleteUser(ctx, admin, b.User.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, b.Token); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("a deleted user's session: %v", err)
	}
}

// DELETE /v1/users/{id}/mail-suppression clears the marks of the user's address and
// records it; a second clear finds none.
func TestClearMailSuppression(t *testing.T) {
	st := memstore.New()
	marks := memstore.NewSuppressions(st)
	svc := user.NewService(st, fastHasher, time.Now, user.Options{AllowConfirmationURL: func(*url.URL) bool { return false },
		MailSuppressions: marks})
	ctx := context.Background()
	admin := adminPrincipal(t, svc, "boss@example.com")
	a := register(t, svc, "bounced@example.com")
	marks.Suppress("bounced@example.com")
	if cleared, err := svc.ClearMailSuppression(ctx, admin, a.User.ID, user.Client{}); err != nil || !cleared {
		t.Fatalf("clear: %v %v, want true", cleared, err)
	}
	if marks.Suppressed("bounced@example.com") {
		t.Error("the address is still suppressed")
	}
	if cleared, err := svc.ClearMailSuppression(ctx, admin, a.User.ID, user.Client{}); err != nil || cleared {
		t.Errorf("clear again: %v %v, want false", cleared, err)
	}
	if _, err := svc.ClearMailSuppression(ctx, admin, unknownID, user.Client{}); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("clear of an unknown user: %v", err)
	}
	events, _ := svc.UserEvents(ctx, a.User.ID)
	if !slices.ContainsFunc(events, func(e *user.Event) bool { return e.Type == "mail_suppression_cleared" }) {
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
		}
		t.Errorf("events %v: no mail_suppression_cleared", types)
	}
	// A service built without suppressions says so rather than pretending.
	bare, _, _ := newService(t)
	if _, err := bare.ClearMailSuppression(ctx, adminPrincipal(t, bare, "b2@example.com"), a.User.ID, user.Client{}); err == nil {
		t.Error("no MailSuppressions configured: no error")
	}
}

// PUT /v1/me/language: a known language is set; none or an unknown one is refused.
func TestSetLanguage(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	p := principal(t, svc, register(t, svc, "lang@example.com").Token)
	u, err := svc.SetLanguage(ctx, p, "ru", user.Client{})
	if err != nil || u.Language != "ru" {
		t.Fatalf("SetLanguage(ru): %v %v", u, err)
	}
	if _, err := svc.SetLanguage(ctx, p, " ", user.Client{}); fieldCodes(err)["language"] != apperr.FieldRequired {
		t.Errorf("empty: %v", err)
	}
	if _, err := svc.SetLanguage(ctx, p, "xx", user.Client{}); fieldCodes(err)["language"] != apperr.FieldInvalidChoice {
		t.Errorf("unknown: %v", err)
	}
}

// The daily profile-update limit counts PATCH /v1/me and avatar changes, not the language:
// a user can switch the language they read however often, past the limit too.
func TestSetLanguagePastTheDailyLimit(t *testing.T) {
	svc, _, _ := newServiceOpts(t, user.Options{ProfileUpdatesPerDay: 2})
	tok := register(t, svc, "lang-limit@example.com").Token
	for _, lang := range []string{"ru", "fa", "en"} {
		if _, err := svc.SetLanguage(t.Context(), principal(t, svc, tok), lang, user.Client{}); err != nil {
			t.Fatalf("SetLanguage(%s): %v", lang, err)
		}
	}
	name := "A"
	for i := range 3 {
		_, err := svc.UpdateProfile(t.Context(), principal(t, svc, tok), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{})
		if i < 2 {
			checkErr(t, fmt.Sprintf("update %d", i+1), err, "")
		} else {
			checkErr(t, "update past the limit", err, apperr.RateLimited)
		}
	}
	if _, err := svc.SetLanguage(t.Context(), principal(t, svc, tok), "ru", user.Client{}); err != nil {
		t.Errorf("SetLanguage past the daily limit: %v", err)
	}
}
