package keys

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/retry"
)

// Rotation timing.
const (
	// DefaultRotationDelay is how long the next key is published before it signs: API
	// Gateway's JWT authorizer caches a JWKS for up to two hours.
	DefaultRotationDelay = 2 * time.Hour
	// MinRotationDelay is the shortest delay Rotate accepts unless forced: two refresh
	// intervals, so every warm process has read the next key before it signs.
	MinRotationDelay = 2 * DefaultRefresh
	// retain is how long an unpublished key's item stays (for `usersctl keys list`)
	// before the table's TTL deletes it.
	retain = 7 * 24 * time.Hour
	// fallbackTokenTTL is the token lifetime assumed when the ring has none recorded:
	// long, since keeping a retired key published too long costs nothing.
	fallbackTokenTTL = 24 * time.Hour
)

// saveRetry bounds the retries after losing a race with another writer.
var saveRetry = retry.Policy{Attempts: 5, Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}

// retiredGrace is how long a key stays published after it stops signing: the lifetime
// of its last token, plus a refresh interval (a process may sign with it that much
// longer before it re-reads the ring), plus the clock skew verifiers allow.
func retiredGrace(tokenTTL time.Duration) time.Duration {
	if tokenTTL <= 0 {
		tokenTTL = fallbackTokenTTL
	}
	return tokenTTL + DefaultRefresh + jwt.DefaultLeeway
}

// Ensure makes sure the ring has a data key and a key that signs now, and records the
// access token lifetime. It is idempotent, and concurrent runs converge: every write is
// conditional on the ring's version, and the loser re-reads and finds the work done.
// The KeysInit custom resource runs it when the stack is created and when its properties
// change (the token lifetime, the table, the key); the local stack on every start.
func (r *Ring) Ensure(ctx context.Context, tokenTTL time.Duration) error {
	if r.kms == nil {
		return ErrNoKMS
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return saveRetry.Do(ctx, func(int) (bool, error) {
		if err := r.reload(ctx); err != nil {
			return false, err
		}
		st, now := r.state, r.now()
		c := Change{Prev: st.Version, TokenTTL: tokenTTL}
		dk := latestDataKey(st)
		// KMS is asked only for what must be made: a deploy of a complete ring (a rollback
		// with the key disabled, say) needs no call that could fail it.
		needKey := signer(st, now) == nil
		var plain []byte
		if dk == nil {
			p, ct, kmsID, err := r.kms.GenerateDataKey(ctx)
			if err != nil {
				return false, fmt.Errorf("generate data key: %w", err)
			}
			if len(p) != 32 {
				return false, fmt.Errorf("generate data key: got %d bytes, want 32", len(p))
			}
			dk = &DataKey{Version: 1, Ciphertext: ct, KMSKeyID: kmsID, CreatedAt: now}
			c.DataKeys, plain = []DataKey{*dk}, p
		} else if needKey {
			var err error
			if plain, err = r.dataKey(ctx, dk.Version); err != nil {
				return false, err
			}
		}
		if needKey {
			k, err := r.makeKey(dk.Version, plain, now, now)
			if err != nil {
				return false, err
			}
			c.SigningKeys = []SigningKey{*k}
		}
		if len(c.DataKeys) == 0 && len(c.SigningKeys) == 0 && st.TokenTTL == tokenTTL {
			return false, nil
		}
		err := r.store.SaveKeys(ctx, c)
		if errors.Is(err, ErrConflict) {
			return true, ErrConflict
		}
		if err != nil {
			return false, fmt.Errorf("save key ring: %w", err)
		}
		if plain != nil {
			r.plainKeys[dk.Version] = plain
		}
		r.state = nil
		return false, nil
	})
}

// makeKey generates a signing key, seals its private half under the data key version,
// and returns its item, signing from from.
func (r *Ring) makeKey(version int, dataKey []byte, now, from time.Time) (*SigningKey, error) {
	priv, err := r.newKey()
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	kid := jwt.Thumbprint(&priv.PublicKey)
	sealed, err := seal(dataKey, version, der, privateAAD(kid))
	if err != nil {
		return nil, err
	}
	return &SigningKey{KID: kid, N: priv.N.Bytes(), E: priv.E, Private: sealed, CreatedAt: now, SignsFrom: from}, nil
}

// Rotate publishes a new key now that signs from now+delay, and schedules the current
// key to stop signing then and to leave the JWKS once its last token has expired. While
// a next key is still waiting to sign it refuses (ErrRotationPending) unless force, which
// withdraws that key (it never signed) in favour of the new one. A delay under
// MinRotationDelay needs force too: a process may not have read the new key before it
// signs. It returns the new key.
func (r *Ring) Rotate(ctx context.Context, delay time.Duration, force bool) (*SigningKey, error) {
	if r.kms == nil {
		return nil, ErrNoKMS
	}
	if delay < 0 {
		return nil, fmt.Errorf("keys: negative rotation delay %s", delay)
	}
	if delay < MinRotationDelay && !force {
		return nil, fmt.Errorf("keys: a delay under %s needs force: processes re-read the ring every %s, and one that has not may meet a token of a key it does not know yet", MinRotationDelay, DefaultRefresh)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var key *SigningKey
	err := saveRetry.Do(ctx, func(int) (bool, error) {
		if err := r.reload(ctx); err != nil {
			return false, err
		}
		st, now := r.state, r.now()
		cur := signer(st, now)
		dk := latestDataKey(st)
		if cur == nil || dk == nil {
			return false, ErrNotInitialized
		}
		var pending []SigningKey
		for _, k := range st.SigningKeys {
			if published(&k, now) && k.SignsFrom.After(now) {
				pending = append(pending, k)
			}
		}
		if len(pending) > 0 && !force {
			return false, fmt.Errorf("%w: key %s signs from %s", ErrRotationPending, pending[0].KID, pending[0].SignsFrom.Format(time.RFC3339))
		}
		plain, err := r.dataKey(ctx, dk.Version)
		if err != nil {
			return false, err
		}
		from := now.Add(delay)
		next, err := r.makeKey(dk.Version, plain, now, from)
		if err != nil {
			return false, err
		}
		retired := *cur
		retired.SignsUntil = from
		retired.PublishedUntil = from.Add(retiredGrace(st.TokenTTL))
		retired.ExpiresAt = retired.PublishedUntil.Add(retain)
		c := Change{Prev: st.Version, TokenTTL: st.TokenTTL, SigningKeys: []SigningKey{*next, retired}}
		for _, p := range pending {
			// It never signed: out of the JWKS at once.
			p.SignsUntil, p.PublishedUntil, p.ExpiresAt = p.SignsFrom, now, now.Add(retain)
			c.SigningKeys = append(c.SigningKeys, p)
		}
		err = r.store.SaveKeys(ctx, c)
		if errors.Is(err, ErrConflict) {
			return true, ErrConflict
		}
		if err != nil {
			return false, fmt.Errorf("save key ring: %w", err)
		}
		r.state = nil
		key = next
		return false, nil
	})
	return key, err
}

// The states of a key, as List reports them.
const (
	StateNext        = "next"        // published, signs later
	StateCurrent     = "current"     // signs now
	StateRetired     = "retired"     // published until its tokens have expired, signs no more
	StateUnpublished = "unpublished" // out of the JWKS; the table's TTL deletes it
)

// KeyInfo describes one signing key.
type KeyInfo struct {
	KID            string
	State          string
	CreatedAt      time.Time
	SignsFrom      time.Time
	SignsUntil     time.Time // zero: until the next key
	PublishedUntil time.Time // zero: published
}

// List reads the ring now and describes every key, oldest first.
func (r *Ring) List(ctx context.Context) ([]KeyInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.reload(ctx); err != nil {
		return nil, err
	}
	st, now := r.state, r.now()
	cur := signer(st, now)
	out := make([]KeyInfo, 0, len(st.SigningKeys))
	for _, k := range st.SigningKeys {
		info := KeyInfo{KID: k.KID, CreatedAt: k.CreatedAt, SignsFrom: k.SignsFrom, SignsUntil: k.SignsUntil, PublishedUntil: k.PublishedUntil}
		switch {
		case !published(&k, now):
			info.State = StateUnpublished
		case cur != nil && cur.KID == k.KID:
			info.State = StateCurrent
		case k.SignsFrom.After(now):
			info.State = StateNext
		default:
			info.State = StateRetired
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SignsFrom.Before(out[j].SignsFrom) })
	return out, nil
}
