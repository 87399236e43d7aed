package passkey

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator data flags (§6.1).
const (
	flagUP = 1 << 0 // user present
	flagUV = 1 << 2 // user verified
	flagBE = 1 << 3 // backup eligible
	flagBS = 1 << 4 // backed up
	flagAT = 1 << 6 // attested credential data included
	flagED = 1 << 7 // extension data included
	// Bits 1 and 5 are reserved: they mean nothing yet, and are ignored.
)

// maxAuthData bounds authenticator data: 37 bytes, a credential id of up to 1023 bytes, a
// COSE key (an 8192-bit RSA key is about 1.1 KiB) and extensions.
const maxAuthData = 8192

// decMode decodes the CBOR of authenticators and clients: definite lengths only (CTAP2
// canonical form), no tags, no duplicate map keys, bounded nesting and sizes, and an error
// for a field a structure does not know.
var decMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   8,
		MaxArrayElements:  64,
		MaxMapPairs:       64,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// authData is parsed authenticator data (§6.1).
type authData struct {
	raw        []byte
	rpIDHash   []byte
	flags      byte
	signCount  uint32
	aaguid     []byte // attested credential data, when flagAT is set
	credID     []byte
	publicKey  []byte // the COSE key, as its CBOR bytes
	credential *coseKey
}

// parseAuthData reads authenticator data: the 37-byte header, the attested credential data
// when AT is set, the extensions map when ED is set, and nothing after.
func parseAuthData(b []byte) (*authData, error) {
	if len(b) < 37 || len(b) > maxAuthData {
		return nil, fmt.Errorf("%w: authenticator data of %d bytes", errMalformed, len(b))
	}
	a := &authData{raw: b, rpIDHash: b[:32], flags: b[32], signCount: binary.BigEndian.Uint32(b[33:37])}
	rest := b[37:]
	if a.flags&flagAT != 0 {
		if len(rest) < 18 {
			return nil, fmt.Errorf("%w: attested credential data truncated", errMalformed)
		}
		a.aaguid = rest[:16]
		n := int(binary.BigEndian.Uint16(rest[16:18]))
		rest = rest[18:]
		if n == 0 || n > maxCredentialID || len(rest) < n {
			return nil, fmt.Errorf("%w: credential id of %d bytes", errMalformed, n)
		}
		a.credID, rest = rest[:n], rest[n:]
		var raw cbor.RawMessage
		after, err := decMode.UnmarshalFirst(rest, &raw)
		if err != nil {
			return nil, fmt.Errorf("%w: credential public key: %v", errMalformed, err)
		}
		a.publicKey, rest = rest[:len(rest)-len(after)], after
		if a.credential, err = parseCOSEKey(a.publicKey); err != nil {
			return nil, err
		}
	}
	if a.flags&flagED != 0 {
		var ext map[string]cbor.RawMessage
		after, err := decMode.UnmarshalFirst(rest, &ext)
		if err != nil || ext == nil {
			return nil, fmt.Errorf("%w: extensions: %v", errMalformed, err)
		}
		rest = after
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the authenticator data", errMalformed, len(rest))
	}
	return a, nil
}

// check holds the authenticator data to the relying party and the flags every ceremony
// needs (§7.1 steps 13-16, §7.2 steps 15-18): the RP id hash, user presence, user
// verification (every ceremony of this service requires it), and a backup state only on
// a backup-eligible credential.
func (a *authData) check(rpID string) error {
	want := sha256.Sum256([]byte(rpID))
	switch {
	case rpID == "" || subtle.ConstantTimeCompare(a.rpIDHash, want[:]) != 1:
		return errors.New("authenticator data is for another relying party")
	case a.flags&flagUP == 0:
		return errors.New("user not present")
	case a.flags&flagUV == 0:
		return errors.New("user not verified")
	case a.flags&flagBS != 0 && a.flags&flagBE == 0:
		return errors.New("backed up but not backup eligible")
	}
	return nil
}
