package passkey

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// maxAttestationObject bounds an attestation object: the request body's own bound.
const maxAttestationObject = 64 << 10

// maxX5C bounds a packed statement's certificate chain.
const maxX5C = 5

// attestationObject is the CBOR map the authenticator returns at registration (§6.5).
type attestationObject struct {
	Fmt      string          `cbor:"fmt"`
	AttStmt  cbor.RawMessage `cbor:"attStmt"`
	AuthData []byte          `cbor:"authData"`
}

// packedStatement is a "packed" attestation statement (§8.2). ecdaaKeyId, of Level 1 and
// since withdrawn, is a field it does not know, and so refused.
type packedStatement struct {
	Alg *int64   `cbor:"alg"`
	Sig []byte   `cbor:"sig"`
	X5C [][]byte `cbor:"x5c"`
}

// parseAttestationObject reads an attestation object: the three fields, nothing else and
// nothing after, with authenticator data that carries the attested credential data.
func parseAttestationObject(b []byte) (*attestationObject, *authData, error) {
	if len(b) == 0 || len(b) > maxAttestationObject {
		return nil, nil, fmt.Errorf("%w: attestation object of %d bytes", errMalformed, len(b))
	}
	var o attestationObject
	if err := decMode.Unmarshal(b, &o); err != nil {
		return nil, nil, fmt.Errorf("%w: attestation object: %v", errMalformed, err)
	}
	if o.Fmt == "" || o.AttStmt == nil || o.AuthData == nil {
		return nil, nil, fmt.Errorf("%w: attestation object without fmt, attStmt or authData", errMalformed)
	}
	a, err := parseAuthData(o.AuthData)
	if err != nil {
		return nil, nil, err
	}
	if a.flags&flagAT == 0 {
		return nil, nil, fmt.Errorf("%w: no attested credential data", errMalformed)
	}
	return &o, a, nil
}

// verifyStatement runs the verification procedure of the statement's format (§7.1 steps
// 19-21) over the authenticator data and the hash of clientDataJSON.
//
// The options ask for attestation "none", and three formats are supported: "none",
// "packed" (self attestation, or a certificate whose signature is checked but whose chain
// is trusted to no root, as nothing is decided on the authenticator's model) and "fido-u2f"
// (a security key speaking CTAP1, whose statement a client may pass on as it is; its
// certificate is trusted to no root either). With "none" asked, clients replace any other
// statement with "none" (§5.4.7), except a self attestation, which tells nothing of the
// device and so arrives as "packed". The specification has no provision for accepting a
// statement without running its format's verification procedure, whatever the conveyance
// asked: step 19 matches fmt against the formats the relying party supports and step 21
// verifies the statement by that format's procedure, so a statement in any other format
// (tpm, android-key, android-safetynet, apple, compound or unknown) does not verify and
// the passkey is refused.
func verifyStatement(o *attestationObject, a *authData, clientDataHash []byte) error {
	switch o.Fmt {
	case "none":
		// §8.7: an empty map.
		var m map[string]cbor.RawMessage
		if err := decMode.Unmarshal(o.AttStmt, &m); err != nil || m == nil || len(m) != 0 {
			return errors.New(`"none" attestation statement is not empty`)
		}
		return nil
	case "packed":
		return verifyPacked(o, a, clientDataHash)
	case "fido-u2f":
		return verifyU2F(o, a, clientDataHash)
	}
	return fmt.Errorf("attestation statement format %q is not supported", o.Fmt)
}

// oidAAGUID is id-fido-gen-ce-aaguid, the extension of an attestation certificate that names
// the authenticator model.
var oidAAGUID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 45724, 1, 1, 4}

// verifyPacked is the "packed" verification procedure (§8.2).
func verifyPacked(o *attestationObject, a *authData, clientDataHash []byte) error {
	var st packedStatement
	if err := decMode.Unmarshal(o.AttStmt, &st); err != nil {
		return fmt.Errorf("%w: packed statement: %v", errMalformed, err)
	}
	if st.Alg == nil || len(st.Sig) == 0 || len(st.Sig) > maxSignature {
		return fmt.Errorf("%w: packed statement without alg or sig", errMalformed)
	}
	msg := append(append(make([]byte, 0, len(a.raw)+len(clientDataHash)), a.raw...), clientDataHash...)
	if st.X5C == nil {
		// Self attestation: the credential key signs, with its own algorithm.
		if *st.Alg != a.credential.alg {
			return fmt.Errorf("packed self attestation alg %d is not the credential's %d", *st.Alg, a.credential.alg)
		}
		return a.credential.verify(msg, st.Sig)
	}
	if len(st.X5C) == 0 || len(st.X5C) > maxX5C {
		return fmt.Errorf("%w: packed statement with %d certificates", errMalformed, len(st.X5C))
	}
	cert, err := x509.ParseCertificate(st.X5C[0])
	if err != nil {
		return fmt.Errorf("%w: attestation certificate: %v", errMalformed, err)
	}
	if err := checkAttestationCert(cert, a.aaguid); err != nil {
		return err
	}
	return verifySignature(*st.Alg, cert.PublicKey, msg, st.Sig)
}

// u2fStatement is a "fido-u2f" attestation statement (§8.6).
type u2fStatement struct {
	Sig []byte   `cbor:"sig"`
	X5C [][]byte `cbor:"x5c"`
}

// verifyU2F is the "fido-u2f" verification procedure (§8.6): one attestation certificate
// with a P-256 key, which signs 0x00 || rpIdHash || clientDataHash || credentialId || the
// credential's P-256 point, uncompressed. A U2F credential is an ES256 key.
func verifyU2F(o *attestationObject, a *authData, clientDataHash []byte) error {
	var st u2fStatement
	if err := decMode.Unmarshal(o.AttStmt, &st); err != nil {
		return fmt.Errorf("%w: fido-u2f statement: %v", errMalformed, err)
	}
	if len(st.X5C) != 1 || len(st.Sig) == 0 || len(st.Sig) > maxSignature {
		return fmt.Errorf("%w: fido-u2f statement without one certificate and a sig", errMalformed)
	}
	cert, err := x509.ParseCertificate(st.X5C[0])
	if err != nil {
		return fmt.Errorf("%w: attestation certificate: %v", errMalformed, err)
	}
	if k, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		return errors.New("fido-u2f attestation certificate key is not P-256")
	}
	cred, ok := a.credential.key.(*ecdsa.PublicKey)
	if !ok || a.credential.alg != algES256 {
		return errors.New("fido-u2f credential is not an ES256 key")
	}
	point, err := cred.Bytes()
	if err != nil {
		return err
	}
	msg := make([]byte, 0, 1+len(a.rpIDHash)+len(clientDataHash)+len(a.credID)+len(point))
	msg = append(append(append(append(append(msg, 0), a.rpIDHash...), clientDataHash...), a.credID...), point...)
	return verifySignature(algES256, cert.PublicKey, msg, st.Sig)
}

// checkAttestationCert holds a packed attestation certificate to §8.2.1: version 3, a
// subject with C, O, CN and OU "Authenticator Attestation", not a CA, and an AAGUID
// extension, if any, that is not critical and names the authenticator data's AAGUID.
func checkAttestationCert(c *x509.Certificate, aaguid []byte) error {
	s := c.Subject
	switch {
	case c.Version != 3:
		return fmt.Errorf("attestation certificate version %d", c.Version)
	case len(s.Country) == 0 || len(s.Organization) == 0 || s.CommonName == "" ||
		len(s.OrganizationalUnit) != 1 || s.OrganizationalUnit[0] != "Authenticator Attestation":
		return errors.New("attestation certificate subject does not name an authenticator")
	case c.BasicConstraintsValid && c.IsCA:
		return errors.New("attestation certificate is a CA")
	}
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidAAGUID) {
			continue
		}
		var v []byte
		if rest, err := asn1.Unmarshal(ext.Value, &v); err != nil || len(rest) != 0 || ext.Critical ||
			!bytes.Equal(v, aaguid) {
			return errors.New("attestation certificate AAGUID is not the authenticator's")
		}
	}
	return nil
}

// clientDataHash is SHA-256(clientDataJSON), what attestation and assertion signatures cover
// with the authenticator data.
func clientDataHash(raw []byte) []byte {
	h := sha256.Sum256(raw)
	return h[:]
}
