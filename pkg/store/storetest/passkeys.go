package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/user"
)

// passkeyTests are the contract of passkeys, WebAuthn ceremonies and sign-in codes.
var passkeyTests = []struct {
	name string
	fn   func(t *testing.T, st user.Store)
}{
	{"CeremonyIsSingleUseAndExpires", testCeremony},
	{"PasskeyBoundToOneAccount", testPasskeyBound},
	{"PasskeyCounterIsConditioned", testPasskeyCounter},
	{"PasskeysGoWithTheirUser", testPasskeysDeleted},
	{"SignInCodeTriesCountFirst", testSignInCode},
}

func newPasskey(t *testing.T, u *user.User) *user.Passkey {
	t.Helper()
	id, err := auth.NewID()
	if err != nil {
		t.Fatal(err)
	}
	cred := []byte("credential-" + id)
	return &user.Passkey{ID: user.PasskeyID(cred), UserID: u.ID, CredentialID: cred, PublicKey: []byte{0xa5, 1, 2},
		Algorithm: -7, SignCount: 3, AAGUID: "00000000-0000-0000-0000-000000000000", BackupEligible: true,
		Transports: []string{"internal", "hybrid"}, Attachment: "platform", Name: "Laptop", CreatedAt: now}
}

func newCeremony(t *testing.T, kind string) *user.Ceremony {
	t.Helper()
	id, err := auth.NewID()
	if err != nil {
		t.Fatal(err)
	}
	return &user.Ceremony{ID: id, Kind: kind, Challenge: "Y2hhbGxlbmdl", RPID: "localhost",
		Origins: []string{"http://localhost:3000"}, ExpiresAt: now.Add(user.CeremonyTTL)}
}

func testCeremony(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	c := newCeremony(t, user.CeremonyRegister)
	c.UserID, c.SessionID = u.ID, "s1"
	apply(t, st, &user.Tx{Now: now, Ceremony: c})
	got, err := st.PasskeyView(ctx, c.ID, u.ID, "", "")
	if err != nil || got.Ceremony == nil || got.User == nil || got.User.ID != u.ID || got.Passkey != nil {
		t.Fatalf("PasskeyView = %+v, %v", got, err)
	}
	if g := got.Ceremony; g.Kind != c.Kind || g.Challenge != c.Challenge || g.RPID != c.RPID || len(g.Origins) != 1 ||
		g.UserID != u.ID || g.SessionID != "s1" || !g.ExpiresAt.Equal(c.ExpiresAt) {
		t.Errorf("ceremony %+v, want %+v", g, c)
	}
	if err := st.Apply(ctx, &user.Tx{Now: c.ExpiresAt, UseCeremony: c}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("spending an expired ceremony: err %v, want ErrInvalidCode", err)
	}
	apply(t, st, &user.Tx{Now: now, UseCeremony: c})
	if err := st.Apply(ctx, &user.Tx{Now: now, UseCeremony: c}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("spending a ceremony twice: err %v, want ErrInvalidCode", err)
	}
	if got, _ := st.PasskeyView(ctx, c.ID, "nobody", "", ""); got.Ceremony != nil || got.User != nil {
		t.Errorf("after use: %+v", got)
	}
}

func testPasskeyBound(t *testing.T, st user.Store) {
	ctx := context.Background()
	a, b := newUser(t), newUser(t)
	create(t, st, &creation{User: a})
	create(t, st, &creation{User: b})
	pk := newPasskey(t, a)
	apply(t, st, &user.Tx{Now: now, Passkey: pk})
	got, err := st.PasskeyView(ctx, "none", a.ID, pk.ID, "")
	if err != nil || got.Passkey == nil {
		t.Fatalf("PasskeyView = %+v, %v", got, err)
	}
	if g := got.Passkey; string(g.CredentialID) != string(pk.CredentialID) || string(g.PublicKey) != string(pk.PublicKey) ||
		g.Algorithm != -7 || g.SignCount != 3 || g.AAGUID != pk.AAGUID || !g.BackupEligible || g.BackupState ||
		len(g.Transports) != 2 || g.Attachment != "platform" || g.Name != "Laptop" || !g.CreatedAt.Equal(now) || !g.LastUsedAt.IsZero() {
		t.Errorf("passkey %+v, want %+v", g, pk)
	}
	// The same credential for another account, or again for the same one: taken.
	dup := *pk
	dup.UserID = b.ID
	if err := st.Apply(ctx, &user.Tx{Now: now, Passkey: &dup}); !errors.Is(err, user.ErrPasskeyTaken) {
		t.Errorf("another account's credential: err %v, want ErrPasskeyTaken", err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, Passkey: pk}); !errors.Is(err, user.ErrPasskeyTaken) {
		t.Errorf("the same credential again: err %v, want ErrPasskeyTaken", err)
	}
	if got, _ := st.PasskeyView(ctx, "none", b.ID, pk.ID, ""); got.Passkey != nil {
		t.Error("the refused passkey was written")
	}
	list, err := st.Passkeys(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].ID != pk.ID {
		t.Errorf("Passkeys = %+v, %v", list, err)
	}
	if list, _ := st.Passkeys(ctx, b.ID); len(list) != 0 {
		t.Errorf("b has %d passkeys", len(list))
	}
	// Removed, the credential is free again; removing it again is ErrNotFound.
	apply(t, st, &user.Tx{Now: now, RemovePasskey: &user.Passkey{UserID: a.ID, ID: pk.ID}})
	if err := st.Apply(ctx, &user.Tx{Now: now, RemovePasskey: &user.Passkey{UserID: a.ID, ID: pk.ID}}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("removing twice: err %v, want ErrNotFound", err)
	}
	apply(t, st, &user.Tx{Now: now, Passkey: &dup})
}

func testPasskeyCounter(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	pk := newPasskey(t, u)
	apply(t, st, &user.Tx{Now: now, Passkey: pk})
	// Two uses computed from the same count: one passes.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := *pk
			next.SignCount, next.BackupState, next.LastUsedAt = uint32(4+i), true, now.Add(time.Minute)
			errs[i] = st.Apply(ctx, &user.Tx{Now: now, PasskeyUse: &user.PasskeyUse{Next: &next, PrevCount: 3}})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two uses from one count: %v, %v; want exactly one to pass", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, user.ErrConflict) {
			t.Errorf("the losing use: %v, want ErrConflict", err)
		}
	}
	got, _ := st.PasskeyView(ctx, "none", u.ID, pk.ID, "")
	if g := got.Passkey; (g.SignCount != 4 && g.SignCount != 5) || !g.BackupState || !g.LastUsedAt.Equal(now.Add(time.Minute)) {
		t.Errorf("after use %+v", g)
	}
}

func testPasskeysDeleted(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	pk := newPasskey(t, u)
	apply(t, st, &user.Tx{Now: now, Passkey: pk})
	d, err := st.UserData(ctx, u.ID, false)
	if err != nil || len(d.Passkeys) != 1 || d.Passkeys[0].Name != "Laptop" {
		t.Fatalf("UserData passkeys %+v, %v", d, err)
	}
	apply(t, st, &user.Tx{Now: now, Remove: u})
	if err := st.DeleteUserItems(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.Passkeys(ctx, u.ID); len(list) != 0 {
		t.Errorf("%d passkeys left", len(list))
	}
	// Its credential is bound to nobody now.
	v := newUser(t)
	create(t, st, &creation{User: v})
	again := *pk
	again.UserID = v.ID
	apply(t, st, &user.Tx{Now: now, Passkey: &again})
}

func testSignInCode(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	c := &user.SignInCode{Email: u.Email, UserID: u.ID, Hash: "h1", ExpiresAt: now.Add(10 * time.Minute)}
	apply(t, st, &user.Tx{Now: now, SignInCode: c})
	for i := range 3 {
		got, err := st.TrySignInCode(ctx, u.Email, 3, now)
		if err != nil || got.UserID != u.ID || got.Hash != "h1" || got.Tries != i || got.Email != u.Email || !got.ExpiresAt.Equal(c.ExpiresAt) {
			t.Fatalf("try %d: %+v, %v", i+1, got, err)
		}
	}
	if _, err := st.TrySignInCode(ctx, u.Email, 3, now); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("a try past the limit: err %v, want ErrInvalidCode", err)
	}
	if _, err := st.TrySignInCode(ctx, "nobody-"+u.Email, 3, now); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("an address without a code: err %v, want ErrInvalidCode", err)
	}
	// A new code replaces it, tries and all; it expires; it is spent only with its own hash.
	c2 := &user.SignInCode{Email: u.Email, UserID: u.ID, Hash: "h2", ExpiresAt: now.Add(10 * time.Minute)}
	apply(t, st, &user.Tx{Now: now, SignInCode: c2})
	if _, err := st.TrySignInCode(ctx, u.Email, 3, c2.ExpiresAt); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("an expired code: err %v, want ErrInvalidCode", err)
	}
	got, err := st.TrySignInCode(ctx, u.Email, 3, now)
	if err != nil || got.Hash != "h2" || got.Tries != 0 {
		t.Fatalf("the new code: %+v, %v", got, err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, UseSignInCode: c}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("spending the replaced code: err %v, want ErrInvalidCode", err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: c2.ExpiresAt, UseSignInCode: c2}); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("spending an expired code: err %v, want ErrInvalidCode", err)
	}
	apply(t, st, &user.Tx{Now: now, UseSignInCode: c2})
	if _, err := st.TrySignInCode(ctx, u.Email, 3, now); !errors.Is(err, user.ErrInvalidCode) {
		t.Errorf("a spent code: err %v, want ErrInvalidCode", err)
	}
}
