// Package passkey verifies WebAuthn ceremonies: the domain's user.WebAuthn port. It holds
// the relying party's checks of W3C WebAuthn (Level 2 and 3, §7.1 registering a credential,
// §7.2 verifying an assertion), written on the standard library's cryptography and
// github.com/fxamacker/cbor, and is a package of its own so that only the functions that
// verify a passkey link it, through app.Must(app.With(passkey.Verify)).
//
// The domain builds the options and keeps each ceremony's challenge server-side (see
// user.Ceremony); this package checks an answer against it: clientDataJSON's type,
// challenge and origin (exact matches, no cross-origin use), the relying party id hash,
// user presence and user verification (every ceremony requires it), the backup flags, the
// credential key (ES256, EdDSA or RS256 of at least 2048 bits: user.PasskeyAlgorithms) and
// signature, and at registration the attestation statement ("none", or "packed": see
// verifyStatement). The signature counter is returned, not judged: the domain decides what
// a counter that did not move forward means (user.Service's clone detection).
//
// Every failure of the credential is user.ErrPasskeyInvalid. Parsing is bounded and strict
// (no trailing bytes after any structure, no duplicate CBOR keys) and never panics on what
// a client sends (FuzzParse).
package passkey

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/user"
)

// Verifier is the user.WebAuthn of this package. It keeps nothing between calls: each
// ceremony names its own relying party and origins.
type Verifier struct{}

var _ user.WebAuthn = (*Verifier)(nil)

// New is a verifier for relying parties shown as name. The name is the options' business
// (the domain writes them), so no check uses it.
func New(name string) *Verifier { return &Verifier{} }

// Verify is the app.Part that gives the service a verifier: app.Must(app.With(passkey.Verify)).
func Verify(cfg *config.Config, o *user.Options) { o.WebAuthn = New(cfg.AppName) }

func invalid(err error) error { return fmt.Errorf("%w: %v", user.ErrPasskeyInvalid, err) }

// VerifyRegistration implements user.WebAuthn (§7.1).
func (v *Verifier) VerifyRegistration(c *user.Ceremony, u *user.User, credential []byte) (*user.Passkey, error) {
	pk, err := verifyRegistration(c, credential)
	if err != nil {
		return nil, invalid(err)
	}
	return pk, nil
}

func verifyRegistration(c *user.Ceremony, credential []byte) (*user.Passkey, error) {
	if c.Kind != user.CeremonyRegister {
		return nil, errors.New("not a registration ceremony")
	}
	cred, err := parseCredential(credential)
	if err != nil {
		return nil, err
	}
	if err := checkClientData(cred.Response.ClientDataJSON, "webauthn.create", c.Challenge, c.Origins); err != nil {
		return nil, err
	}
	o, a, err := parseAttestationObject(cred.Response.AttestationObject)
	if err != nil {
		return nil, err
	}
	if err := a.check(c.RPID); err != nil {
		return nil, err
	}
	if !slices.Contains(user.PasskeyAlgorithms, a.credential.alg) {
		return nil, fmt.Errorf("credential algorithm %d was not offered", a.credential.alg)
	}
	if !bytes.Equal(a.credID, cred.RawID) {
		return nil, errors.New("the attested credential id is not the credential's raw id")
	}
	if err := verifyStatement(o, a, clientDataHash(cred.Response.ClientDataJSON)); err != nil {
		return nil, err
	}
	return &user.Passkey{
		CredentialID: bytes.Clone(a.credID), PublicKey: bytes.Clone(a.publicKey), Algorithm: a.credential.alg,
		SignCount: a.signCount, AAGUID: formatAAGUID(a.aaguid),
		BackupEligible: a.flags&flagBE != 0, BackupState: a.flags&flagBS != 0,
		Transports: cred.transports(), Attachment: cred.attachment(),
	}, nil
}

// assertion is an assertion parsed by ParseAssertion: user.Assertion's Parsed.
type assertion struct {
	cred *credentialJSON
	auth *authData
}

// ParseAssertion implements user.WebAuthn: it reads the whole assertion, so that a malformed
// one is refused before anything is looked up.
func (v *Verifier) ParseAssertion(credential []byte) (*user.Assertion, error) {
	a, err := parseAssertion(credential)
	if err != nil {
		return nil, invalid(err)
	}
	return &user.Assertion{CredentialID: a.cred.RawID, UserHandle: a.cred.Response.UserHandle, Parsed: a}, nil
}

func parseAssertion(credential []byte) (*assertion, error) {
	cred, err := parseCredential(credential)
	if err != nil {
		return nil, err
	}
	r := &cred.Response
	if len(r.Signature) == 0 || len(r.Signature) > maxSignature || len(r.UserHandle) > maxUserHandle {
		return nil, fmt.Errorf("%w: a signature of %d bytes, a user handle of %d", errMalformed, len(r.Signature), len(r.UserHandle))
	}
	a, err := parseAuthData(r.AuthenticatorData)
	if err != nil {
		return nil, err
	}
	if a.flags&flagAT != 0 {
		return nil, fmt.Errorf("%w: attested credential data in an assertion", errMalformed)
	}
	return &assertion{cred: cred, auth: a}, nil
}

// VerifyAssertion implements user.WebAuthn (§7.2).
func (v *Verifier) VerifyAssertion(c *user.Ceremony, u *user.User, pk *user.Passkey, a *user.Assertion) (*user.AssertionResult, error) {
	p, ok := a.Parsed.(*assertion)
	if !ok {
		return nil, invalid(fmt.Errorf("assertion of type %T", a.Parsed))
	}
	if err := verifyAssertion(c, u, pk, p); err != nil {
		return nil, invalid(err)
	}
	return &user.AssertionResult{SignCount: p.auth.signCount, BackupState: p.auth.flags&flagBS != 0}, nil
}

func verifyAssertion(c *user.Ceremony, u *user.User, pk *user.Passkey, p *assertion) error {
	r := &p.cred.Response
	switch {
	case c.Kind != user.CeremonySignIn:
		return errors.New("not a sign-in ceremony")
	case !bytes.Equal(p.cred.RawID, pk.CredentialID):
		return errors.New("the assertion is by another credential")
	case len(r.UserHandle) > 0 && string(r.UserHandle) != u.ID:
		// The user handle is the user id given at registration.
		return errors.New("the user handle is not the passkey owner's")
	}
	if err := checkClientData(r.ClientDataJSON, "webauthn.get", c.Challenge, c.Origins); err != nil {
		return err
	}
	if err := p.auth.check(c.RPID); err != nil {
		return err
	}
	// §7.2 step 18 (Level 3): backup eligibility is fixed when the credential is made.
	if (p.auth.flags&flagBE != 0) != pk.BackupEligible {
		return errors.New("backup eligibility is not the credential's")
	}
	key, err := parseCOSEKey(pk.PublicKey)
	if err != nil {
		return fmt.Errorf("stored key: %w", err)
	}
	msg := append(append(make([]byte, 0, len(p.auth.raw)+32), p.auth.raw...), clientDataHash(r.ClientDataJSON)...)
	return key.verify(msg, r.Signature)
}

// formatAAGUID writes an AAGUID as a UUID; "" when there is none.
func formatAAGUID(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
