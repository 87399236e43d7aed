package user_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
)

// testSecrets seals with AES-GCM under a fixed key: the domain's view of KMS envelope
// encryption, without KMS.
type testSecrets struct{ aead cipher.AEAD }

func newTestSecrets() *testSecrets {
	block, _ := aes.NewCipher(make([]byte, 32))
	aead, _ := cipher.NewGCM(block)
	return &testSecrets{aead: aead}
}

func (s *testSecrets) Seal(_ context.Context, plaintext []byte, aad string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plaintext, []byte(aad))), nil
}

func (s *testSecrets) Open(_ context.Context, sealed string, aad string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("testSecrets: malformed")
	}
	return s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], []byte(aad))
}
