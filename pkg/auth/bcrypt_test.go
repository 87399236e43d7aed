package auth

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// Hashes imported from another system in bcrypt are accepted, and a match asks for a
// rehash so that the next sign-in upgrades them to argon2id.
func TestVerifyBcrypt(t *testing.T) {
	h := Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	b, err := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash := string(b) // $2a$04$…
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		v := prefix + hash[4:]
		if !IsBcrypt(v) || !ValidHash(v) {
			t.Errorf("%s: not recognised as bcrypt", v)
		}
		ok, rehash, err := h.Verify("correct horse battery", v)
		if !ok || !rehash || err != nil {
			t.Errorf("%s right password: ok %v rehash %v err %v, want true true nil", prefix, ok, rehash, err)
		}
		ok, rehash, err = h.Verify("wrong horse battery", v)
		if ok || rehash || err != nil {
			t.Errorf("%s wrong password: ok %v rehash %v err %v, want false false nil", prefix, ok, rehash, err)
		}
	}
	// bcrypt reads only the first 72 bytes: a longer password matches on those.
	long := strings.Repeat("x", 72)
	b, err = bcrypt.GenerateFromPassword([]byte(long), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(long+"tail", string(b)); !ok || err != nil {
		t.Errorf("72+ bytes: ok %v err %v", ok, err)
	}

	// The upgrade: a new argon2id hash that verifies without asking for another rehash.
	up, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if ok, rehash, err := h.Verify("correct horse battery", up); !ok || rehash || err != nil {
		t.Errorf("argon2id after upgrade: ok %v rehash %v err %v", ok, rehash, err)
	}
	if !ValidHash(up) || IsBcrypt(up) {
		t.Errorf("argon2id hash %s: ValidHash %v IsBcrypt %v", up, ValidHash(up), IsBcrypt(up))
	}
}

func TestBcryptMalformed(t *testing.T) {
	h := Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	b, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	good := string(b)
	bad := []string{
		"$2x$" + good[4:],                   // unknown minor version
		"$3a$" + good[4:],                   // unknown major version
		"$2a$03" + good[6:],                 // cost below bcrypt's minimum
		"$2a$32" + good[6:],                 // cost above its maximum
		"$2a$1x" + good[6:],                 // cost not a number
		good[:59],                           // short
		good + "A",                          // long
		good[:20] + "*" + good[21:],         // outside the alphabet
		"$2a$04$" + strings.Repeat("!", 53), // nonsense
		"$2$04$" + good[7:] + "A",           // no minor version
		"$2a$04$" + strings.Repeat("A", 53)[:52] + "$", // bad final character
	}
	for _, s := range bad {
		if IsBcrypt(s) || ValidHash(s) {
			t.Errorf("%q: accepted as a hash", s)
		}
		if ok, rehash, err := h.Verify("pw", s); ok || rehash || !errors.Is(err, ErrBadHash) {
			t.Errorf("%q: ok %v rehash %v err %v, want ErrBadHash", s, ok, rehash, err)
		}
	}
	for _, s := range []string{"", "plain", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$a2V5"} {
		if ValidHash(s) {
			t.Errorf("%q: accepted as a hash", s)
		}
	}
}
