package passkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/userbase/userbase/pkg/user"
)

// A test authenticator that can answer any way at all: every field of what it sends can be
// changed before it is signed (or after), so each check of the verifier can be tripped alone.

var enc = func() cbor.EncMode {
	m, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := enc.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var b64url = base64.RawURLEncoding.EncodeToString

// testKey is a credential (or attestation) key pair and its COSE form.
type testKey struct {
	alg    int64
	signer crypto.Signer
	cose   []byte
}

// newTestKey makes a key for alg: -7, -8, -257, or -35 (ES384, which no passkey may use);
// bits sizes an RSA key.
func newTestKey(t testing.TB, alg int64, bits int) *testKey {
	t.Helper()
	k := &testKey{alg: alg}
	switch alg {
	case algES256, -35:
		curve, crv := elliptic.P256(), 1
		if alg == -35 {
			curve, crv = elliptic.P384(), 2
		}
		p, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		point, err := p.PublicKey.Bytes() // 4, x, y
		if err != nil {
			t.Fatal(err)
		}
		size := (len(point) - 1) / 2
		k.signer = p
		k.cose = mustCBOR(t, map[int]any{1: 2, 3: alg, -1: crv, -2: point[1 : 1+size], -3: point[1+size:]})
	case algEdDSA:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.signer = priv
		k.cose = mustCBOR(t, map[int]any{1: 1, 3: alg, -1: 6, -2: []byte(pub)})
	case algRS256:
		p, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		k.signer = p
		k.cose = mustCBOR(t, map[int]any{1: 3, 3: alg, -1: p.N.Bytes(), -2: big.NewInt(int64(p.E)).Bytes()})
	default:
		t.Fatalf("no test key for alg %d", alg)
	}
	return k
}

// sign signs msg as alg wants: SHA-256 first for ES256 and RS256 (SHA-384 for ES384),
// Ed25519 over msg itself.
func (k *testKey) sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	var sig []byte
	var err error
	switch k.alg {
	case algEdDSA:
		sig, err = k.signer.Sign(rand.Reader, msg, crypto.Hash(0))
	case -35:
		d := crypto.SHA384.New()
		d.Write(msg)
		sig, err = k.signer.Sign(rand.Reader, d.Sum(nil), crypto.SHA384)
	default:
		d := sha256.Sum256(msg)
		sig, err = k.signer.Sign(rand.Reader, d[:], crypto.SHA256)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// attestationCert is a packed attestation certificate for aaguid, signed by itself, and its key.
func attestationCert(t testing.TB, aaguid []byte, ou string) ([]byte, *testKey) {
	t.Helper()
	k := newTestKey(t, algES256, 0)
	ext, err := asn1.Marshal(aaguid)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject: pkix.Name{Country: []string{"US"}, Organization: []string{"Test Authenticators"},
			OrganizationalUnit: []string{ou}, CommonName: "Test Key"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true, IsCA: false,
		ExtraExtensions: []pkix.Extension{{Id: oidAAGUID, Value: ext}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.signer.Public(), k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return der, k
}

// env is one relying party, user and ceremony.
type env struct {
	rpID, origin string
	user         *user.User
}

func newEnv() *env {
	return &env{rpID: "example.com", origin: "https://example.com", user: &user.User{ID: "01j9k2m4n6p8r0s2t4v6w8y0z2", Email: "a@example.com"}}
}

func (e *env) ceremony(t testing.TB, kind string) *user.Ceremony {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return &user.Ceremony{ID: "c", Kind: kind, Challenge: b64url(b), RPID: e.rpID, Origins: []string{e.origin, "https://app.example.com"}}
}

// answer is what the authenticator and the client put together, each part open to change.
type answer struct {
	clientData map[string]any
	// cdjPrefix goes before the JSON of clientData (a byte order mark, say).
	cdjPrefix  []byte
	rpID       string
	flags      byte
	counter    uint32
	aaguid     []byte
	credID     []byte
	rawID      []byte
	cose       []byte // the credential key in the authenticator data
	extensions []byte // CBOR, after the attested credential data (ED is set by the test)
	// authData changes the finished authenticator data before it is signed.
	authData func([]byte) []byte
	// badSig flips a bit of the signature.
	badSig bool
	// fmt and attStmt: "none", "packed" (self), "packed-x5c", or any other fmt; attStmt, if
	// set, replaces the statement built.
	fmt     string
	attStmt map[string]any
	certOU  string
	// attObj changes the finished attestation object.
	attObj     func([]byte) []byte
	userHandle []byte
}

func (a *answer) buildAuthData(t testing.TB) []byte {
	h := sha256.Sum256([]byte(a.rpID))
	b := append(h[:], a.flags)
	b = binary.BigEndian.AppendUint32(b, a.counter)
	if a.cose != nil {
		b = append(b, a.aaguid...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(a.credID)))
		b = append(b, a.credID...)
		b = append(b, a.cose...)
	}
	b = append(b, a.extensions...)
	if a.authData != nil {
		b = a.authData(b)
	}
	return b
}

func (a *answer) signature(t testing.TB, k *testKey, authData, cdj []byte) []byte {
	h := sha256.Sum256(cdj)
	sig := k.sign(t, append(append([]byte{}, authData...), h[:]...))
	if a.badSig {
		sig[len(sig)-1] ^= 1
	}
	return sig
}

// testCred is a credential the test authenticator made.
type testCred struct {
	key *testKey
	id  []byte
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// register answers c with a new credential of key k in format fmt, changed by mods.
func register(t testing.TB, e *env, c *user.Ceremony, k *testKey, format string, mods ...func(*answer)) ([]byte, *testCred) {
	t.Helper()
	id := randomBytes(t, 32)
	a := &answer{
		clientData: map[string]any{"type": "webauthn.create", "challenge": c.Challenge, "origin": e.origin, "crossOrigin": false},
		rpID:       e.rpID, flags: flagUP | flagUV | flagAT, aaguid: make([]byte, 16), credID: id, rawID: id, cose: k.cose, fmt: format,
		certOU: "Authenticator Attestation",
	}
	if format != "none" && format != "fido-u2f" { // a U2F key has no AAGUID: zeros
		a.aaguid = randomBytes(t, 16)
	}
	for _, m := range mods {
		m(a)
	}
	cdj, err := json.Marshal(a.clientData)
	if err != nil {
		t.Fatal(err)
	}
	cdj = append(append([]byte{}, a.cdjPrefix...), cdj...)
	authData := a.buildAuthData(t)
	stmt := map[string]any{}
	switch a.fmt {
	case "none":
	case "packed-x5c":
		der, ak := attestationCert(t, a.aaguid, a.certOU)
		stmt = map[string]any{"alg": ak.alg, "sig": a.signature(t, ak, authData, cdj), "x5c": [][]byte{der}}
		a.fmt = "packed"
	case "fido-u2f":
		// §8.6: the attestation key signs 0x00 || rpIdHash || SHA-256(clientDataJSON) ||
		// credentialId || the credential's point, uncompressed.
		der, ak := attestationCert(t, a.aaguid, a.certOU)
		point := k.cose // a key U2F cannot have: any bytes will do
		if pub, ok := k.signer.Public().(*ecdsa.PublicKey); ok {
			var err error
			if point, err = pub.Bytes(); err != nil {
				t.Fatal(err)
			}
		}
		h := sha256.Sum256(cdj)
		msg := append(append(append(append([]byte{0}, authData[:32]...), h[:]...), a.credID...), point...)
		sig := ak.sign(t, msg)
		if a.badSig {
			sig[len(sig)-1] ^= 1
		}
		stmt = map[string]any{"sig": sig, "x5c": [][]byte{der}}
	default:
		stmt = map[string]any{"alg": k.alg, "sig": a.signature(t, k, authData, cdj)}
	}
	if a.attStmt != nil {
		stmt = a.attStmt
	}
	attObj := mustCBOR(t, map[string]any{"fmt": a.fmt, "attStmt": stmt, "authData": authData})
	if a.attObj != nil {
		attObj = a.attObj(attObj)
	}
	out, err := json.Marshal(map[string]any{
		"id": b64url(a.rawID), "rawId": b64url(a.rawID), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64url(cdj), "attestationObject": b64url(attObj),
			"transports": []string{"internal", "hybrid"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, &testCred{key: k, id: id}
}

// assert answers c with cred, its counter at counter, changed by mods.
func assert(t testing.TB, e *env, c *user.Ceremony, cred *testCred, counter uint32, flags byte, mods ...func(*answer)) []byte {
	t.Helper()
	a := &answer{
		clientData: map[string]any{"type": "webauthn.get", "challenge": c.Challenge, "origin": e.origin},
		rpID:       e.rpID, flags: flags, counter: counter, rawID: cred.id, userHandle: []byte(e.user.ID),
	}
	for _, m := range mods {
		m(a)
	}
	cdj, err := json.Marshal(a.clientData)
	if err != nil {
		t.Fatal(err)
	}
	cdj = append(append([]byte{}, a.cdjPrefix...), cdj...)
	authData := a.buildAuthData(t)
	resp := map[string]any{"clientDataJSON": b64url(cdj), "authenticatorData": b64url(authData),
		"signature": b64url(a.signature(t, cred.key, authData, cdj))}
	if a.userHandle != nil {
		resp["userHandle"] = b64url(a.userHandle)
	}
	out, err := json.Marshal(map[string]any{
		"id": b64url(a.rawID), "rawId": b64url(a.rawID), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{}, "response": resp,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
