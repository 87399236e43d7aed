package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/user"
)

// txTests are the contract of Apply and the reads added with it.
var txTests = []struct {
	name string
	fn   func(t *testing.T, st user.Store)
}{
	{"CodeIsSingleUseAndExpires", testUseCode},
	{"MFAStepsAndRecoveryCodes", testMFA},
	{"FailureStateIsOptimistic", testFailure},
	{"StampAndRevokeSessions", testStampRevoke},
	{"RemoveFreesLoginsAndDeletesItems", testRemove},
	{"LoginViewReadsCounter", testLoginView},
	{"WishlistAndUserData", testWishlist},
	{"EmailReservedAfterAChange", testReservation},
	{"SessionFields", testSessionFields},
}

func apply(t *testing.T, st user.Store, tx *user.Tx) {
	t.Helper()
	if err := st.Apply(context.Background(), tx); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func testUseCode(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	c := &user.Code{Hash: auth.HashSecret("code-" + u.ID), Kind: user.CodeResetPassword, UserID: u.ID, ExpiresAt: now.Add(time.Hour)}
	create(t, st, &creation{User: u})
	c.Epoch = 3
	apply(t, st, &user.Tx{Now: now, Codes: []*user.Code{c}})
	limit := user.Counter{Key: "reset#" + u.ID, Max: 5, ExpiresAt: now.Add(time.Hour)}
	if err := st.Hit(ctx, limit); err != nil {
		t.Fatal(err)
	}
	gotC, gotU, n, err := st.CodeUser(ctx, c.Hash, u.ID, limit.Key)
	if err != nil || gotC == nil || gotC.Kind != c.Kind || gotC.UserID != u.ID || gotC.Epoch != 3 ||
		!gotC.ExpiresAt.Equal(c.ExpiresAt) || gotU == nil || gotU.ID != u.ID || n != 1 {
		t.Fatalf("CodeUser = %+v, %+v, %d, %v; want the code, its user and the count 1", gotC, gotU, n, err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now.Add(2 * time.Hour), UseCode: c}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("using an expired code: err %v, want ErrInvalidCode", err)
	}
	next := *u
	next.EmailVerified, next.Version = true, u.Version+1
	apply(t, st, &user.Tx{Now: now, UseCode: c, Save: &user.Save{Next: &next, Prev: u}})
	if err := st.Apply(ctx, &user.Tx{Now: now, UseCode: c}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("second use: err %v, want ErrInvalidCode", err)
	}
	if gotC, _, _, err := st.CodeUser(ctx, c.Hash, u.ID, ""); err != nil || gotC != nil {
		t.Errorf("CodeUser after use = %+v, %v; want no code", gotC, err)
	}
}

func testMFA(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	tok := &user.MFAToken{UserID: u.ID, Hash: auth.HashSecret("t" + u.ID), ExpiresAt: now.Add(5 * time.Minute)}
	apply(t, st, &user.Tx{Now: now, MFA: &user.MFA{UserID: u.ID, SealedSecret: "S", LastStep: 10, Recovery: []string{"h1", "h2"}, RecoverySalt: "salt"}, MFAToken: tok})
	gotU, m, gotT, err := st.MFAUser(ctx, u.ID, tok.Hash)
	if err != nil || gotU.ID != u.ID || m == nil || m.SealedSecret != "S" || m.RecoverySalt != "salt" || m.LastStep != 10 || len(m.Recovery) != 2 || gotT == nil || !gotT.ExpiresAt.Equal(tok.ExpiresAt) {
		t.Fatalf("MFAUser = %+v, %+v, %+v, %v", gotU, m, gotT, err)
	}
	// A pending enrollment never replaces the one in force.
	if err := st.Apply(ctx, &user.Tx{Now: now, MFA: &user.MFA{UserID: u.ID, SealedSecret: "P", Pending: true}}); !errors.Is(err, user.ErrConflict) {
		t.Errorf("a pending enrollment over the one in force: err %v, want ErrConflict", err)
	}
	for _, tt := range []struct {
		use  user.MFAUse
		want error
	}{
		{user.MFAUse{UserID: u.ID, Step: 10}, user.ErrInvalidCode}, // replay of the last step
		{user.MFAUse{UserID: u.ID, Step: 11}, nil},
		{user.MFAUse{UserID: u.ID, Step: 11}, user.ErrInvalidCode},
		{user.MFAUse{UserID: u.ID, RecoveryHash: "h2"}, nil},
		{user.MFAUse{UserID: u.ID, RecoveryHash: "h2"}, user.ErrInvalidCode},
		{user.MFAUse{UserID: u.ID, RecoveryHash: "nope"}, user.ErrInvalidCode},
	} {
		use := tt.use
		if err := st.Apply(ctx, &user.Tx{Now: now, MFAUse: &use}); !errors.Is(err, tt.want) && (err != nil || tt.want != nil) {
			t.Errorf("MFAUse %+v: err %v, want %v", tt.use, err, tt.want)
		}
	}
	if err := st.Apply(ctx, &user.Tx{Now: now.Add(6 * time.Minute), UseMFAToken: tok}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("an expired MFA token: err %v, want ErrInvalidCode", err)
	}
	apply(t, st, &user.Tx{Now: now, UseMFAToken: tok})
	if err := st.Apply(ctx, &user.Tx{Now: now, UseMFAToken: tok}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("a used MFA token: err %v, want ErrInvalidCode", err)
	}
	// Turning MFA off spends its code in the same write: a spent one removes nothing.
	if err := st.Apply(ctx, &user.Tx{Now: now, RemoveMFA: u.ID, MFAUse: &user.MFAUse{UserID: u.ID, Step: 11}}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("removal with a spent step: err %v, want ErrInvalidCode", err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, RemoveMFA: u.ID, MFAUse: &user.MFAUse{UserID: u.ID, RecoveryHash: "h2"}}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("removal with a spent recovery code: err %v, want ErrInvalidCode", err)
	}
	apply(t, st, &user.Tx{Now: now, RemoveMFA: u.ID, MFAUse: &user.MFAUse{UserID: u.ID, Step: 12}})
	if _, m, tk, err := st.MFAUser(ctx, u.ID, tok.Hash); err != nil || m != nil || tk != nil {
		t.Errorf("after removal MFAUser = %+v, %+v, %v; want no enrollment and no token", m, tk, err)
	}
}

func testFailure(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	u.Phone = "+3361" + digits(u.ID) + "11"
	create(t, st, &creation{User: u})
	f := &user.Failure{User: u, Next: user.Failures{Count: 1, Until: now.Add(15 * time.Minute)}}
	apply(t, st, &user.Tx{Now: now, Failure: f})
	// A second failure computed from the same (now stale) state loses.
	if err := st.Apply(ctx, &user.Tx{Now: now, Failure: f}); !errors.Is(err, user.ErrConflict) {
		t.Fatalf("a stale failure: err %v, want ErrConflict", err)
	}
	// A save computed from the state before the failure loses too: it would put the
	// failure count back.
	stale := *u
	stale.FirstName, stale.Version = "Stale", u.Version+1
	if err := st.Apply(ctx, &user.Tx{Now: now, Save: &user.Save{Next: &stale, Prev: u}}); !errors.Is(err, user.ErrConflict) {
		t.Fatalf("a save read before a failure: err %v, want ErrConflict", err)
	}
	for _, login := range []string{u.Email, u.Phone} {
		got, err := st.Account(ctx, login)
		if err != nil || got.Failures.Count != 1 || !got.Failures.Until.Equal(f.Next.Until) || got.FirstName == "Stale" {
			t.Errorf("Account(%s) = %+v, %v; want 1 failure until %v and no stale save", login, got.Failures, err, f.Next.Until)
		}
	}
	cur, _ := st.User(ctx, u.ID)
	lock := &user.Failure{User: cur, Next: user.Failures{Until: now, LockedUntil: now.Add(time.Hour), LockLevel: 1}}
	apply(t, st, &user.Tx{Now: now, Failure: lock, Hits: []user.Counter{{Key: "ip#" + u.ID, ExpiresAt: now.Add(time.Hour)}}})
	got, _ := st.User(ctx, u.ID)
	if !got.Failures.LockedUntil.Equal(lock.Next.LockedUntil) || got.Failures.LockLevel != 1 {
		t.Errorf("lock = %+v, want until %v level 1", got.Failures, lock.Next.LockedUntil)
	}
	apply(t, st, &user.Tx{Now: now, ClearFailures: got})
	got, _ = st.Account(ctx, u.Phone)
	if got.Failures != (user.Failures{}) || got.Version != u.Version {
		t.Errorf("after clearing: %+v; want no failure state and the version unchanged", got)
	}
}

func testStampRevoke(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	a, b := newSession(t, u), newSession(t, u)
	apply(t, st, &user.Tx{Now: now, Sessions: []*user.Session{a, b}})
	_, list, err := st.UserSessions(ctx, u.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("UserSessions = %d sessions, %v; want 2", len(list), err)
	}
	stamp := *a
	stamp.Epoch, stamp.ReauthUntil = 7, now.Add(5*time.Minute)
	if err := st.Apply(ctx, &user.Tx{Now: now, Revoke: []*user.Session{{UserID: u.ID, ID: "01zzzzzzzzzzzzzzzzzzzzzzzz"}}}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("revoking a session that is not there: err %v, want ErrNotFound", err)
	}
	apply(t, st, &user.Tx{Now: now, Stamp: &stamp, Revoke: []*user.Session{b}})
	gotA, _, err := st.SessionUser(ctx, u.ID, a.ID)
	if err != nil || gotA.Epoch != 7 || !gotA.ReauthUntil.Equal(stamp.ReauthUntil) {
		t.Errorf("stamped session: %+v, %v; want epoch 7 and its window", gotA, err)
	}
	reauth := *gotA
	reauth.ReauthUntil = now.Add(10 * time.Minute)
	apply(t, st, &user.Tx{Now: now, Reauth: &reauth})
	if gotA, _, _ := st.SessionUser(ctx, u.ID, a.ID); !gotA.ReauthUntil.Equal(reauth.ReauthUntil) || gotA.Epoch != 7 {
		t.Errorf("after Reauth: %+v; want the new window, epoch kept", gotA)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, Reauth: b}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("Reauth of a revoked session: err %v, want ErrNotFound", err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, Stamp: b}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("Stamp of a revoked session: err %v, want ErrNotFound", err)
	}
	if _, _, err := st.SessionUser(ctx, u.ID, b.ID); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("revoked session: err %v, want ErrNotFound", err)
	}
	later := now.Add(time.Minute)
	if err := st.TouchSession(ctx, u.ID, a.ID, later); err != nil {
		t.Fatal(err)
	}
	if gotA, _, _ = st.SessionUser(ctx, u.ID, a.ID); !gotA.LastSeenAt.Equal(later) {
		t.Errorf("last seen %v, want %v", gotA.LastSeenAt, later)
	}
}

func testRemove(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	u.Phone = "+4915" + digits(u.ID) + "22"
	create(t, st, &creation{User: u, Session: newSession(t, u)})
	ev := &user.Event{ID: u.ID, UserID: u.ID, Type: user.EventAccountCreated, At: now, IP: "127.0.0.1"}
	later := &user.Event{ID: "7" + u.ID[1:], UserID: u.ID, Type: user.EventLoginSucceeded, At: now.Add(time.Second)}
	apply(t, st, &user.Tx{Now: now, Events: []*user.Event{ev, later}, MFA: &user.MFA{UserID: u.ID, SealedSecret: "S", Pending: true}})
	events, err := st.Events(ctx, u.ID)
	if err != nil || len(events) != 2 || events[0].Type != user.EventLoginSucceeded || events[1].IP != "127.0.0.1" {
		t.Fatalf("Events = %+v, %v; want two, newest first", events, err)
	}
	stale := *u
	stale.Version--
	if err := st.Apply(ctx, &user.Tx{Now: now, Remove: &stale}); !errors.Is(err, user.ErrConflict) {
		t.Errorf("removing at a stale version: err %v, want ErrConflict", err)
	}
	apply(t, st, &user.Tx{Now: now, Remove: u})
	if err := st.DeleteUserItems(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{u.Email, u.Phone} {
		if _, err := st.Account(ctx, login); !errors.Is(err, user.ErrNotFound) {
			t.Errorf("Account(%s) after removal: err %v, want ErrNotFound", login, err)
		}
	}
	if _, err := st.User(ctx, u.ID); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("User after removal: err %v", err)
	}
	if events, _ := st.Events(ctx, u.ID); len(events) != 0 {
		t.Errorf("%d events left after DeleteUserItems", len(events))
	}
	if _, m, _, _ := st.MFAUser(ctx, u.ID, ""); m != nil {
		t.Errorf("the MFA enrollment survived")
	}
	// The address is free again at once.
	again := newUser(t)
	again.Email, again.Phone = u.Email, u.Phone
	create(t, st, &creation{User: again})
}

func testLoginView(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	c := user.Counter{Key: "lv#" + u.ID, ExpiresAt: now.Add(time.Hour)}
	for range 3 {
		if err := st.Hit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.LoginView(ctx, u.Email, c.Key)
	if err != nil || got.User == nil || got.User.ID != u.ID || got.Count != 3 {
		t.Errorf("LoginView = %+v, %v; want the user and 3", got, err)
	}
	nobody := "nobody-" + u.Email
	got, err = st.LoginView(ctx, nobody, "none#"+u.ID)
	if err != nil || got.User != nil || got.Count != 0 || got.Failures != (user.Failures{}) {
		t.Errorf("LoginView(unknown) = %+v, %v; want nothing", got, err)
	}
	// A login that names no account keeps a failure state of its own, written only over
	// the state it was computed from.
	first := user.Failures{Count: 1, Until: now.Add(15 * time.Minute)}
	lf := &user.LoginFailure{Login: nobody, Next: first, ExpiresAt: now.Add(48 * time.Hour)}
	apply(t, st, &user.Tx{Now: now, LoginFailure: lf})
	if err := st.Apply(ctx, &user.Tx{Now: now, LoginFailure: lf}); !errors.Is(err, user.ErrConflict) {
		t.Errorf("a stale login failure: err %v, want ErrConflict", err)
	}
	locked := user.Failures{Until: now, LockedUntil: now.Add(time.Hour), LockLevel: 1}
	apply(t, st, &user.Tx{Now: now, LoginFailure: &user.LoginFailure{Login: nobody, Prev: first, Next: locked, ExpiresAt: now.Add(48 * time.Hour)}})
	got, err = st.LoginView(ctx, nobody, "")
	if err != nil || got.User != nil || !got.Failures.LockedUntil.Equal(locked.LockedUntil) || got.Failures.LockLevel != 1 {
		t.Errorf("LoginView(unknown, locked) = %+v, %v; want the lock", got, err)
	}
}

func testWishlist(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	se := newSession(t, u)
	create(t, st, &creation{User: u, Session: se})
	a := &user.WishItem{UserID: u.ID, ProductID: "sku-1", Name: "Lamp", Images: []string{"https://x.example/a.png"},
		Categories: []string{"home"}, Publish: true, Price: 12.5, Weight: 1.25, AddedAt: now, New: true}
	b := &user.WishItem{UserID: u.ID, ProductID: "sku-2", Name: "Desk", AddedAt: now, New: true}
	apply(t, st, &user.Tx{Now: now, Wishes: []*user.WishItem{a, b},
		Events: []*user.Event{{ID: u.ID, UserID: u.ID, Type: user.EventAccountCreated, At: now}}})
	found, n, err := st.WishState(ctx, u.ID, "sku-1")
	if err != nil || n != 2 || found == nil || !found.AddedAt.Equal(now) {
		t.Fatalf("WishState = %+v, %d, %v; want sku-1 found of 2", found, n, err)
	}
	if found, _, _ := st.WishState(ctx, u.ID, "sku-3"); found != nil {
		t.Errorf("WishState(absent) found %+v", found)
	}
	d, err := st.UserData(ctx, u.ID, false)
	if err != nil || d.User.ID != u.ID || len(d.Sessions) != 1 || len(d.Wishes) != 2 || d.Events != nil {
		t.Fatalf("UserData(no events) = %+v, %v", d, err)
	}
	if w := d.Wishes[0]; w.ProductID != "sku-1" || w.Price != 12.5 || !w.Publish || w.Images[0] != "https://x.example/a.png" || w.Weight != 1.25 {
		t.Errorf("wish read back as %+v", w)
	}
	if d, _ := st.UserData(ctx, u.ID, true); len(d.Events) != 1 {
		t.Errorf("UserData(events) has %d events, want 1", len(d.Events))
	}
	apply(t, st, &user.Tx{Now: now, Unwish: []*user.WishItem{b}})
	if err := st.Apply(ctx, &user.Tx{Now: now, Unwish: []*user.WishItem{b}}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("removing a wish already gone: err %v, want ErrNotFound", err)
	}
	// A replacement that lost a race with a removal must not write the item back uncounted.
	replace := *b
	replace.New, replace.Name = false, "Desk 2"
	if err := st.Apply(ctx, &user.Tx{Now: now, Wishes: []*user.WishItem{&replace}}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("replacing a removed wish: err %v, want ErrNotFound", err)
	}
	if found, n, _ := st.WishState(ctx, u.ID, "sku-2"); found != nil || n != 1 {
		t.Errorf("after the lost replacement WishState = %+v, %d; want no sku-2 of 1", found, n)
	}
	again := *a
	again.New, again.Name = false, "Lamp 2"
	apply(t, st, &user.Tx{Now: now, Wishes: []*user.WishItem{&again}})
	if _, err := st.UserData(ctx, "01zzzzzzzzzzzzzzzzzzzzzzzz", false); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("UserData(no user): err %v, want ErrNotFound", err)
	}
}

func testReservation(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	old := u.Email
	next := *u
	next.Email, next.Version = "new-"+u.Email, u.Version+1
	apply(t, st, &user.Tx{Now: now, Save: &user.Save{Next: &next, Prev: u, ReserveUntil: now.Add(7 * 24 * time.Hour)}})
	if _, err := st.Account(ctx, old); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("Account(old email): err %v, want ErrNotFound: a reservation signs nobody in", err)
	}
	if got, err := st.LoginView(ctx, old, ""); err != nil || got.User != nil {
		t.Errorf("LoginView(old email) = %+v, %v; want no user", got, err)
	}
	other := newUser(t)
	other.Email = old
	if err := st.Apply(ctx, (&creation{User: other}).tx()); !errors.Is(err, user.ErrEmailTaken) {
		t.Errorf("another account taking the reserved email: err %v, want ErrEmailTaken", err)
	}
	// After the reservation lapses (TTL may not have deleted it yet) anyone may take it.
	lapsed := (&creation{User: other}).tx()
	lapsed.Now = now.Add(8 * 24 * time.Hour)
	// The user takes it back while it holds.
	back := next
	back.Email, back.Version = old, next.Version+1
	apply(t, st, &user.Tx{Now: now, Save: &user.Save{Next: &back, Prev: &next}})
	if got, err := st.Account(ctx, old); err != nil || got.ID != u.ID {
		t.Errorf("Account(old email) after taking it back = %+v, %v; want the user", got, err)
	}
	if _, err := st.Account(ctx, next.Email); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("the address given back still signs in: %v", err)
	}
	// A second change away, and a reservation that has lapsed: another account may take it.
	away := back
	away.Email, away.Version = "away-"+u.Email, back.Version+1
	apply(t, st, &user.Tx{Now: now, Save: &user.Save{Next: &away, Prev: &back, ReserveUntil: now.Add(time.Hour)}})
	apply(t, st, lapsed)
	if got, err := st.Account(ctx, old); err != nil || got.ID != other.ID {
		t.Errorf("Account(old email) after the lapse = %+v, %v; want the other account", got, err)
	}
}

func testSessionFields(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	se := newSession(t, u)
	se.Methods = []string{user.MethodPassword, user.MethodOTP}
	create(t, st, &creation{User: u, Session: se})
	got, _, err := st.SessionUser(ctx, u.ID, se.ID)
	if err != nil || len(got.Methods) != 2 || got.Methods[1] != user.MethodOTP || !got.ReauthUntil.IsZero() {
		t.Errorf("SessionUser = %+v, %v; want the methods and no window", got, err)
	}
	c := user.Counter{Key: "count#" + u.ID, ExpiresAt: now.Add(time.Hour)}
	if n, err := st.Count(ctx, c.Key); err != nil || n != 0 {
		t.Errorf("Count(none) = %d, %v", n, err)
	}
	_ = st.Hit(ctx, c)
	_ = st.Hit(ctx, c)
	if n, err := st.Count(ctx, c.Key); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	// Two limits in one write: past either, nothing is written and the error names it.
	full := user.Counter{Key: "full#" + u.ID, Max: 2, ExpiresAt: now.Add(time.Hour)}
	open := user.Counter{Key: "open#" + u.ID, Max: 9, ExpiresAt: now.Add(time.Hour)}
	_ = st.Hit(ctx, full)
	_ = st.Hit(ctx, full)
	err = st.Apply(ctx, &user.Tx{Now: now, Limits: []user.Counter{open, full}})
	var le *user.LimitError
	if !errors.As(err, &le) || le.Counter.Key != full.Key || !errors.Is(err, user.ErrLimited) {
		t.Errorf("Apply past a limit: err %v, want a LimitError of %s", err, full.Key)
	}
	if n, _ := st.Count(ctx, open.Key); n != 0 {
		t.Errorf("the other limit counted %d, want 0", n)
	}
}
