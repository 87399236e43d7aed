package jwt

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
)

// JWK is the public half of a signing key as a JSON Web Key.
type JWK struct {
	Kty string `json:"kty"` // "RSA"
	Kid string `json:"kid"`
	Use string `json:"use"` // "sig"
	Alg string `json:"alg"` // "RS256"
	N   string `json:"n"`   // modulus, base64url
	E   string `json:"e"`   // public exponent, base64url
}

// JWKS is a JSON Web Key Set, the body of /.well-known/jwks.json.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK describes pub as the signing key kid.
func PublicJWK(kid string, pub *rsa.PublicKey) JWK {
	return JWK{Kty: "RSA", Kid: kid, Use: "sig", Alg: Alg,
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}

// ErrBadKey is a JWK that is not an RS256 RSA public key of at least 2048 bits.
var ErrBadKey = errors.New("jwt: not an RS256 public key of 2048 bits or more")

// PublicKey is the RSA public key k describes.
func (k JWK) PublicKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" || (k.Alg != "" && k.Alg != Alg) || (k.Use != "" && k.Use != "sig") {
		return nil, ErrBadKey
	}
	n, err1 := b64.DecodeString(k.N)
	e, err2 := b64.DecodeString(k.E)
	if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 || len(n) < 256 || n[0] == 0 {
		return nil, ErrBadKey
	}
	exp := new(big.Int).SetBytes(e)
	if exp.Int64() < 3 || exp.Bit(0) == 0 {
		return nil, ErrBadKey
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, nil
}

// Thumbprint is the RFC 7638 thumbprint of pub (SHA-256, base64url): a kid that names the
// key by its content, so it never collides and never needs storing twice.
func Thumbprint(pub *rsa.PublicKey) string {
	j := PublicJWK("", pub)
	// The members in lexicographic order, no white space, as RFC 7638 requires.
	b, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{j.E, j.Kty, j.N})
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type issuerKey struct{}

// WithIssuer returns ctx carrying the issuer of the request being served: the tokens it
// mints name it, and the tokens it accepts must.
func WithIssuer(ctx context.Context, issuer string) context.Context {
	return context.WithValue(ctx, issuerKey{}, issuer)
}

// IssuerOf is the issuer WithIssuer put in ctx, or "".
func IssuerOf(ctx context.Context) string {
	s, _ := ctx.Value(issuerKey{}).(string)
	return s
}
