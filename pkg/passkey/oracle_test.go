package passkey

import (
	"fmt"
	"strings"
	"sync"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/userbase/userbase/pkg/user"
)

// oracle is the verifier this package had on go-webauthn, kept as the test oracle. One go-webauthn instance serves each
// relying party (id and origins) a ceremony names, built on first use.
type oracle struct {
	name string
	mu   sync.Mutex
	rps  map[string]*webauthn.WebAuthn
}

var _ user.WebAuthn = (*oracle)(nil)

// newOracle is a go-webauthn verifier for relying parties shown as name.
func newOracle(name string) *oracle {
	if name == "" {
		name = "Userbase"
	}
	return &oracle{name: name, rps: map[string]*webauthn.WebAuthn{}}
}

// rp is the go-webauthn instance of c's relying party.
func (v *oracle) rp(c *user.Ceremony) (*webauthn.WebAuthn, error) {
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

// oracleSession is the SessionData go-webauthn would have kept for c.
func oracleSession(c *user.Ceremony, userID string) webauthn.SessionData {
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

// oracleAccount is a user as go-webauthn sees it: the user handle is the user id.
type oracleAccount struct {
	u     *user.User
	creds []webauthn.Credential
}

func (a oracleAccount) WebAuthnID() []byte                         { return []byte(a.u.ID) }
func (a oracleAccount) WebAuthnName() string                       { return a.u.Email }
func (a oracleAccount) WebAuthnDisplayName() string                { return a.u.FullName() }
func (a oracleAccount) WebAuthnCredentials() []webauthn.Credential { return a.creds }

func oracleInvalid(err error) error { return fmt.Errorf("%w: %v", user.ErrPasskeyInvalid, err) }

// VerifyRegistration implements user.WebAuthn.
func (v *oracle) VerifyRegistration(c *user.Ceremony, u *user.User, credential []byte) (*user.Passkey, error) {
	w, err := v.rp(c)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, oracleInvalid(err)
	}
	cred, err := w.CreateCredential(oracleAccount{u: u}, oracleSession(c, u.ID), parsed)
	if err != nil {
		return nil, oracleInvalid(err)
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
func (v *oracle) ParseAssertion(credential []byte) (*user.Assertion, error) {
	p, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return nil, oracleInvalid(err)
	}
	return &user.Assertion{CredentialID: p.RawID, UserHandle: p.Response.UserHandle, Parsed: p}, nil
}

// VerifyAssertion implements user.WebAuthn.
func (v *oracle) VerifyAssertion(c *user.Ceremony, u *user.User, pk *user.Passkey, a *user.Assertion) (*user.AssertionResult, error) {
	w, err := v.rp(c)
	if err != nil {
		return nil, err
	}
	p, ok := a.Parsed.(*protocol.ParsedCredentialAssertionData)
	if !ok {
		return nil, oracleInvalid(fmt.Errorf("assertion of type %T", a.Parsed))
	}
	acct := oracleAccount{u: u, creds: []webauthn.Credential{{
		ID: pk.CredentialID, PublicKey: pk.PublicKey,
		Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: true, BackupEligible: pk.BackupEligible, BackupState: pk.BackupState},
		Authenticator: webauthn.Authenticator{SignCount: pk.SignCount},
	}}}
	if len(p.Response.UserHandle) > 0 {
		_, _, err = w.ValidatePasskeyLogin(func([]byte, []byte) (webauthn.User, error) { return acct, nil }, oracleSession(c, ""), p)
	} else {
		// No user handle (a re-authentication by a credential that did not return one):
		// the caller is known, so the assertion is checked as theirs.
		_, err = w.ValidateLogin(acct, oracleSession(c, u.ID), p)
	}
	if err != nil {
		return nil, oracleInvalid(err)
	}
	flags := p.Response.AuthenticatorData.Flags
	return &user.AssertionResult{SignCount: p.Response.AuthenticatorData.Counter, BackupState: flags.HasBackupState()}, nil
}
