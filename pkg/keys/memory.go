package keys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// MemStore keeps a ring in memory, for tests; it counts its reads and writes.
type MemStore struct {
	mu     sync.Mutex
	state  State
	loads  atomic.Int64
	writes atomic.Int64
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore { return &MemStore{} }

// LoadKeys returns a copy of the ring.
func (m *MemStore) LoadKeys(context.Context) (*State, error) {
	m.loads.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.state
	st.DataKeys = append([]DataKey(nil), st.DataKeys...)
	st.SigningKeys = append([]SigningKey(nil), st.SigningKeys...)
	return &st, nil
}

// SaveKeys applies c if the ring is at c.Prev.
func (m *MemStore) SaveKeys(_ context.Context, c Change) error {
	m.writes.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state.Version != c.Prev {
		return ErrConflict
	}
	for _, d := range c.DataKeys {
		replaced := false
		for i := range m.state.DataKeys {
			if m.state.DataKeys[i].Version == d.Version {
				m.state.DataKeys[i], replaced = d, true
			}
		}
		if !replaced {
			m.state.DataKeys = append(m.state.DataKeys, d)
		}
	}
	for _, k := range c.SigningKeys {
		replaced := false
		for i := range m.state.SigningKeys {
			if m.state.SigningKeys[i].KID == k.KID {
				m.state.SigningKeys[i], replaced = k, true
			}
		}
		if !replaced {
			m.state.SigningKeys = append(m.state.SigningKeys, k)
		}
	}
	m.state.Version, m.state.TokenTTL = c.Prev+1, c.TokenTTL
	return nil
}

// Loads is how many times the ring was read.
func (m *MemStore) Loads() int64 { return m.loads.Load() }

// FakeKMS stands in for KMS in tests: it encrypts data keys under a random key of its own,
// and counts its calls.
type FakeKMS struct {
	aead  cipher.AEAD
	calls atomic.Int64
}

var _ KMS = (*FakeKMS)(nil)

// NewFakeKMS returns a fake KMS with a fresh master key.
func NewFakeKMS() *FakeKMS {
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		panic(err)
	}
	block, _ := aes.NewCipher(master)
	aead, _ := cipher.NewGCM(block)
	return &FakeKMS{aead: aead}
}

// FakeKMSKeyID is the key id FakeKMS reports.
const FakeKMSKeyID = "arn:aws:kms:us-east-1:123456789012:key/fake"

// GenerateDataKey returns a random 32-byte key and its ciphertext.
func (f *FakeKMS) GenerateDataKey(context.Context) ([]byte, []byte, string, error) {
	f.calls.Add(1)
	plain := make([]byte, 32)
	nonce := make([]byte, f.aead.NonceSize())
	if _, err := rand.Read(plain); err != nil {
		return nil, nil, "", err
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, "", err
	}
	return plain, f.aead.Seal(nonce, nonce, plain, nil), FakeKMSKeyID, nil
}

// Decrypt opens a ciphertext of GenerateDataKey.
func (f *FakeKMS) Decrypt(_ context.Context, ct []byte) ([]byte, error) {
	f.calls.Add(1)
	n := f.aead.NonceSize()
	if len(ct) < n {
		return nil, errors.New("fake kms: bad ciphertext")
	}
	return f.aead.Open(nil, ct[:n], ct[n:], nil)
}

// Calls is how many requests the fake has answered.
func (f *FakeKMS) Calls() int64 { return f.calls.Load() }

// testKeys are RSA keys shared by every in-memory ring of a process: generating one
// takes a good fraction of a second, and a test needs a fresh ring, not a fresh key.
var testKeys struct {
	mu   sync.Mutex
	keys []*rsa.PrivateKey
}

// pooledKeys returns a key generator whose n-th key is the process's n-th test key.
func pooledKeys() func() (*rsa.PrivateKey, error) {
	n := 0
	return func() (*rsa.PrivateKey, error) {
		testKeys.mu.Lock()
		defer testKeys.mu.Unlock()
		for len(testKeys.keys) <= n {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return nil, err
			}
			testKeys.keys = append(testKeys.keys, k)
		}
		n++
		return testKeys.keys[n-1], nil
	}
}

// NewInMemory returns a ring over a MemStore and a FakeKMS (unless o sets them),
// initialized by Ensure with tokenTTL, for tests: no network. Unless o.NewKey is set, its
// RSA keys come from a pool shared by the process's in-memory rings.
func NewInMemory(o Options, tokenTTL time.Duration) (*Ring, error) {
	if o.Store == nil {
		o.Store = NewMemStore()
	}
	if o.KMS == nil {
		o.KMS = NewFakeKMS()
	}
	if o.NewKey == nil {
		o.NewKey = pooledKeys()
	}
	r := New(o)
	return r, r.Ensure(context.Background(), tokenTTL)
}
