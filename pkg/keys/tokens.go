package keys

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"time"

	"github.com/userbase/userbase/pkg/jwt"
)

// Tokens mints and verifies access tokens with the ring's keys.
type Tokens struct {
	ring     *Ring
	audience string
	ttl      time.Duration
}

// NewTokens mints tokens for audience that live ttl, signed by r's current key.
func NewTokens(r *Ring, audience string, ttl time.Duration) *Tokens {
	return &Tokens{ring: r, audience: audience, ttl: ttl}
}

// TTL is the lifetime of the tokens Mint makes (the sign-in answer's expires_in).
func (t *Tokens) TTL() time.Duration { return t.ttl }

// ErrIncomplete is a Mint call without an issuer or a subject.
var ErrIncomplete = errors.New("keys: a token needs an issuer and a subject")

// Mint signs c with the current key and returns the token and when it expires. It sets
// the audience (when empty), iat, exp, and jti (when empty); the caller sets the issuer,
// the subject and the rest. In a warm process it reads neither the table nor KMS.
func (t *Tokens) Mint(ctx context.Context, c jwt.Claims) (string, time.Time, error) {
	if c.Issuer == "" || c.Subject == "" {
		return "", time.Time{}, ErrIncomplete
	}
	kid, key, err := t.ring.Signer(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := t.ring.now().Truncate(time.Second)
	if c.Audience == "" {
		c.Audience = t.audience
	}
	c.IssuedAt, c.ExpiresAt = now, now.Add(t.ttl)
	if c.ID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", time.Time{}, err
		}
		c.ID = base64.RawURLEncoding.EncodeToString(b[:])
	}
	tok, err := jwt.Sign(c, kid, key)
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, c.ExpiresAt, nil
}

// Verify checks an access token of issuer for the configured audience and returns its
// claims. A refused token matches jwt.ErrInvalid; any other error is a failure to read
// the ring. It needs only the public keys: no KMS, and in a warm process no table read.
func (t *Tokens) Verify(ctx context.Context, token, issuer string) (*jwt.Claims, error) {
	v := jwt.Verifier{Issuer: issuer, Audience: t.audience, Now: t.ring.now}
	return v.Verify(token, func(kid string) (*rsa.PublicKey, error) { return t.ring.PublicKey(ctx, kid) })
}
