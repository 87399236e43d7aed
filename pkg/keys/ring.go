package keys

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/userbase/userbase/pkg/jwt"
)

// Timing of the cache.
const (
	// DefaultRefresh is how often a process re-reads the ring: well under half the
	// default rotation delay (two hours), so a warm process learns of the next key long
	// before it signs.
	DefaultRefresh = 10 * time.Minute
	// missReload is the least time between two re-reads caused by an unknown kid, so a
	// flood of forged kids costs at most one Query a minute.
	missReload = time.Minute
	// retryAfterError is how long a failed refresh waits before the next try; the cached
	// ring serves meanwhile.
	retryAfterError = time.Minute
)

// Options configures a Ring.
type Options struct {
	Store Store
	// KMS decrypts the data key; nil builds a ring that only verifies and publishes.
	KMS KMS
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Refresh is how often the cached ring is re-read; zero means DefaultRefresh.
	Refresh time.Duration
	// NewKey makes a signing key; nil means a fresh RSA 2048 key.
	NewKey func() (*rsa.PrivateKey, error)
}

// Ring is the cached key ring of a process: safe for concurrent use. Build one per
// process (see New); nothing is read before first use.
type Ring struct {
	store   Store
	kms     KMS
	now     func() time.Time
	refresh time.Duration
	newKey  func() (*rsa.PrivateKey, error)

	mu        sync.Mutex
	state     *State
	loadedAt  time.Time
	retryAt   time.Time // after a failed refresh
	missAt    time.Time // the last re-read for an unknown kid
	public    map[string]*rsa.PublicKey
	private   map[string]*rsa.PrivateKey
	plainKeys map[int][]byte
}

// New returns a ring over o.Store and o.KMS. It reads nothing until first used.
func New(o Options) *Ring {
	r := &Ring{store: o.Store, kms: o.KMS, now: o.Now, refresh: o.Refresh, newKey: o.NewKey,
		public: map[string]*rsa.PublicKey{}, private: map[string]*rsa.PrivateKey{}, plainKeys: map[int][]byte{}}
	if r.now == nil {
		r.now = time.Now
	}
	if r.refresh <= 0 {
		r.refresh = DefaultRefresh
	}
	if r.newKey == nil {
		r.newKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	return r
}

// cached returns the ring, reading it on first use and re-reading it once it is older
// than the refresh interval. A failed re-read keeps the cached ring (tried again a
// minute later); a failed first read is an error. Call with r.mu held.
func (r *Ring) cached(ctx context.Context) (*State, error) {
	now := r.now()
	if r.state != nil && (now.Sub(r.loadedAt) < r.refresh || now.Before(r.retryAt)) {
		return r.state, nil
	}
	if err := r.reload(ctx); err != nil {
		if r.state == nil {
			return nil, err
		}
		r.retryAt = now.Add(retryAfterError)
	}
	return r.state, nil
}

// reload reads the ring now. Call with r.mu held.
func (r *Ring) reload(ctx context.Context) error {
	st, err := r.store.LoadKeys(ctx)
	if err != nil {
		return fmt.Errorf("load key ring: %w", err)
	}
	r.state, r.loadedAt = st, r.now()
	return nil
}

// Invalidate drops the cache, so the next use reads the ring again (after a change made
// by this process, for example).
func (r *Ring) Invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state = nil
}

// published reports whether k is in the JWKS at t.
func published(k *SigningKey, t time.Time) bool {
	return k.PublishedUntil.IsZero() || t.Before(k.PublishedUntil)
}

// signer is the key that signs at t: the published key with the latest SignsFrom at or
// before t that has not stopped signing.
func signer(st *State, t time.Time) *SigningKey {
	var best *SigningKey
	for i := range st.SigningKeys {
		k := &st.SigningKeys[i]
		if !published(k, t) || k.SignsFrom.After(t) || (!k.SignsUntil.IsZero() && !t.Before(k.SignsUntil)) {
			continue
		}
		if best == nil || k.SignsFrom.After(best.SignsFrom) ||
			(k.SignsFrom.Equal(best.SignsFrom) && (k.CreatedAt.After(best.CreatedAt) || k.CreatedAt.Equal(best.CreatedAt) && k.KID > best.KID)) {
			best = k
		}
	}
	return best
}

// find returns the key kid of st, or nil.
func find(st *State, kid string) *SigningKey {
	for i := range st.SigningKeys {
		if st.SigningKeys[i].KID == kid {
			return &st.SigningKeys[i]
		}
	}
	return nil
}

// publicKey is k's public key, parsed once. Call with r.mu held.
func (r *Ring) publicKey(k *SigningKey) *rsa.PublicKey {
	if p, ok := r.public[k.KID]; ok {
		return p
	}
	p := &rsa.PublicKey{N: new(big.Int).SetBytes(k.N), E: k.E}
	r.public[k.KID] = p
	return p
}

// PublicKey returns the public key of a kid published now, for verification. An unknown
// kid re-reads the ring, at most once a minute, in case it is a key this process has not
// seen yet; otherwise it is jwt.ErrUnknownKey.
func (r *Ring) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.cached(ctx)
	if err != nil {
		return nil, err
	}
	now := r.now()
	k := find(st, kid)
	if k == nil && now.Sub(r.missAt) >= missReload {
		r.missAt = now
		if err := r.reload(ctx); err != nil {
			return nil, err
		}
		k = find(r.state, kid)
	}
	if k == nil || !published(k, now) {
		return nil, jwt.ErrUnknownKey
	}
	return r.publicKey(k), nil
}

// JWKS returns the keys published now, oldest first: the retired key until its tokens
// have expired, the current one, and the next before it signs.
func (r *Ring) JWKS(ctx context.Context) (jwt.JWKS, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.cached(ctx)
	if err != nil {
		return jwt.JWKS{}, err
	}
	now := r.now()
	ks := make([]*SigningKey, 0, len(st.SigningKeys))
	for i := range st.SigningKeys {
		if published(&st.SigningKeys[i], now) {
			ks = append(ks, &st.SigningKeys[i])
		}
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].SignsFrom.Before(ks[j].SignsFrom) })
	out := jwt.JWKS{Keys: make([]jwt.JWK, 0, len(ks))}
	for _, k := range ks {
		out.Keys = append(out.Keys, jwt.PublicJWK(k.KID, r.publicKey(k)))
	}
	return out, nil
}

// Signer returns the key that signs now and its kid. The first call for a key opens its
// private key, which needs the data key (one kms:Decrypt per process).
func (r *Ring) Signer(ctx context.Context) (string, *rsa.PrivateKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.cached(ctx)
	if err != nil {
		return "", nil, err
	}
	k := signer(st, r.now())
	if k == nil {
		return "", nil, ErrNotInitialized
	}
	if p, ok := r.private[k.KID]; ok {
		return k.KID, p, nil
	}
	p, err := r.openPrivate(ctx, k)
	if err != nil {
		return "", nil, err
	}
	r.private[k.KID] = p
	return k.KID, p, nil
}

// privateAAD binds a sealed private key to its kid.
func privateAAD(kid string) string { return "signing-key:" + kid }

// openPrivate unseals and parses k's private key and checks it against the public one.
// Call with r.mu held.
func (r *Ring) openPrivate(ctx context.Context, k *SigningKey) (*rsa.PrivateKey, error) {
	version, body, ok := parseSealed(k.Private)
	if !ok {
		return nil, fmt.Errorf("signing key %s: %w", k.KID, ErrSealed)
	}
	dk, err := r.dataKey(ctx, version)
	if err != nil {
		return nil, err
	}
	der, err := open(dk, version, body, privateAAD(k.KID))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", k.KID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", k.KID, err)
	}
	p, ok := parsed.(*rsa.PrivateKey)
	if !ok || !p.PublicKey.Equal(r.publicKey(k)) {
		return nil, fmt.Errorf("signing key %s: the private key does not match the public one", k.KID)
	}
	return p, nil
}

// dataKey returns the clear data key of a version, decrypting it on first use. Call with
// r.mu held.
func (r *Ring) dataKey(ctx context.Context, version int) ([]byte, error) {
	if k, ok := r.plainKeys[version]; ok {
		return k, nil
	}
	if r.kms == nil {
		return nil, ErrNoKMS
	}
	dk := findDataKey(r.state, version)
	if dk == nil {
		// A version newer than the cache: another process added it.
		if err := r.reload(ctx); err != nil {
			return nil, err
		}
		if dk = findDataKey(r.state, version); dk == nil {
			return nil, fmt.Errorf("data key %d: %w", version, ErrSealed)
		}
	}
	plain, err := r.kms.Decrypt(ctx, dk.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("decrypt data key %d: %w", version, err)
	}
	if len(plain) != 32 {
		return nil, fmt.Errorf("data key %d is %d bytes, want 32", version, len(plain))
	}
	r.plainKeys[version] = plain
	return plain, nil
}

func findDataKey(st *State, version int) *DataKey {
	for i := range st.DataKeys {
		if st.DataKeys[i].Version == version {
			return &st.DataKeys[i]
		}
	}
	return nil
}

// latestDataKey is the highest version of st, or nil.
func latestDataKey(st *State) *DataKey {
	var best *DataKey
	for i := range st.DataKeys {
		if best == nil || st.DataKeys[i].Version > best.Version {
			best = &st.DataKeys[i]
		}
	}
	return best
}

// ringKeys is the ring's data keys, for its Sealer.
type ringKeys struct{ r *Ring }

func (k ringKeys) current(ctx context.Context) (int, []byte, error) {
	k.r.mu.Lock()
	defer k.r.mu.Unlock()
	st, err := k.r.cached(ctx)
	if err != nil {
		return 0, nil, err
	}
	dk := latestDataKey(st)
	if dk == nil {
		return 0, nil, ErrNotInitialized
	}
	key, err := k.r.dataKey(ctx, dk.Version)
	return dk.Version, key, err
}

func (k ringKeys) byVersion(ctx context.Context, version int) ([]byte, error) {
	k.r.mu.Lock()
	defer k.r.mu.Unlock()
	if key, ok := k.r.plainKeys[version]; ok {
		return key, nil
	}
	if _, err := k.r.cached(ctx); err != nil {
		return nil, err
	}
	return k.r.dataKey(ctx, version)
}

// Sealer returns the sealer of secrets under the ring's data key.
func (r *Ring) Sealer() *Sealer { return &Sealer{keys: ringKeys{r}} }
