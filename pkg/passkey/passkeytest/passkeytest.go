// Package passkeytest is a virtual WebAuthn authenticator for tests, over
// github.com/descope/virtualwebauthn: it answers the options this service hands out
// (their standard JSON form) with the credentials a browser's toJSON() gives, and can be
// made to misbehave (no user verification, a counter that goes back, another origin).
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"fmt"

	"github.com/descope/virtualwebauthn"
)

// Authenticator holds passkeys of one user handle for one relying party.
type Authenticator struct {
	RP   virtualwebauthn.RelyingParty
	Auth virtualwebauthn.Authenticator
	// Cred is the credential made by the last Register.
	Cred *virtualwebauthn.Credential
	// NoUserHandle leaves the user handle out of assertions.
	NoUserHandle bool
}

// New is an authenticator answering as a browser at origin would for relying party rpID.
// With synced set its passkeys are backup eligible and backed up (a multi-device passkey).
func New(rpID, origin string, synced bool) *Authenticator {
	return &Authenticator{
		RP:   virtualwebauthn.RelyingParty{ID: rpID, Name: rpID, Origin: origin},
		Auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{BackupEligible: synced, BackupState: synced}),
	}
}

// Register answers creation options (JSON, with or without the publicKey wrapper) with a
// new EC2 credential, as PublicKeyCredential JSON.
func (a *Authenticator) Register(options []byte) ([]byte, error) {
	o, err := virtualwebauthn.ParseAttestationOptions(string(options))
	if err != nil {
		return nil, fmt.Errorf("passkeytest: creation options: %w", err)
	}
	cred := newCredential()
	a.Auth.Options.UserHandle = []byte(o.UserID)
	out := virtualwebauthn.CreateAttestationResponse(a.RP, a.Auth, cred, *o)
	a.Auth.AddCredential(cred)
	a.Cred = &a.Auth.Credentials[len(a.Auth.Credentials)-1]
	return []byte(out), nil
}

// newCredential is a new EC2 credential whose point's coordinates both take all 32 bytes.
// virtualwebauthn writes a coordinate without its leading zero bytes, a COSE key RFC 9053
// forbids and the verifier refuses: about one key in 128 would fail a test at random.
func newCredential() virtualwebauthn.Credential {
	for range 100 { // each try fails with a chance of 1 in 128

		cred := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)
		k, err := x509.ParsePKCS8PrivateKey(cred.Key.Data)
		if err != nil {
			panic(fmt.Sprintf("passkeytest: virtualwebauthn's key: %v", err))
		}
		if p, ok := k.(*ecdsa.PrivateKey); ok {
			if point, err := p.PublicKey.Bytes(); err == nil && point[1] != 0 && point[33] != 0 {
				return cred
			}
		}
	}
	panic("passkeytest: no EC2 key with full-length coordinates in 100 tries")
}

// Assert answers request options with the last registered credential, its counter moved
// one forward first (as an authenticator does).
func (a *Authenticator) Assert(options []byte) ([]byte, error) {
	if a.Cred == nil {
		return nil, fmt.Errorf("passkeytest: nothing registered")
	}
	a.Cred.Counter++
	return a.AssertAs(options, a.Cred.Counter)
}

// AssertAs answers request options with the last registered credential and the counter
// given, as a clone of the authenticator (or a stale one) would.
func (a *Authenticator) AssertAs(options []byte, counter uint32) ([]byte, error) {
	o, err := virtualwebauthn.ParseAssertionOptions(string(options))
	if err != nil {
		return nil, fmt.Errorf("passkeytest: request options: %w", err)
	}
	cred := *a.Cred
	cred.Counter = counter
	auth := a.Auth
	if a.NoUserHandle {
		auth.Options.UserHandle = nil
	}
	return []byte(virtualwebauthn.CreateAssertionResponse(a.RP, auth, cred, *o)), nil
}

// Options picks the options out of a {"challenge_id", "options"} answer.
func Options(answer []byte) (challengeID string, options []byte, err error) {
	var v struct {
		ChallengeID string          `json:"challenge_id"`
		Options     json.RawMessage `json:"options"`
	}
	if err := json.Unmarshal(answer, &v); err != nil {
		return "", nil, err
	}
	return v.ChallengeID, v.Options, nil
}
