package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// A session token is "<user id>.<session id>.<secret>": the ids let one BatchGetItem read the
// session and its user; the secret is 256 random bits of which only the SHA-256 is stored.
const secretLen = 32

var b64url = base64.RawURLEncoding

// ErrBadToken is a token that is not one of ours.
var ErrBadToken = errors.New("auth: malformed token")

// SessionToken is a freshly minted session credential. Token goes to the client once;
// Hash is what is stored.
type SessionToken struct {
	Token     string
	SessionID string
	Hash      string
}

// NewSessionToken mints a token for userID.
func NewSessionToken(userID string) (SessionToken, error) {
	sid, err := NewID()
	if err != nil {
		return SessionToken{}, err
	}
	secret := make([]byte, secretLen)
	if _, err := rand.Read(secret); err != nil {
		return SessionToken{}, err
	}
	s := b64url.EncodeToString(secret)
	return SessionToken{Token: userID + "." + sid + "." + s, SessionID: sid, Hash: HashSecret(s)}, nil
}

// ParsedToken is what a token says about itself; nothing in it is trusted until the stored
// hash matches.
type ParsedToken struct {
	UserID, SessionID, Hash string
}

// ParseSessionToken splits a token and hashes its secret. It rejects anything that is not
// exactly the shape NewSessionToken makes.
func ParseSessionToken(tok string) (ParsedToken, error) {
	if len(tok) > 200 {
		return ParsedToken{}, ErrBadToken
	}
	uid, rest, ok1 := strings.Cut(tok, ".")
	sid, secret, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || !ValidID(uid) || !ValidID(sid) || len(secret) != 43 {
		return ParsedToken{}, ErrBadToken
	}
	if raw, err := b64url.DecodeString(secret); err != nil || len(raw) != secretLen {
		return ParsedToken{}, ErrBadToken
	}
	return ParsedToken{UserID: uid, SessionID: sid, Hash: HashSecret(secret)}, nil
}

// HashSecret is the stored form of a token secret or a one-time code.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// SameHash compares two stored hashes in constant time.
func SameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// NewCode returns a one-time code of 160 random bits for links, and the hash to store.
func NewCode() (code, hash string, err error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	code = b64url.EncodeToString(b)
	return code, HashSecret(code), nil
}

// ValidCode reports whether s has the shape of a code NewCode makes.
func ValidCode(s string) bool {
	if len(s) != 27 {
		return false
	}
	b, err := b64url.DecodeString(s)
	return err == nil && len(b) == 20
}
