package keys_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/keys/keystest"
)

func TestMemStoreContract(t *testing.T) {
	keystest.Run(t, func(*testing.T) keys.Store { return keys.NewMemStore() })
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const (
	ttl    = 15 * time.Minute
	issuer = "https://api.example.com/prod"
)

type fixture struct {
	clock *clock
	store *keys.MemStore
	kms   *keys.FakeKMS
	ring  *keys.Ring
	toks  *keys.Tokens
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)}, store: keys.NewMemStore(), kms: keys.NewFakeKMS()}
	var err error
	f.ring, err = keys.NewInMemory(keys.Options{Store: f.store, KMS: f.kms, Now: f.clock.Now}, ttl)
	if err != nil {
		t.Fatal(err)
	}
	f.toks = keys.NewTokens(f.ring, "userbase", ttl)
	return f
}

// process is another process of the same stack: its own cache over the same table.
func (f *fixture) process(withKMS bool) (*keys.Ring, *keys.Tokens) {
	o := keys.Options{Store: f.store, Now: f.clock.Now}
	if withKMS {
		o.KMS = f.kms
	}
	r := keys.New(o)
	return r, keys.NewTokens(r, "userbase", ttl)
}

func (f *fixture) mint(t *testing.T, toks *keys.Tokens) string {
	t.Helper()
	tok, _, err := toks.Mint(context.Background(), jwt.Claims{Issuer: issuer, Subject: "user-1", SessionID: "s1", AMR: []string{"pwd"}})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, _ := jwtB64(h)
	_, rest, _ := strings.Cut(string(b), `"kid":"`)
	kid, _, _ := strings.Cut(rest, `"`)
	return kid
}

func jwks(t *testing.T, r *keys.Ring) []string {
	t.Helper()
	set, err := r.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestMintAndVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tok, exp, err := f.toks.Mint(ctx, jwt.Claims{Issuer: issuer, Subject: "user-1", SessionID: "s1", Role: "member", Email: "a@example.com", AMR: []string{"pwd", "otp"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().Add(ttl); !exp.Equal(want) {
		t.Errorf("expiry: got %s, want %s", exp, want)
	}
	c, err := f.toks.Verify(ctx, tok, issuer)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user-1" || c.Audience != "userbase" || c.ID == "" || !c.ExpiresAt.Equal(exp) || c.SessionID != "s1" || len(c.AMR) != 2 {
		t.Errorf("claims %+v: want sub user-1, aud userbase, a jti, exp %s, sid s1, amr [pwd otp]", c, exp)
	}
	if _, err := f.toks.Verify(ctx, tok, "https://other.example.com"); !errors.Is(err, jwt.ErrIssuer) {
		t.Errorf("another issuer: got %v, want ErrIssuer", err)
	}
	f.clock.Add(ttl + jwt.DefaultLeeway)
	if _, err := f.toks.Verify(ctx, tok, issuer); !errors.Is(err, jwt.ErrExpired) {
		t.Errorf("after its lifetime: got %v, want ErrExpired", err)
	}
	if _, _, err := f.toks.Mint(ctx, jwt.Claims{Subject: "x"}); !errors.Is(err, keys.ErrIncomplete) {
		t.Errorf("no issuer: got %v, want ErrIncomplete", err)
	}
}

// A warm process mints and verifies without a table read or a KMS call; the first use
// costs one Query and one Decrypt.
func TestWarmProcessMakesNoCalls(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, toks := f.process(true)
	loads, calls := f.store.Loads(), f.kms.Calls()
	f.mint(t, toks)
	if got := f.store.Loads() - loads; got != 1 {
		t.Errorf("first mint: %d loads, want 1", got)
	}
	if got := f.kms.Calls() - calls; got != 1 {
		t.Errorf("first mint: %d KMS calls, want 1 (the data key)", got)
	}
	loads, calls = f.store.Loads(), f.kms.Calls()
	for range 50 {
		tok := f.mint(t, toks)
		if _, err := toks.Verify(ctx, tok, issuer); err != nil {
			t.Fatal(err)
		}
		if _, err := r.JWKS(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Second)
	}
	if l, c := f.store.Loads()-loads, f.kms.Calls()-calls; l != 0 || c != 0 {
		t.Errorf("50 warm sign-ins: %d loads and %d KMS calls, want none", l, c)
	}
	// Past the refresh interval: one read, still no KMS call.
	f.clock.Add(keys.DefaultRefresh)
	f.mint(t, toks)
	if l, c := f.store.Loads()-loads, f.kms.Calls()-calls; l != 1 || c != 0 {
		t.Errorf("after the refresh interval: %d loads and %d KMS calls, want 1 and 0", l, c)
	}
}

// Verifying needs only public keys: a ring without KMS verifies and publishes, and cannot sign.
func TestVerifyOnlyRing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, toks := f.process(false)
	if _, err := toks.Verify(ctx, f.mint(t, f.toks), issuer); err != nil {
		t.Errorf("verify: %v", err)
	}
	if got := jwks(t, r); len(got) != 1 {
		t.Errorf("JWKS: got %v, want one key", got)
	}
	if _, _, err := toks.Mint(ctx, jwt.Claims{Issuer: issuer, Subject: "u"}); !errors.Is(err, keys.ErrNoKMS) {
		t.Errorf("mint: got %v, want ErrNoKMS", err)
	}
}

// The whole life of a rotation, seen by the process that rotated and by another one
// whose cache is as old as it can be.
func TestRotationTiming(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, otherToks := f.process(true)
	oldTok := f.mint(t, otherToks) // other's cache is now fresh, and will age
	oldKID := kidOf(t, oldTok)

	f.clock.Add(time.Minute)
	next, err := f.ring.Rotate(ctx, keys.DefaultRotationDelay, false)
	if err != nil {
		t.Fatal(err)
	}
	rotatedAt := f.clock.Now()
	if next.KID == oldKID || !next.SignsFrom.Equal(rotatedAt.Add(keys.DefaultRotationDelay)) {
		t.Fatalf("next key %s signs from %s, want a new kid from %s", next.KID, next.SignsFrom, rotatedAt.Add(keys.DefaultRotationDelay))
	}
	// Published at once, still not signing.
	if got := jwks(t, f.ring); len(got) != 2 || got[0] != oldKID || got[1] != next.KID {
		t.Errorf("JWKS right after rotating: got %v, want [old next]", got)
	}
	if got := kidOf(t, f.mint(t, f.toks)); got != oldKID {
		t.Errorf("right after rotating, signed by %s, want the old key", got)
	}
	// Another rotation now is refused: one is pending.
	if _, err := f.ring.Rotate(ctx, keys.DefaultRotationDelay, false); !errors.Is(err, keys.ErrRotationPending) {
		t.Errorf("second rotation: got %v, want ErrRotationPending", err)
	}
	// Every process learns of the next key before it signs: within one refresh.
	f.clock.Add(keys.DefaultRefresh)
	if got := jwks(t, other); len(got) != 2 {
		t.Errorf("the other process after a refresh interval: JWKS %v, want both keys", got)
	}
	if keys.DefaultRefresh*2 > keys.DefaultRotationDelay {
		t.Errorf("refresh %s is not under half the rotation delay %s", keys.DefaultRefresh, keys.DefaultRotationDelay)
	}
	// The moment the next key signs.
	f.clock.t = next.SignsFrom.Add(-time.Second)
	lastOld := f.mint(t, otherToks)
	if got := kidOf(t, lastOld); got != oldKID {
		t.Errorf("a second before: signed by %s, want the old key", got)
	}
	f.clock.Add(time.Second)
	newTok := f.mint(t, otherToks)
	if got := kidOf(t, newTok); got != next.KID {
		t.Errorf("at signs_from: signed by %s, want the next key", got)
	}
	// The old key's last token verifies until it expires, everywhere.
	f.clock.Add(ttl - time.Second)
	for name, toks := range map[string]*keys.Tokens{"rotating process": f.toks, "other process": otherToks} {
		if _, err := toks.Verify(ctx, lastOld, issuer); err != nil {
			t.Errorf("%s: the old key's last token just before it expires: %v", name, err)
		}
	}
	infos, err := f.ring.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].State != keys.StateRetired || infos[1].State != keys.StateCurrent {
		t.Errorf("list: got %+v, want the old key retired and the next current", infos)
	}
	wantUntil := next.SignsFrom.Add(ttl + keys.DefaultRefresh + jwt.DefaultLeeway)
	if !infos[0].PublishedUntil.Equal(wantUntil) {
		t.Errorf("the old key is published until %s, want %s (its tokens' lifetime, a refresh, the leeway)", infos[0].PublishedUntil, wantUntil)
	}
	// Unpublished after that.
	f.clock.t = wantUntil
	f.ring.Invalidate()
	if got := jwks(t, f.ring); len(got) != 1 || got[0] != next.KID {
		t.Errorf("JWKS after published_until: got %v, want only the next key", got)
	}
	st, _ := f.store.LoadKeys(ctx)
	for _, k := range st.SigningKeys {
		if k.KID == oldKID && !k.ExpiresAt.After(wantUntil) {
			t.Errorf("the retired key's TTL %s, want after %s", k.ExpiresAt, wantUntil)
		}
	}
	// A new rotation is allowed again.
	if _, err := f.ring.Rotate(ctx, keys.DefaultRotationDelay, false); err != nil {
		t.Errorf("rotation once the last has completed: %v", err)
	}
}

func TestForcedRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.ring.Rotate(ctx, time.Minute, false); err == nil {
		t.Error("a one-minute delay without force: got no error")
	}
	first, err := f.ring.Rotate(ctx, keys.DefaultRotationDelay, false)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute)
	// Forced, no delay: the pending key is withdrawn and the new one signs now.
	second, err := f.ring.Rotate(ctx, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	got := jwks(t, f.ring)
	for _, kid := range got {
		if kid == first.KID {
			t.Errorf("JWKS %v still lists the withdrawn key", got)
		}
	}
	if len(got) != 2 {
		t.Errorf("JWKS %v, want the old key (its tokens live on) and the new one", got)
	}
	if kid := kidOf(t, f.mint(t, f.toks)); kid != second.KID {
		t.Errorf("signed by %s, want the new key %s", kid, second.KID)
	}
}

// An unknown kid re-reads the ring at most once a minute; a key another process just
// added is found that way.
func TestUnknownKidReload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, toks := f.process(false)
	if _, err := toks.Verify(ctx, f.mint(t, f.toks), issuer); err != nil {
		t.Fatal(err)
	}
	loads := f.store.Loads()
	for range 20 {
		if _, err := r.PublicKey(ctx, "forged"); !errors.Is(err, jwt.ErrUnknownKey) {
			t.Fatalf("got %v, want ErrUnknownKey", err)
		}
	}
	if got := f.store.Loads() - loads; got != 1 {
		t.Errorf("20 unknown kids within a minute: %d loads, want 1", got)
	}
	// A rotation with force and no delay elsewhere; this process has not refreshed.
	f.clock.Add(time.Minute)
	next, err := f.ring.Rotate(ctx, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := toks.Verify(ctx, f.mint(t, f.toks), issuer); err != nil {
		t.Errorf("a token of the new key %s: %v", next.KID, err)
	}
}

// Concurrent initializations (two deploys, a deploy and make local) converge on one data
// key and one signing key.
func TestEnsureConverges(t *testing.T) {
	store, kms := keys.NewMemStore(), keys.NewFakeKMS()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := keys.NewInMemory(keys.Options{Store: store, KMS: kms}, ttl); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st, _ := store.LoadKeys(context.Background())
	if len(st.DataKeys) != 1 || len(st.SigningKeys) != 1 || st.TokenTTL != ttl {
		t.Errorf("after 4 concurrent inits: %d data keys, %d signing keys, ttl %s; want 1, 1, %s", len(st.DataKeys), len(st.SigningKeys), st.TokenTTL, ttl)
	}
	version, calls := st.Version, kms.Calls()
	r, _ := keys.NewInMemory(keys.Options{Store: store, KMS: kms}, ttl)
	st, _ = store.LoadKeys(context.Background())
	if st.Version != version {
		t.Errorf("an init of a complete ring wrote (version %d -> %d)", version, st.Version)
	}
	// Nor asked KMS anything: a deploy with the key disabled (a rollback) still completes.
	if n := kms.Calls() - calls; n != 0 {
		t.Errorf("an init of a complete ring made %d KMS calls, want 0", n)
	}
	if _, _, err := r.Signer(context.Background()); err != nil {
		t.Error(err)
	}
}

// The private keys are stored sealed: the item holds no key material in clear, and a
// sealed key does not open as another key's.
func TestPrivateKeysAreSealed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, priv, err := f.ring.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.store.LoadKeys(ctx)
	k := st.SigningKeys[0]
	if !strings.HasPrefix(k.Private, "s1.1.") || strings.Contains(k.Private, priv.D.String()) {
		t.Errorf("stored private key %.20q…, want a sealed value", k.Private)
	}
	for _, dk := range st.DataKeys {
		if len(dk.Ciphertext) <= 32 {
			t.Errorf("data key stored as %d bytes, want its KMS ciphertext", len(dk.Ciphertext))
		}
	}
	// Swap the sealed private key onto a forged kid: it must not open.
	st.SigningKeys[0].KID = "forged"
	bad := keys.NewMemStore()
	if err := bad.SaveKeys(ctx, keys.Change{DataKeys: st.DataKeys, SigningKeys: st.SigningKeys}); err != nil {
		t.Fatal(err)
	}
	r := keys.New(keys.Options{Store: bad, KMS: f.kms, Now: f.clock.Now})
	if _, _, err := r.Signer(ctx); !errors.Is(err, keys.ErrSealed) {
		t.Errorf("a sealed key under another kid: got %v, want ErrSealed", err)
	}
}

func TestUninitializedRing(t *testing.T) {
	r := keys.New(keys.Options{Store: keys.NewMemStore(), KMS: keys.NewFakeKMS()})
	ctx := context.Background()
	if _, _, err := r.Signer(ctx); !errors.Is(err, keys.ErrNotInitialized) {
		t.Errorf("signer: got %v, want ErrNotInitialized", err)
	}
	if _, err := r.Sealer().Seal(ctx, []byte("x"), "a"); !errors.Is(err, keys.ErrNotInitialized) {
		t.Errorf("seal: got %v, want ErrNotInitialized", err)
	}
	if set, err := r.JWKS(ctx); err != nil || len(set.Keys) != 0 {
		t.Errorf("JWKS: got %v, %v; want an empty set", set, err)
	}
}

func TestSealer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sealers := map[string]*keys.Sealer{
		"ring":   f.ring.Sealer(),
		"static": keys.NewStaticSealer(bytes.Repeat([]byte{7}, 32)),
	}
	for name, s := range sealers {
		t.Run(name, func(t *testing.T) {
			secret := []byte("JBSWY3DPEHPK3PXP")
			sealed, err := s.Seal(ctx, secret, "totp:user-1")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(sealed, string(secret)) || !strings.HasPrefix(sealed, "s1.1.") {
				t.Errorf("sealed %q: want s1.1.<ciphertext>", sealed)
			}
			again, _ := s.Seal(ctx, secret, "totp:user-1")
			if again == sealed {
				t.Error("two seals of one secret are equal; want a fresh nonce each time")
			}
			got, err := s.Open(ctx, sealed, "totp:user-1")
			if err != nil || !bytes.Equal(got, secret) {
				t.Errorf("open: got %q, %v; want the secret", got, err)
			}
			tampered := []byte(sealed)
			tampered[len(tampered)-3] ^= 1
			for what, c := range map[string]struct{ sealed, aad string }{
				"another user":    {sealed, "totp:user-2"},
				"tampered":        {string(tampered), "totp:user-1"},
				"another version": {strings.Replace(sealed, "s1.1.", "s1.2.", 1), "totp:user-1"},
				"another format":  {strings.Replace(sealed, "s1.", "s2.", 1), "totp:user-1"},
				"truncated":       {sealed[:12], "totp:user-1"},
				"empty":           {"", "totp:user-1"},
				"padded version":  {strings.Replace(sealed, "s1.1.", "s1.01.", 1), "totp:user-1"},
			} {
				if _, err := s.Open(ctx, c.sealed, c.aad); !errors.Is(err, keys.ErrSealed) {
					t.Errorf("%s: got %v, want ErrSealed", what, err)
				}
			}
		})
	}
	// One KMS call for the data key, however many secrets.
	r, _ := f.process(true)
	calls := f.kms.Calls()
	for range 10 {
		sealed, err := r.Sealer().Seal(ctx, []byte("s"), "a")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Sealer().Open(ctx, sealed, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.kms.Calls() - calls; got != 1 {
		t.Errorf("10 seals and opens in a new process: %d KMS calls, want 1", got)
	}
}
