package passkey

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/user"
)

// The verifier is held to go-webauthn (the oracle, oracle_test.go), the verifier this package
// had: what one accepts the other accepts, with the same result, and what a tampered answer
// breaks both refuse. Where go-webauthn is more lenient than the specification (or than this
// service wants), the case says so and only the verifier is held to refuse.

var algs = []struct {
	name string
	alg  int64
}{{"ES256", algES256}, {"RS256", algRS256}, {"EdDSA", algEdDSA}}

var formats = []string{"none", "packed", "packed-x5c"}

// rsaKey is the one 2048-bit RSA key of the tests, made once: making one takes a while.
var rsaKey struct {
	once sync.Once
	key  *testKey
}

// keyFor is a credential key of alg: a new one, or the tests' RSA key.
func keyFor(t testing.TB, alg int64) *testKey {
	if alg != algRS256 {
		return newTestKey(t, alg, 0)
	}
	rsaKey.once.Do(func() { rsaKey.key = newTestKey(t, alg, 2048) })
	return rsaKey.key
}

// both runs a registration through the verifier and the oracle.
func bothRegister(t *testing.T, c *user.Ceremony, e *env, cred []byte) (*user.Passkey, error, *user.Passkey, error) {
	t.Helper()
	got, err := New("Userbase").VerifyRegistration(c, e.user, cred)
	want, oerr := newOracle("Userbase").VerifyRegistration(c, e.user, cred)
	return got, err, want, oerr
}

func TestRegistrationAgreesWithOracle(t *testing.T) {
	for _, a := range algs {
		for _, format := range formats {
			t.Run(a.name+"/"+format, func(t *testing.T) {
				e := newEnv()
				c := e.ceremony(t, user.CeremonyRegister)
				cred, tc := register(t, e, c, keyFor(t, a.alg), format)
				got, err, want, oerr := bothRegister(t, c, e, cred)
				if err != nil || oerr != nil {
					t.Fatalf("verifier: %v; go-webauthn: %v", err, oerr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("passkey (-go-webauthn +verifier):\n%s", diff)
				}
				if got.Algorithm != a.alg || string(got.CredentialID) != string(tc.id) {
					t.Errorf("passkey alg %d id %x", got.Algorithm, got.CredentialID)
				}
			})
		}
	}
}

// tamper is one way to break an answer: oracle false where go-webauthn accepts it anyway.
type tamper struct {
	name   string
	mod    func(*answer)
	oracle bool
}

func cutAuthData(n int) func([]byte) []byte {
	return func(b []byte) []byte { return b[:len(b)-n] }
}

func appendTo(extra ...byte) func([]byte) []byte {
	return func(b []byte) []byte { return append(b, extra...) }
}

// common breaks both ceremonies alike.
var common = []tamper{
	{"wrong origin", func(a *answer) { a.clientData["origin"] = "https://evil.example" }, true},
	{"origin not exact", func(a *answer) { a.clientData["origin"] = "https://example.com:443" }, false},
	{"origin of the rp id on http", func(a *answer) { a.clientData["origin"] = "http://example.com" }, true},
	{"wrong challenge", func(a *answer) { a.clientData["challenge"] = "AAAA" + a.clientData["challenge"].(string)[4:] }, true},
	{"no challenge", func(a *answer) { delete(a.clientData, "challenge") }, true},
	{"wrong type", func(a *answer) {
		a.clientData["type"] = map[string]string{"webauthn.create": "webauthn.get", "webauthn.get": "webauthn.create"}[a.clientData["type"].(string)]
	}, true},
	{"cross-origin", func(a *answer) { a.clientData["crossOrigin"] = true }, false},
	{"top origin", func(a *answer) { a.clientData["topOrigin"] = "https://example.com" }, false},
	{"wrong rp id", func(a *answer) { a.rpID = "evil.example" }, true},
	{"parent rp id", func(a *answer) { a.rpID = "com" }, true},
	{"user not present", func(a *answer) { a.flags &^= flagUP }, true},
	{"user not verified", func(a *answer) { a.flags &^= flagUV }, true},
	{"backed up, not eligible", func(a *answer) { a.flags = a.flags&^flagBE | flagBS }, true},
	{"trailing bytes in the authenticator data", func(a *answer) { a.authData = appendTo(0) }, false},
	{"extensions flag without extensions", func(a *answer) { a.flags |= flagED }, true},
	{"extensions that are not a map", func(a *answer) { a.flags |= flagED; a.extensions = []byte{0x01} }, true},
}

func TestRegistrationRefusesTampering(t *testing.T) {
	reg := append([]tamper{}, common...)
	reg = append(reg,
		tamper{"bad signature", func(a *answer) {
			if a.fmt == "none" {
				a.fmt = "packed"
			}
			a.badSig = true
		}, true},
		tamper{"truncated authenticator data", func(a *answer) { a.authData = cutAuthData(3) }, true},
		tamper{"attested data flag off", func(a *answer) { a.flags &^= flagAT }, true},
		tamper{"trailing CBOR after the attestation object", func(a *answer) { a.attObj = appendTo(0xf6) }, false},
		tamper{"raw id is not the attested id", func(a *answer) { a.rawID = append([]byte{1}, a.credID...) }, false},
		tamper{"credential id over 1023 bytes", func(a *answer) { a.credID = make([]byte, 1024); a.rawID = a.credID }, true},
		tamper{"unknown attestation format", func(a *answer) { a.fmt = "tpm"; a.attStmt = map[string]any{"ver": "2.0"} }, true},
		tamper{"none with a statement", func(a *answer) {
			if a.fmt == "none" {
				a.attStmt = map[string]any{"sig": []byte{1}}
			} else {
				a.badSig = true
			}
		}, true},
		tamper{"packed with an unknown field", func(a *answer) {
			if a.fmt == "none" {
				a.badSig, a.fmt = true, "packed"
			} else {
				a.attStmt = map[string]any{"alg": -7, "sig": []byte{1}, "ecdaaKeyId": []byte{1}}
			}
		}, true},
	)
	for _, a := range algs {
		for _, format := range formats {
			for _, tc := range reg {
				t.Run(a.name+"/"+format+"/"+tc.name, func(t *testing.T) {
					e := newEnv()
					c := e.ceremony(t, user.CeremonyRegister)
					cred, _ := register(t, e, c, keyFor(t, a.alg), format, tc.mod)
					_, err, _, oerr := bothRegister(t, c, e, cred)
					if !errors.Is(err, user.ErrPasskeyInvalid) {
						t.Errorf("verifier: %v, want ErrPasskeyInvalid", err)
					}
					if tc.oracle && oerr == nil {
						t.Errorf("go-webauthn accepts it")
					} else if oerr == nil {
						t.Logf("go-webauthn accepts it")
					}
				})
			}
		}
	}
}

func TestRegistrationRefusesKeys(t *testing.T) {
	for _, tc := range []struct {
		name   string
		key    func(t testing.TB) *testKey
		oracle bool
	}{
		{"ES384 (not offered)", func(t testing.TB) *testKey { return newTestKey(t, -35, 0) }, true},
		{"RSA 1024", func(t testing.TB) *testKey { return newTestKey(t, algRS256, 1024) }, false},
		{"ES256 key as EdDSA", func(t testing.TB) *testKey {
			k := newTestKey(t, algES256, 0)
			k.cose = mustCBOR(t, map[int]any{1: 2, 3: algEdDSA, -1: 1, -2: make([]byte, 32), -3: make([]byte, 32)})
			return k
		}, false},
		{"ES256 point off the curve", func(t testing.TB) *testKey {
			k := newTestKey(t, algES256, 0)
			k.cose = mustCBOR(t, map[int]any{1: 2, 3: algES256, -1: 1, -2: make([]byte, 32), -3: append(make([]byte, 31), 1)})
			return k
		}, false},
	} {
		for _, format := range []string{"none", "packed"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				e := newEnv()
				c := e.ceremony(t, user.CeremonyRegister)
				cred, _ := register(t, e, c, tc.key(t), format)
				_, err, _, oerr := bothRegister(t, c, e, cred)
				if !errors.Is(err, user.ErrPasskeyInvalid) {
					t.Errorf("verifier: %v, want ErrPasskeyInvalid", err)
				}
				if tc.oracle && oerr == nil {
					t.Errorf("go-webauthn accepts it")
				} else if oerr == nil {
					t.Logf("go-webauthn accepts it")
				}
			})
		}
	}
}

func TestRegistrationPackedCertificate(t *testing.T) {
	e := newEnv()
	c := e.ceremony(t, user.CeremonyRegister)
	cred, _ := register(t, e, c, keyFor(t, algES256), "packed-x5c", func(a *answer) { a.certOU = "Marketing" })
	if _, err := New("").VerifyRegistration(c, e.user, cred); !errors.Is(err, user.ErrPasskeyInvalid) {
		t.Errorf("a certificate of another OU: %v", err)
	}
	// The certificate names another AAGUID than the authenticator data.
	cred, _ = register(t, e, c, keyFor(t, algES256), "packed-x5c", func(a *answer) {
		a.authData = func(b []byte) []byte { b[37] ^= 1; return b }
	})
	if _, err := New("").VerifyRegistration(c, e.user, cred); !errors.Is(err, user.ErrPasskeyInvalid) {
		t.Errorf("a certificate of another AAGUID: %v", err)
	}
}

// registered is a credential both verifiers registered, as the verifier stored it.
func registered(t *testing.T, e *env, alg int64, synced bool) (*testCred, *user.Passkey) {
	t.Helper()
	c := e.ceremony(t, user.CeremonyRegister)
	cred, tc := register(t, e, c, keyFor(t, alg), "packed", func(a *answer) {
		if synced {
			a.flags |= flagBE | flagBS
		}
	})
	got, err, _, oerr := bothRegister(t, c, e, cred)
	if err != nil || oerr != nil {
		t.Fatalf("verifier: %v; go-webauthn: %v", err, oerr)
	}
	got.ID, got.UserID = user.PasskeyID(got.CredentialID), e.user.ID
	return tc, got
}

// bothAssert runs an assertion through the verifier and the oracle.
func bothAssert(t *testing.T, c *user.Ceremony, e *env, pk *user.Passkey, cred []byte) (*user.AssertionResult, error, *user.AssertionResult, error) {
	t.Helper()
	run := func(v user.WebAuthn) (*user.AssertionResult, error) {
		a, err := v.ParseAssertion(cred)
		if err != nil {
			return nil, err
		}
		return v.VerifyAssertion(c, e.user, pk, a)
	}
	got, err := run(New(""))
	want, oerr := run(newOracle(""))
	return got, err, want, oerr
}

// clientDataJSON is read by "UTF-8 decode" (WebAuthn §7.1 step 5, §7.2 step 9), which
// drops a leading byte order mark: an answer that starts with one verifies, its hash taken
// over the bytes as sent. (go-webauthn refuses it.)
func TestClientDataWithAByteOrderMark(t *testing.T) {
	bom := func(a *answer) { a.cdjPrefix = []byte("\xEF\xBB\xBF") }
	e := newEnv()
	c := e.ceremony(t, user.CeremonyRegister)
	k := keyFor(t, algES256)
	cred, tc := register(t, e, c, k, "packed", bom)
	pk, err := New("Userbase").VerifyRegistration(c, e.user, cred)
	if err != nil {
		t.Fatalf("registration with a BOM: %v", err)
	}
	pk.ID, pk.UserID = user.PasskeyID(pk.CredentialID), e.user.ID
	c = e.ceremony(t, user.CeremonySignIn)
	v := New("")
	a, err := v.ParseAssertion(assert(t, e, c, tc, 1, flagUP|flagUV, bom))
	if err == nil {
		_, err = v.VerifyAssertion(c, e.user, pk, a)
	}
	if err != nil {
		t.Errorf("assertion with a BOM: %v", err)
	}
}

func TestAssertionAgreesWithOracle(t *testing.T) {
	for _, a := range algs {
		for _, synced := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/synced=%v", a.name, synced), func(t *testing.T) {
				e := newEnv()
				tc, pk := registered(t, e, a.alg, synced)
				flags := byte(flagUP | flagUV)
				if synced {
					flags |= flagBE | flagBS
				}
				for _, step := range []struct {
					counter    uint32
					noHandle   bool
					notBacked  bool
					wantCount  uint32
					wantBackup bool
				}{
					{counter: 1, wantCount: 1, wantBackup: synced},
					{counter: 7, noHandle: true, wantCount: 7, wantBackup: synced},
					// A counter that goes back verifies: the domain judges it (a clone).
					{counter: 0, wantCount: 0, wantBackup: synced},
					{counter: 8, notBacked: true, wantCount: 8},
				} {
					c := e.ceremony(t, user.CeremonySignIn)
					f := flags
					if step.notBacked {
						f &^= flagBS
					}
					cred := assert(t, e, c, tc, step.counter, f, func(a *answer) {
						if step.noHandle {
							a.userHandle = nil
						}
					})
					got, err, want, oerr := bothAssert(t, c, e, pk, cred)
					if err != nil || oerr != nil {
						t.Fatalf("counter %d: verifier: %v; go-webauthn: %v", step.counter, err, oerr)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("counter %d (-go-webauthn +verifier):\n%s", step.counter, diff)
					}
					if got.SignCount != step.wantCount || got.BackupState != step.wantBackup {
						t.Errorf("counter %d: got %+v", step.counter, got)
					}
				}
			})
		}
	}
}

func TestAssertionRefusesTampering(t *testing.T) {
	as := append([]tamper{}, common...)
	as = append(as,
		tamper{"bad signature", func(a *answer) { a.badSig = true }, true},
		tamper{"truncated authenticator data", func(a *answer) { a.authData = cutAuthData(1) }, true},
		tamper{"another user handle", func(a *answer) { a.userHandle = []byte("someone else") }, true},
		tamper{"user handle over 64 bytes", func(a *answer) { a.userHandle = make([]byte, 65) }, true},
		tamper{"another credential", func(a *answer) { a.rawID = []byte("another credential") }, true},
		tamper{"backup eligibility changed", func(a *answer) { a.flags |= flagBE }, true},
		tamper{"attested credential data", func(a *answer) {
			a.flags |= flagAT
			a.cose, a.aaguid, a.credID = mustCBOR(t, map[int]any{1: 1, 3: -8, -1: 6, -2: make([]byte, 32)}), make([]byte, 16), a.rawID
		}, false},
	)
	for _, a := range algs {
		e := newEnv()
		tc, pk := registered(t, e, a.alg, false)
		for _, m := range as {
			t.Run(a.name+"/"+m.name, func(t *testing.T) {
				c := e.ceremony(t, user.CeremonySignIn)
				cred := assert(t, e, c, tc, 1, flagUP|flagUV, m.mod)
				_, err, _, oerr := bothAssert(t, c, e, pk, cred)
				if !errors.Is(err, user.ErrPasskeyInvalid) {
					t.Errorf("verifier: %v, want ErrPasskeyInvalid", err)
				}
				if m.oracle && oerr == nil {
					t.Errorf("go-webauthn accepts it")
				} else if oerr == nil {
					t.Logf("go-webauthn accepts it")
				}
			})
		}
	}
}

// A stored key that does not parse, and a ceremony of the other kind, fail closed.
func TestAssertionFailsClosed(t *testing.T) {
	e := newEnv()
	tc, pk := registered(t, e, algES256, false)
	c := e.ceremony(t, user.CeremonySignIn)
	cred := assert(t, e, c, tc, 1, flagUP|flagUV)
	v := New("")
	a, err := v.ParseAssertion(cred)
	if err != nil {
		t.Fatal(err)
	}
	broken := *pk
	broken.PublicKey = broken.PublicKey[:len(broken.PublicKey)-1]
	if _, err := v.VerifyAssertion(c, e.user, &broken, a); !errors.Is(err, user.ErrPasskeyInvalid) {
		t.Errorf("a broken stored key: %v", err)
	}
	reg := *c
	reg.Kind = user.CeremonyRegister
	if _, err := v.VerifyAssertion(&reg, e.user, pk, a); !errors.Is(err, user.ErrPasskeyInvalid) {
		t.Errorf("a registration ceremony: %v", err)
	}
	if _, err := v.VerifyAssertion(c, e.user, pk, &user.Assertion{Parsed: "x"}); !errors.Is(err, user.ErrPasskeyInvalid) {
		t.Errorf("an assertion of another verifier: %v", err)
	}
	if _, err := v.VerifyAssertion(c, e.user, pk, a); err != nil {
		t.Errorf("the genuine assertion: %v", err)
	}
}

// A security key's fido-u2f statement verifies, as go-webauthn verifies it; a forged one,
// or one over a credential that is not ES256, does not.
func TestRegistrationFIDOU2F(t *testing.T) {
	e := newEnv()
	c := e.ceremony(t, user.CeremonyRegister)
	cred, _ := register(t, e, c, keyFor(t, algES256), "fido-u2f")
	got, err, want, oerr := bothRegister(t, c, e, cred)
	if err != nil || oerr != nil {
		t.Fatalf("verifier: %v; go-webauthn: %v", err, oerr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("passkey (-go-webauthn +verifier):\n%s", diff)
	}
	for name, tc := range map[string]struct {
		alg int64
		mod func(*answer)
	}{
		"forged signature":  {algES256, func(a *answer) { a.badSig = true }},
		"an EdDSA key":      {algEdDSA, nil},
		"two certificates":  {algES256, func(a *answer) { a.attStmt = map[string]any{"sig": []byte{1}, "x5c": [][]byte{{1}, {2}}} }},
		"no certificate":    {algES256, func(a *answer) { a.attStmt = map[string]any{"sig": []byte{1}} }},
		"an unknown member": {algES256, func(a *answer) { a.attStmt = map[string]any{"sig": []byte{1}, "x5c": [][]byte{{1}}, "alg": -7} }},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.ceremony(t, user.CeremonyRegister)
			var mods []func(*answer)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			cred, _ := register(t, e, c, keyFor(t, tc.alg), "fido-u2f", mods...)
			if _, err, _, _ := bothRegister(t, c, e, cred); !errors.Is(err, user.ErrPasskeyInvalid) {
				t.Errorf("verifier: %v, want ErrPasskeyInvalid", err)
			}
		})
	}
}
