// Package passkey verifies WebAuthn ceremonies with github.com/go-webauthn/webauthn: the
// domain's user.WebAuthn port. It is a package of its own because go-webauthn brings CBOR,
// X.509 and attestation formats with it (about 2 MB, and certificates parsed at init):
// only the functions that verify a passkey import it, through app.Must(app.With(passkey.Verify)).
//
// The domain builds the options and keeps each ceremony's challenge server-side (see
// user.Ceremony); this package turns a ceremony back into go-webauthn's SessionData and
// lets go-webauthn check the answer: challenge, relying party id hash, origin, user
// presence and verification (always required), signature, and at registration the
// attestation statement (attestation "none" is asked for and accepted, and so is any
// statement go-webauthn verifies; none is checked against a metadata service).
package passkey

import (
	"fmt"
	"strings"
	"sync"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/user"
)

// Verifier is the user.WebAuthn of go-webauthn. One go-webauthn instance serves each
// relying party (id and origins) a ceremony names, built on first use.
type Verifier struct {
	name string
	mu   sync.Mutex
	rps  map[string]*webauthn.WebAuthn
}

var _ user.WebAuthn = (*Verifier)(nil)

// New is a verifier for relying parties shown as name.
func New(name string) *Verifier {
	if name == "" {
		name = "Userbase"
	}
	return &Verifier{name: name, rps: map[string]*webauthn.WebAuthn{}}
}

// Verify is the app.Part that gives the service a verifier: app.Must(passkey.Verify).
func Verify(cfg *config.Config, o *user.Options) { o.WebAuthn = New(cfg.AppName) }

// rp is the go-webauthn instance of c's relying party.
func (v *Verifier) rp(c *user.Ceremony) (*webauthn.WebAuthn, error) {
	k := c.RPID + " " + strings.Join(c.Origins, " ")
	v.mu.Lock()
	defer v.mu.Unlock()
	if w, ok := v.rps[k]; ok {
		return w, nil
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID: c.RPID, RPDisplayName: v.name, RPOrigins: c.Origins,
		// The options ask for no extension; an output a client sends anyway is not ours
		// to refuse a passkey over.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: relying party %s: %w", c.RPID, err)
	}
	v.rps[k] = w
	return w, nil
}

// session is the SessionData go-webauthn would have kept for c.
func session(c *user.Ceremony, userID string) webauthn.SessionData {
	s := webauthn.SessionData{Challenge: c.Challenge, RelyingPartyID: c.RPID,
		UserVerification: protocol.VerificationRequired}
	if userID != "" {
		s.UserID = []byte(userID)
	}
	if c.Kind == user.CeremonyRegister {
		for _, alg := range user.PasskeyAlgorithms {
			s.CredParams = append(s.CredParams, protocol.CredentialParameter{
				Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.COSEAlgorithmIdentifier(alg)})
		}
	}
	return s
}

// account is a user as go-webauthn sees it: the user handle is the user id.
type account struct {
	u     *user.User
	creds []webauthn.Credential
}

func (a account) WebAuthnID() []byte                         { return []byte(a.u.ID) }
func (a account) WebAuthnName() string                       { return a.u.Email }
func (a account) WebAuthnDisplayName() string                { return a.u.FullName() }
func (a account) WebAuthnCredentials() []webauthn.Credential { return a.creds }

func invalid(err error) error { return fmt.Errorf("%w: %v", user.ErrPasskeyInvalid, err) }

// VerifyRegistration implements user.WebAuthn.
func (v *Verifier) VerifyRegistration(c *user.Ceremony, u *user.User, credential []byte) (*user.Passkey, error) {
	w, err := v.rp(c)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, invalid(err)
	}
	cred, err := w.CreateCredential(account{u: u}, session(c, u.ID), parsed)
	if err != nil {
		return nil, invalid(err)
	}
	alg := int64(0)
	if k, err := webauthncose.ParsePublicKey(cred.PublicKey); err == nil {
		switch k := k.(type) {
		case webauthncose.EC2PublicKeyData:
			alg = k.Algorithm
		case webauthncose.OKPPublicKeyData:
			alg = k.Algorithm
		case webauthncose.RSAPublicKeyData:
			alg = k.Algorithm
		}
	}
	pk := &user.Passkey{
		CredentialID: cred.ID, PublicKey: cred.PublicKey, Algorithm: alg, SignCount: cred.Authenticator.SignCount,
		AAGUID: formatAAGUID(cred.Authenticator.AAGUID), BackupEligible: cred.Flags.BackupEligible,
		BackupState: cred.Flags.BackupState, Attachment: string(cred.Authenticator.Attachment),
	}
	for _, t := range cred.Transport {
		pk.Transports = append(pk.Transports, string(t))
	}
	return pk, nil
}

// ParseAssertion implements user.WebAuthn.
func (v *Verifier) ParseAssertion(credential []byte) (*user.Assertion, error) {
	p, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return nil, invalid(err)
	}
	return &user.Assertion{CredentialID: p.RawID, UserHandle: p.Response.UserHandle, Parsed: p}, nil
}

// VerifyAssertion implements user.WebAuthn.
func (v *Verifier) VerifyAssertion(c *user.Ceremony, u *user.User, pk *user.Passkey, a *user.Assertion) (*user.AssertionResult, error) {
	w, err := v.rp(c)
	if err != nil {
		return nil, err
	}
	p, ok := a.Parsed.(*protocol.ParsedCredentialAssertionData)
	if !ok {
		return nil, invalid(fmt.Errorf("assertion of type %T", a.Parsed))
	}
	acct := account{u: u, creds: []webauthn.Credential{{
		ID: pk.CredentialID, PublicKey: pk.PublicKey,
		Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: true, BackupEligible: pk.BackupEligible, BackupState: pk.BackupState},
		Authenticator: webauthn.Authenticator{SignCount: pk.SignCount},
	}}}
	if len(p.Response.UserHandle) > 0 {
		_, _, err = w.ValidatePasskeyLogin(func([]byte, []byte) (webauthn.User, error) { return acct, nil }, session(c, ""), p)
	} else {
		// No user handle (a re-authentication by a credential that did not return one):
		// the caller is known, so the assertion is checked as theirs.
		_, err = w.ValidateLogin(acct, session(c, u.ID), p)
	}
	if err != nil {
		return nil, invalid(err)
	}
	flags := p.Response.AuthenticatorData.Flags
	return &user.AssertionResult{SignCount: p.Response.AuthenticatorData.Counter, BackupState: flags.HasBackupState()}, nil
}

// formatAAGUID writes an AAGUID as a UUID; "" when there is none.
func formatAAGUID(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
