package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238): HMAC-SHA1, 6 digits, 30-second steps, as every authenticator app does.
const (
	totpDigits = 6
	totpPeriod = 30
	// totpSkew is how many steps either side of now are accepted, for clock drift.
	totpSkew = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a 160-bit secret in base32, as authenticator apps take it.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return b32.EncodeToString(b), nil
}

// TOTPURL is the otpauth:// URL an authenticator app scans.
func TOTPURL(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {fmt.Sprint(totpDigits)}, "period": {fmt.Sprint(totpPeriod)}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// VerifyTOTP checks a 6-digit code against secret at now, accepting one step of drift either
// way. It returns the step the code belongs to; a code is accepted only for a step after
// lastStep, so no code is accepted twice.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil || len(key) == 0 {
		return 0, false
	}
	cur := TOTPStep(now)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s > lastStep && hmac.Equal([]byte(totpCode(key, s)), []byte(code)) {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode is the code of secret at time t (for tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", err
	}
	return totpCode(key, TOTPStep(t)), nil
}

func totpCode(key []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// Recovery codes: ten codes of 80 bits, written "xxxx-xxxx-xxxx-xxxx" in lower-case base32,
// stored as salted hashes.
const (
	recoveryCount = 10
	recoveryLen   = 16 // base32 characters: 80 bits
)

// NewRecoverySalt returns a random salt for one enrollment's recovery codes.
func NewRecoverySalt() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return b32.EncodeToString(b), nil
}

// NewRecoveryCodes returns the codes to show once and their hashes under salt, to store.
func NewRecoveryCodes(salt string) (codes, hashes []string, err error) {
	for range recoveryCount {
		b := make([]byte, recoveryLen*5/8)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, err
		}
		s := strings.ToLower(b32.EncodeToString(b))
		code := s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(salt, NormalizeRecoveryCode(code)))
	}
	return codes, hashes, nil
}

// HashRecoveryCode is the stored form of a normalized recovery code under an enrollment's
// salt, so equal codes of two users never share a hash and no table of hashes precomputed
// once serves every user.
func HashRecoveryCode(salt, normalized string) string {
	return HashSecret(salt + ":" + normalized)
}

// NormalizeRecoveryCode is the form a typed recovery code is hashed in: lower case, no
// spaces or dashes. "" when it cannot be one.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != recoveryLen || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return ""
	}
	return s
}
