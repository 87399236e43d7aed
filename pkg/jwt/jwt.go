// Package jwt signs and verifies the access tokens: RS256 JSON Web Tokens (RFC 7519) in
// compact form, with the claims the API documents, and the JSON Web Keys (RFC 7517) that
// publish the public halves.
//
// Verification is deliberately narrow: it accepts exactly what Sign makes. The algorithm
// must be RS256 (never "none", never an HMAC keyed with a public key), the key must be one
// the caller knows by kid, the header may carry nothing else, and the time, issuer and
// audience claims must hold. Anything else is ErrInvalid.
package jwt

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Alg is the one signing algorithm: RSASSA-PKCS1-v1_5 with SHA-256, what every JWT library
// and API Gateway's JWT authorizer accept.
const Alg = "RS256"

// MaxSize bounds a token before any decoding: ours are well under 2 KiB.
const MaxSize = 8 << 10

// DefaultLeeway is the clock skew tolerated on exp, nbf and iat.
const DefaultLeeway = time.Minute

// ErrInvalid matches (errors.Is) every reason Verify refuses a token.
var ErrInvalid = errors.New("jwt: invalid token")

// invalid is one reason a token is refused; each is also ErrInvalid.
type invalid string

func (e invalid) Error() string        { return "jwt: " + string(e) }
func (e invalid) Is(target error) bool { return target == ErrInvalid }

// The reasons Verify refuses a token.
var (
	ErrMalformed    error = invalid("malformed token")
	ErrAlgorithm    error = invalid("algorithm not RS256")
	ErrUnknownKey   error = invalid("unknown signing key")
	ErrSignature    error = invalid("bad signature")
	ErrExpired      error = invalid("token expired")
	ErrNotYetValid  error = invalid("token not yet valid")
	ErrIssuer       error = invalid("wrong issuer")
	ErrAudience     error = invalid("wrong audience")
	ErrMissingClaim error = invalid("required claim missing")
)

// Claims are the claims of an access token. Times are whole seconds on the wire.
type Claims struct {
	Issuer    string    // iss
	Subject   string    // sub: the user id
	Audience  string    // aud
	ExpiresAt time.Time // exp
	IssuedAt  time.Time // iat
	NotBefore time.Time // nbf, left out when zero
	ID        string    // jti
	SessionID string    // sid
	Role      string
	Email     string
	// EmailVerified is email_verified.
	EmailVerified bool
	// AMR lists how the session was authenticated: "pwd", "otp", "hwk" or "swk" (passkeys),
	// "email" (a mailed code).
	AMR      []string
	AuthTime time.Time // auth_time
}

// wire is the JSON form of Claims, in the order the claims are written.
type wire struct {
	Issuer        string   `json:"iss"`
	Subject       string   `json:"sub"`
	Audience      audience `json:"aud"`
	ExpiresAt     int64    `json:"exp"`
	IssuedAt      int64    `json:"iat"`
	NotBefore     int64    `json:"nbf,omitempty"`
	ID            string   `json:"jti,omitempty"`
	SessionID     string   `json:"sid,omitempty"`
	Role          string   `json:"role,omitempty"`
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified"`
	AMR           []string `json:"amr,omitempty"`
	AuthTime      int64    `json:"auth_time,omitempty"`
}

// audience is aud: one string when written, a string or an array of strings when read
// (RFC 7519 allows both).
type audience []string

func (a audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

func seconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromSeconds(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// MarshalJSON writes the registered and private claims.
func (c Claims) MarshalJSON() ([]byte, error) {
	return json.Marshal(wire{
		Issuer: c.Issuer, Subject: c.Subject, Audience: audience{c.Audience},
		ExpiresAt: seconds(c.ExpiresAt), IssuedAt: seconds(c.IssuedAt), NotBefore: seconds(c.NotBefore),
		ID: c.ID, SessionID: c.SessionID, Role: c.Role, Email: c.Email, EmailVerified: c.EmailVerified,
		AMR: c.AMR, AuthTime: seconds(c.AuthTime),
	})
}

// header is the JOSE header; Verify rejects any other member (crit, jku, jwk, x5u…).
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ,omitempty"`
}

// Sign makes the compact RS256 token of c, naming kid in its header.
func Sign(c Claims, kid string, key *rsa.PrivateKey) (string, error) {
	h, err := json.Marshal(header{Alg: Alg, Kid: kid, Typ: "JWT"})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, enc.EncodedLen(len(h))+enc.EncodedLen(len(p))+1+enc.EncodedLen(key.Size())+1)
	buf = enc.AppendEncode(buf, h)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, p)
	digest := sha256.Sum256(buf)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// KeyFunc returns the public key of a kid, or an error (ErrUnknownKey) when there is none.
type KeyFunc func(kid string) (*rsa.PublicKey, error)

// Verifier checks tokens of one issuer for one audience.
type Verifier struct {
	Issuer   string
	Audience string
	// Leeway is the clock skew allowed on exp, nbf and iat; zero means DefaultLeeway.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// b64 decodes unpadded base64url and refuses non-canonical encodings.
var b64 = base64.RawURLEncoding.Strict()

// Verify checks token and returns its claims. Every refusal matches ErrInvalid, except
// an error of keys itself (a failed key ring load), which is returned as it is.
func (v Verifier) Verify(token string, keys KeyFunc) (*Claims, error) {
	if len(token) > MaxSize {
		return nil, ErrMalformed
	}
	h64, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, ErrMalformed
	}
	p64, s64, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(s64, '.') >= 0 || h64 == "" || p64 == "" || s64 == "" {
		return nil, ErrMalformed
	}
	hb, err := b64.DecodeString(h64)
	if err != nil {
		return nil, ErrMalformed
	}
	var h header
	if err := strictUnmarshal(hb, &h); err != nil {
		return nil, ErrMalformed
	}
	if h.Alg != Alg {
		return nil, ErrAlgorithm
	}
	if h.Typ != "" && h.Typ != "JWT" {
		return nil, ErrMalformed
	}
	if h.Kid == "" {
		return nil, ErrUnknownKey
	}
	pub, err := keys(h.Kid)
	if err != nil {
		return nil, err
	}
	sig, err := b64.DecodeString(s64)
	if err != nil || len(sig) != pub.Size() {
		return nil, ErrSignature
	}
	digest := sha256.Sum256([]byte(token[:len(h64)+1+len(p64)]))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
		return nil, ErrSignature
	}
	// Only a signed payload is parsed.
	pb, err := b64.DecodeString(p64)
	if err != nil {
		return nil, ErrMalformed
	}
	var w wire
	if err := json.Unmarshal(pb, &w); err != nil {
		return nil, ErrMalformed
	}
	return v.check(&w)
}

// check holds the claims to the verifier's issuer, audience and clock.
func (v Verifier) check(w *wire) (*Claims, error) {
	if w.Subject == "" || w.ExpiresAt == 0 || w.IssuedAt == 0 || w.Issuer == "" || len(w.Audience) == 0 {
		return nil, ErrMissingClaim
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	leeway := v.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	}
	t := now().Unix()
	skew := int64(leeway / time.Second)
	switch {
	case t >= w.ExpiresAt+skew:
		return nil, ErrExpired
	case w.NotBefore != 0 && t+skew < w.NotBefore, t+skew < w.IssuedAt:
		return nil, ErrNotYetValid
	}
	if w.Issuer != v.Issuer {
		return nil, ErrIssuer
	}
	found := false
	for _, a := range w.Audience {
		found = found || a == v.Audience
	}
	if !found {
		return nil, ErrAudience
	}
	return &Claims{
		Issuer: w.Issuer, Subject: w.Subject, Audience: v.Audience,
		ExpiresAt: fromSeconds(w.ExpiresAt), IssuedAt: fromSeconds(w.IssuedAt), NotBefore: fromSeconds(w.NotBefore),
		ID: w.ID, SessionID: w.SessionID, Role: w.Role, Email: w.Email, EmailVerified: w.EmailVerified,
		AMR: w.AMR, AuthTime: fromSeconds(w.AuthTime),
	}, nil
}

// strictUnmarshal decodes one JSON object with no unknown member and nothing after it.
func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return ErrMalformed
	}
	return nil
}
