package user_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

// A profile patch: address and social links normalized, each bad member named.
func TestUpdateProfileAddressAndSocial(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	tok := register(t, svc, "profile@example.com").Token
	p := principal(t, svc, tok)
	u, err := svc.UpdateProfile(ctx, p, user.Patch{Profile: user.Profile{
		Address: &user.Address{Country: "FR", City: " Paris ", PostalCode: "75001"},
		Social:  &user.Social{Website: " https://example.com/me ", Telegram: "https://t.me/me"},
	}}, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if u.Address == nil || u.Address.City != "Paris" || u.Social == nil || u.Social.Website != "https://example.com/me" || u.Social.Telegram != "https://t.me/me" {
		t.Errorf("got address %+v, social %+v", u.Address, u.Social)
	}
	p = principal(t, svc, tok)
	u, err = svc.UpdateProfile(ctx, p, user.Patch{Profile: user.Profile{Address: &user.Address{}, Social: &user.Social{}}}, user.Client{})
	if err != nil || u.Address != nil || u.Social != nil {
		t.Errorf("empty objects clear: %+v %+v %v", u.Address, u.Social, err)
	}
	for _, tt := range []struct {
		name  string
		patch user.Profile
		field string
		code  string
	}{
		{"http link", user.Profile{Social: &user.Social{Website: "http://example.com"}}, "social.website", apperr.FieldInvalidURL},
		{"link with a user", user.Profile{Social: &user.Social{Instagram: "https://me:pw@example.com"}}, "social.instagram", apperr.FieldInvalidURL},
		{"long link", user.Profile{Social: &user.Social{LinkedIn: "https://example.com/" + strings.Repeat("x", user.MaxURLLen)}}, "social.linkedin", apperr.FieldTooLong},
		{"bad country", user.Profile{Address: &user.Address{Country: "XX"}}, "address.country", ""},
		{"long city", user.Profile{Address: &user.Address{City: strings.Repeat("c", 1000)}}, "address.city", apperr.FieldTooLong},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.UpdateProfile(ctx, p, user.Patch{Profile: tt.patch}, user.Client{})
			got, ok := fieldCodes(err)[tt.field]
			if !ok || (tt.code != "" && got != tt.code) {
				t.Errorf("got %v (%v), want %s %s", fieldCodes(err), err, tt.field, tt.code)
			}
		})
	}
}

// Logout ends one session, or with all every session of the user.
func TestLogoutAll(t *testing.T) {
	svc, st, _ := newService(t)
	ctx := context.Background()
	a := register(t, svc, "out@example.com")
	b, err := svc.Login(ctx, user.LoginInput{Login: "out@example.com", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.Login(ctx, user.LoginInput{Login: "out@example.com", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Logout(ctx, a.Token, false, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Logout(ctx, a.Token, false, user.Client{}); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("logout twice: %v, want unauthenticated", err)
	}
	if _, err := svc.Authenticate(ctx, b.Token); err != nil {
		t.Errorf("another session after a single logout: %v", err)
	}
	if got := eventTypes(t, svc, a.User.ID); got[0] != user.EventLogout || slices.Index(got[1:], user.EventLogout) >= 0 {
		t.Errorf("events after one logout and a refused one: %v, want one logout, newest", got)
	}
	// A profile change lands between the read and the write: signing out everywhere
	// still happens.
	st.BeforeEndAll = func() {
		st.BeforeEndAll = nil
		name := "Racer"
		if _, err := svc.UpdateProfile(ctx, principal(t, svc, c.Token), user.Patch{Profile: user.Profile{FirstName: &name}}, user.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Logout(ctx, b.Token, true, user.Client{}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{b.Token, c.Token} {
		if _, err := svc.Authenticate(ctx, tok); !errors.Is(err, user.ErrUnauthenticated) {
			t.Errorf("a session after logout all: %v, want unauthenticated", err)
		}
	}
	if evs, _ := svc.Events(ctx, a.User.ID); evs[0].Type != user.EventLogout || evs[0].Detail["all"] != "true" {
		t.Errorf("newest event after logout all: %+v, want a logout of all", evs[0])
	}
	if err := svc.Logout(ctx, "nonsense", true, user.Client{}); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("logout with a bad token: %v", err)
	}
}
