package user_test

import (
	"errors"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/user"
)

// VerifiedSession applies the API's own liveness rules to the ids of an access token the
// caller verified: the Lambda authorizer builds its service with no password hasher at all.
func TestVerifiedSession(t *testing.T) {
	svc, st, c := newService(t)
	// The authorizer's wiring: the same store and clock, no hasher, the idle limit.
	authz := user.NewService(st, nil, c.now, user.Options{SessionIdle: 30 * time.Minute})
	ctx := t.Context()

	live := signUp(t, svc, "vera@example.com")
	p, err := authz.VerifiedSession(ctx, live.User.ID, live.Session.ID)
	if err != nil || p.User.ID != live.User.ID || p.Session.ID != live.Session.ID || p.User.Role != user.RoleMember {
		t.Fatalf("live session: got %+v, %v; want its user and session", p, err)
	}
	// No write: last_seen_at is the access token refresh's to keep.
	c.t = c.t.Add(10 * time.Minute)
	if _, err := authz.VerifiedSession(ctx, live.User.ID, live.Session.ID); err != nil {
		t.Fatal(err)
	}
	se, _, _ := st.SessionUser(ctx, live.User.ID, live.Session.ID)
	if !se.LastSeenAt.Equal(live.Session.LastSeenAt) {
		t.Errorf("last_seen_at moved from %s to %s, want no write", live.Session.LastSeenAt, se.LastSeenAt)
	}

	unauthenticated := func(t *testing.T, what, userID, sessionID string) {
		t.Helper()
		if p, err := authz.VerifiedSession(ctx, userID, sessionID); !errors.Is(err, user.ErrUnauthenticated) {
			t.Errorf("%s: got %+v, %v; want unauthenticated", what, p, err)
		}
	}

	t.Run("ids", func(t *testing.T) {
		other := signUp(t, svc, "otto@example.com")
		unauthenticated(t, "empty ids", "", "")
		unauthenticated(t, "malformed ids", "../x", live.Session.ID)
		unauthenticated(t, "unknown session", live.User.ID, other.Session.ID)
		unauthenticated(t, "another user's session", other.User.ID, live.Session.ID)
	})

	t.Run("logout", func(t *testing.T) {
		a := signUp(t, svc, "lou@example.com")
		b := mustLogin(t, svc, "lou@example.com", goodPassword)
		if err := svc.Logout(ctx, a.Token, false, user.Client{}); err != nil {
			t.Fatal(err)
		}
		unauthenticated(t, "logged out", a.User.ID, a.Session.ID)
		if _, err := authz.VerifiedSession(ctx, b.User.ID, b.Session.ID); err != nil {
			t.Errorf("the other session: %v", err)
		}
		if err := svc.Logout(ctx, b.Token, true, user.Client{}); err != nil {
			t.Fatal(err)
		}
		unauthenticated(t, "after logout all", b.User.ID, b.Session.ID)
	})

	t.Run("password change ends the other sessions", func(t *testing.T) {
		a := signUp(t, svc, "pat@example.com")
		b := mustLogin(t, svc, "pat@example.com", goodPassword)
		err := svc.ChangePassword(ctx, principal(t, svc, a.Token), user.PasswordChange{Current: goodPassword, New: newPassword, Confirm: newPassword}, user.Client{})
		if err != nil {
			t.Fatal(err)
		}
		unauthenticated(t, "other session", b.User.ID, b.Session.ID)
		if _, err := authz.VerifiedSession(ctx, a.User.ID, a.Session.ID); err != nil {
			t.Errorf("the changing session: %v", err)
		}
	})

	t.Run("disabled user", func(t *testing.T) {
		a := signUp(t, svc, "dis@example.com")
		admin := adminPrincipal(t, svc, "root@example.com")
		off := false
		if _, err := svc.AdminUpdate(ctx, admin, a.User.ID, user.Patch{Active: &off}, user.Client{}); err != nil {
			t.Fatal(err)
		}
		unauthenticated(t, "disabled", a.User.ID, a.Session.ID)
	})

	t.Run("idle and expired", func(t *testing.T) {
		a := signUp(t, svc, "idle@example.com")
		c.t = c.t.Add(31 * time.Minute)
		unauthenticated(t, "idle for the authorizer's limit", a.User.ID, a.Session.ID)
		b := mustLogin(t, svc, "idle@example.com", goodPassword)
		c.t = c.t.Add(20 * time.Minute)
		principal(t, svc, b.Token) // a request to the API (a token refresh) records activity
		c.t = c.t.Add(20 * time.Minute)
		if _, err := authz.VerifiedSession(ctx, b.User.ID, b.Session.ID); err != nil {
			t.Errorf("a session seen 20 minutes ago: %v", err)
		}
		c.t = c.t.Add(25 * time.Minute)
		unauthenticated(t, "past its absolute lifetime (1h)", b.User.ID, b.Session.ID)
	})
}
