package passkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/fxamacker/cbor/v2"
)

// COSE algorithms (RFC 9053, RFC 8812) a passkey may use: user.PasskeyAlgorithms.
const (
	algES256 = -7
	algEdDSA = -8
	algRS256 = -257
)

// COSE key types and curves.
const (
	ktyOKP = 1
	ktyEC2 = 2
	ktyRSA = 3

	crvP256    = 1
	crvEd25519 = 6
)

// RSA modulus bounds: at least 2048 bits (RFC 8812 §2), at most 8192 so a hostile key
// cannot make verification slow.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// coseKey is a credential public key (§6.5.1.1): its algorithm and the key it verifies with.
type coseKey struct {
	alg int64
	key crypto.PublicKey // *ecdsa.PublicKey, *rsa.PublicKey or ed25519.PublicKey
}

// parseCOSEKey reads a COSE_Key of one of the supported algorithms: EC2 P-256 for ES256,
// OKP Ed25519 for EdDSA, RSA of 2048 to 8192 bits for RS256. Labels other than the ones
// each type needs (kid, key_ops...) are ignored; the key's type, curve and algorithm must
// agree, and the key must be valid (an EC point on the curve).
func parseCOSEKey(b []byte) (*coseKey, error) {
	var m map[int64]cbor.RawMessage
	if err := decMode.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: COSE key: %v", errMalformed, err)
	}
	var kty, alg int64
	if err := coseField(m, 1, &kty); err != nil {
		return nil, err
	}
	if err := coseField(m, 3, &alg); err != nil {
		return nil, err
	}
	switch {
	case kty == ktyEC2 && alg == algES256:
		var crv int64
		var x, y []byte
		if err := coseFields(m, &crv, &x, &y); err != nil {
			return nil, err
		}
		if crv != crvP256 || len(x) != 32 || len(y) != 32 {
			return nil, errors.New("ES256 key is not a P-256 point")
		}
		// The uncompressed point; parsing checks it is on the curve.
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, errors.New("ES256 key is not a P-256 point")
		}
		return &coseKey{alg: alg, key: pub}, nil
	case kty == ktyOKP && alg == algEdDSA:
		var crv int64
		var x []byte
		if err := coseFields(m, &crv, &x, nil); err != nil {
			return nil, err
		}
		if crv != crvEd25519 || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("EdDSA key is not an Ed25519 key")
		}
		return &coseKey{alg: alg, key: ed25519.PublicKey(x)}, nil
	case kty == ktyRSA && alg == algRS256:
		var n, e []byte
		if err := coseFields(m, &n, &e, nil); err != nil {
			return nil, err
		}
		if len(n) == 0 || n[0] == 0 || len(e) == 0 || len(e) > 4 || e[0] == 0 {
			return nil, errors.New("RS256 key is malformed")
		}
		nn := new(big.Int).SetBytes(n)
		ee := new(big.Int).SetBytes(e)
		if nn.BitLen() < minRSABits || nn.BitLen() > maxRSABits || !ee.IsInt64() || ee.Int64() < 3 ||
			ee.Int64() > 1<<31-1 || ee.Bit(0) == 0 {
			return nil, fmt.Errorf("RS256 key of %d bits, exponent %v", nn.BitLen(), ee)
		}
		return &coseKey{alg: alg, key: &rsa.PublicKey{N: nn, E: int(ee.Int64())}}, nil
	}
	return nil, fmt.Errorf("unsupported COSE key: kty %d, alg %d", kty, alg)
}

// coseField decodes the value of label into v; a missing label is an error.
func coseField(m map[int64]cbor.RawMessage, label int64, v any) error {
	raw, ok := m[label]
	if !ok {
		return fmt.Errorf("%w: COSE key without label %d", errMalformed, label)
	}
	if err := decMode.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: COSE key label %d: %v", errMalformed, label, err)
	}
	return nil
}

// coseFields decodes the key-type parameters -1, -2 and (when c is not nil) -3.
func coseFields(m map[int64]cbor.RawMessage, a, b, c any) error {
	if err := coseField(m, -1, a); err != nil {
		return err
	}
	if err := coseField(m, -2, b); err != nil {
		return err
	}
	if c != nil {
		return coseField(m, -3, c)
	}
	return nil
}

// verify checks sig over msg with k: ES256 an ASN.1 DER ECDSA signature over SHA-256,
// RS256 PKCS #1 v1.5 over SHA-256, EdDSA Ed25519 over msg itself.
func (k *coseKey) verify(msg, sig []byte) error {
	return verifySignature(k.alg, k.key, msg, sig)
}

// verifySignature checks sig over msg by alg with key; a key of another kind than alg
// wants does not verify.
func verifySignature(alg int64, key crypto.PublicKey, msg, sig []byte) error {
	ok := false
	switch alg {
	case algES256:
		if pub, is := key.(*ecdsa.PublicKey); is && pub.Curve == elliptic.P256() {
			d := sha256.Sum256(msg)
			ok = ecdsa.VerifyASN1(pub, d[:], sig)
		}
	case algRS256:
		if pub, is := key.(*rsa.PublicKey); is {
			d := sha256.Sum256(msg)
			ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil
		}
	case algEdDSA:
		if pub, is := key.(ed25519.PublicKey); is {
			ok = len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, msg, sig)
		}
	}
	if !ok {
		return errors.New("signature does not verify")
	}
	return nil
}
