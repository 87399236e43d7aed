package keys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Sealed values read "s1.<data key version>.<base64url(nonce || ciphertext || tag)>". The
// version names the data key, so a new data key can come later while older values still
// open; the format tag "s1" leaves room for another scheme.
const sealPrefix = "s1."

// sealAAD binds a sealed value to its format, its data key version and the caller's
// purpose (for example "totp:<user id>"): a value moved to another user or purpose, or
// relabelled with another version, does not open.
func sealAAD(version int, aad string) []byte {
	return []byte("userbase/seal/v1\x00" + strconv.Itoa(version) + "\x00" + aad)
}

// dataKeys gives the key to seal with and the key of a version, fetching them as needed.
type dataKeys interface {
	current(ctx context.Context) (int, []byte, error)
	byVersion(ctx context.Context, version int) ([]byte, error)
}

// Sealer encrypts secrets under the data key: AES-256-GCM with a random nonce.
type Sealer struct {
	keys dataKeys
}

// Seal encrypts plaintext for the purpose aad; Open needs the same aad.
func (s *Sealer) Seal(ctx context.Context, plaintext []byte, aad string) (string, error) {
	version, key, err := s.keys.current(ctx)
	if err != nil {
		return "", err
	}
	return seal(key, version, plaintext, aad)
}

// Open decrypts a value Seal made for the same aad.
func (s *Sealer) Open(ctx context.Context, sealed string, aad string) ([]byte, error) {
	version, body, ok := parseSealed(sealed)
	if !ok {
		return nil, ErrSealed
	}
	key, err := s.keys.byVersion(ctx, version)
	if err != nil {
		return nil, err
	}
	return open(key, version, body, aad)
}

func seal(key []byte, version int, plaintext []byte, aad string) (string, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := gcm.Seal(nonce, nonce, plaintext, sealAAD(version, aad))
	return sealPrefix + strconv.Itoa(version) + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

func open(key []byte, version int, body []byte, aad string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(body) < gcm.NonceSize()+gcm.Overhead() {
		return nil, ErrSealed
	}
	n := gcm.NonceSize()
	plain, err := gcm.Open(nil, body[:n], body[n:], sealAAD(version, aad))
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}

// parseSealed splits a sealed value into its data key version and its bytes.
func parseSealed(s string) (int, []byte, bool) {
	rest, ok := strings.CutPrefix(s, sealPrefix)
	if !ok {
		return 0, nil, false
	}
	v, b64, ok := strings.Cut(rest, ".")
	if !ok || v == "" || len(v) > 9 || v[0] == '0' {
		return 0, nil, false
	}
	version, err := strconv.Atoi(v)
	if err != nil || version < 1 {
		return 0, nil, false
	}
	body, err := base64.RawURLEncoding.Strict().DecodeString(b64)
	if err != nil {
		return 0, nil, false
	}
	return version, body, true
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("keys: a data key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// staticKeys is one fixed data key, version 1.
type staticKeys []byte

func (k staticKeys) current(context.Context) (int, []byte, error) { return 1, k, nil }

func (k staticKeys) byVersion(_ context.Context, v int) ([]byte, error) {
	if v != 1 {
		return nil, ErrSealed
	}
	return k, nil
}

// NewStaticSealer is a Sealer with a fixed data key of 32 bytes and no KMS behind it, for
// unit tests of code that seals secrets.
func NewStaticSealer(key []byte) *Sealer {
	if len(key) != 32 {
		panic("keys: NewStaticSealer needs a 32-byte key")
	}
	return &Sealer{keys: staticKeys(append([]byte(nil), key...))}
}
