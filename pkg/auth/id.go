package auth

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// IDs are 26 characters of lower-case Crockford base32: 48 bits of milliseconds then 80
// random bits, so they sort by creation time and never collide in practice.
const (
	idLen     = 26
	crockford = "0123456789abcdefghjkmnpqrstvwxyz"
)

// NewID returns a fresh identifier.
func NewID() (string, error) { return newIDAt(time.Now()) }

func newIDAt(t time.Time) (string, error) {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		return "", err
	}
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [idLen]byte
	// 128 bits -> 26 base32 digits (130 bits, the top two always zero).
	for i := idLen - 1; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:]), nil
}

// ValidID reports whether s has the shape of an id NewID makes.
func ValidID(s string) bool {
	if len(s) != idLen || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') || c == 'i' || c == 'l' || c == 'o' || c == 'u' {
			return false
		}
	}
	return true
}
