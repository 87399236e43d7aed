// Package auth holds the credential primitives: password hashing and policy, session tokens,
// one-time codes and identifiers. It knows nothing of users or storage.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/userbase/userbase/pkg/auth/argon2id"
	"golang.org/x/crypto/bcrypt"
)

// Hasher hashes passwords with argon2id and writes PHC strings:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
type Hasher struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

const (
	saltLen = 16
	keyLen  = 32
)

// Bounds of a stored hash's parameters. A hash outside them is malformed: one bad imported
// row must not make a sign-in allocate gigabytes or spin for minutes.
const (
	MaxMemoryKiB   = 256 << 10 // 256 MiB
	MaxIterations  = 16
	MaxParallelism = 16
	maxSaltLen     = 64
	maxKeyLen      = 64
	// MaxBcryptCost bounds imported bcrypt hashes: cost 14 is about a second of CPU, and
	// each step doubles it.
	MaxBcryptCost = 14
)

var b64 = base64.RawStdEncoding

// ErrBadHash is a stored hash that cannot be read.
var ErrBadHash = errors.New("auth: malformed password hash")

// Hash returns the PHC string of password (already NFC-normalized by the caller).
func (h Hasher) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2id.IDKey([]byte(password), salt, h.Iterations, h.MemoryKiB, h.Parallelism, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2id.Version,
		h.MemoryKiB, h.Iterations, h.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string, and whether the hash should be
// replaced because its parameters are weaker than h's. A bcrypt hash ($2a$, $2b$, $2y$,
// as imported from another system) is accepted too; a match always asks for a rehash, so
// the next sign-in upgrades it to argon2id.
func (h Hasher) Verify(password, phc string) (ok, rehash bool, err error) {
	if IsBcrypt(phc) {
		return verifyBcrypt(password, phc)
	}
	p, err := parsePHC(phc)
	if err != nil {
		return false, false, err
	}
	key := argon2id.IDKey([]byte(password), p.salt, p.t, p.m, p.p, uint32(len(p.key)))
	ok = subtle.ConstantTimeCompare(key, p.key) == 1
	rehash = p.m < h.MemoryKiB || p.t < h.Iterations || p.p < h.Parallelism
	return ok, rehash, nil
}

// Burn spends the time of one verification, so that a login for an unknown account takes as
// long as one for a known account.
func (h Hasher) Burn(password string) {
	argon2id.IDKey([]byte(password), make([]byte, saltLen), h.Iterations, h.MemoryKiB, h.Parallelism, keyLen)
}

// ValidHash reports whether s has the shape of a stored hash Verify reads: an argon2id
// PHC string or a bcrypt hash. It checks the shape only; it hashes nothing.
func ValidHash(s string) bool {
	if IsBcrypt(s) {
		return true
	}
	_, err := parsePHC(s)
	return err == nil
}

// IsBcrypt reports whether s has the shape of a bcrypt hash: $2a$, $2b$ or $2y$, a cost
// of 04 to MaxBcryptCost, then 22 characters of salt and 31 of hash in bcrypt's base64 alphabet.
func IsBcrypt(s string) bool {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'y':
	default:
		return false
	}
	if s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return false
	}
	if cost := int(s[4]-'0')*10 + int(s[5]-'0'); cost < bcrypt.MinCost || cost > MaxBcryptCost {
		return false
	}
	for i := 7; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c == '/' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// verifyBcrypt checks password against a bcrypt hash (of the first 72 bytes, as bcrypt
// always did). A match asks for a rehash to argon2id.
func verifyBcrypt(password, hash string) (ok, rehash bool, err error) {
	switch err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)); {
	case err == nil:
		return true, true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, false, nil
	default:
		return false, false, ErrBadHash
	}
}

type phc struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

func parsePHC(s string) (phc, error) {
	if len(s) > 256 {
		return phc{}, ErrBadHash
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return phc{}, ErrBadHash
	}
	var out phc
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return phc{}, ErrBadHash
		}
		switch k {
		case "m":
			out.m = uint32(n)
		case "t":
			out.t = uint32(n)
		case "p":
			if n > 255 {
				return phc{}, ErrBadHash
			}
			out.p = uint8(n)
		default:
			return phc{}, ErrBadHash
		}
	}
	var err1, err2 error
	out.salt, err1 = b64.DecodeString(parts[4])
	out.key, err2 = b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || out.m == 0 || out.t == 0 || out.p == 0 ||
		out.m > MaxMemoryKiB || out.t > MaxIterations || out.p > MaxParallelism || out.m < 8*uint32(out.p) ||
		len(out.key) < 16 || len(out.key) > maxKeyLen || len(out.salt) < 8 || len(out.salt) > maxSaltLen {
		return phc{}, ErrBadHash
	}
	return out, nil
}
