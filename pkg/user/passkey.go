package user

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
)

// Passkey is a WebAuthn credential of a user: what verifying its assertions needs, and what
// the user sees of it.
type Passkey struct {
	// ID is base64url(SHA-256(CredentialID)): bounded in length whatever the credential id
	// (up to 1023 bytes), it keys the passkey's items and names it in the API.
	ID           string
	UserID       string
	CredentialID []byte
	PublicKey    []byte // the COSE key
	Algorithm    int64  // its COSE algorithm
	SignCount    uint32
	AAGUID       string // the authenticator model, as a UUID; all zeros when not told
	// BackupEligible: the credential may be synced between devices (a multi-device
	// passkey); BackupState: it is backed up now.
	BackupEligible bool
	BackupState    bool
	Transports     []string
	Attachment     string // platform, cross-platform or ""
	Name           string
	CreatedAt      time.Time
	LastUsedAt     time.Time
}

// Method is the amr of a sign-in with this passkey: a device-bound credential (not backup
// eligible: a security key, a platform authenticator that keeps its keys in hardware) is
// "hwk"; a multi-device one, synced by its provider and so held in software somewhere, is
// "swk". Without attestation nothing more is known of the key's storage.
func (pk *Passkey) Method() string {
	if pk.BackupEligible {
		return MethodSoftware
	}
	return MethodHardware
}

// PasskeyID is the id of the passkey with this credential id.
func PasskeyID(credentialID []byte) string {
	sum := sha256.Sum256(credentialID)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Ceremony is a WebAuthn challenge waiting for its answer: single use, valid a few minutes,
// kept server-side under a random id the client sends back.
type Ceremony struct {
	ID        string
	Kind      string // CeremonySignIn or CeremonyRegister
	Challenge string // base64url, as the options carry it
	RPID      string
	Origins   []string
	// UserID and SessionID bind a registration to the session that asked for it.
	UserID    string
	SessionID string
	ExpiresAt time.Time
}

// Ceremony kinds.
const (
	CeremonySignIn   = "sign_in" // an assertion: sign-in or re-authentication
	CeremonyRegister = "register"
)

// CeremonyTTL is how long a ceremony's challenge can be answered.
const CeremonyTTL = 5 * time.Minute

// MaxPasskeyName is the longest passkey name, in characters.
const MaxPasskeyName = 100

// PasskeyAlgorithms are the COSE algorithms a new passkey may use, most preferred first:
// EdDSA, ES256, RS256 (WebAuthn Level 3's recommended set).
var PasskeyAlgorithms = []int64{-8, -7, -257}

// PasskeyUse is a verified assertion's effect on its passkey: Next, with the new signature
// counter, backup state and time of use, written only if the stored counter is still
// PrevCount, so two concurrent uses of one counter cannot both pass.
type PasskeyUse struct {
	Next      *Passkey
	PrevCount uint32
}

// Assertion is a passkey's answer to a sign-in challenge, parsed but not yet verified.
type Assertion struct {
	CredentialID []byte
	UserHandle   []byte
	// Parsed is the verifier's own form of it, handed back to VerifyAssertion.
	Parsed any
}

// AssertionResult is what a verified assertion tells.
type AssertionResult struct {
	SignCount   uint32
	BackupState bool
}

// WebAuthn verifies the answers to WebAuthn ceremonies: the cryptography of attestation and
// assertion, against the ceremony's challenge, relying party and origins, with user
// verification required. Implemented by pkg/passkey, which only the functions that verify
// passkeys link. Every failure of the credential itself is ErrPasskeyInvalid.
type WebAuthn interface {
	// VerifyRegistration checks an attestation (a PublicKeyCredential as JSON) answering
	// c for u and returns the new credential, without ID, Name or times.
	VerifyRegistration(c *Ceremony, u *User, credential []byte) (*Passkey, error)
	// ParseAssertion reads an assertion's credential id and user handle.
	ParseAssertion(credential []byte) (*Assertion, error)
	// VerifyAssertion checks a parsed assertion answering c, signed by pk of u.
	VerifyAssertion(c *Ceremony, u *User, pk *Passkey, a *Assertion) (*AssertionResult, error)
}

// ErrPasskeyInvalid is a credential that does not verify: malformed, for another challenge,
// relying party or origin, without user verification, or with a bad signature.
var ErrPasskeyInvalid = errors.New("user: passkey credential does not verify")

// ErrInvalidPasskey is a passkey proof a signed-in user gave that does not hold: at
// registration or re-authentication.
var ErrInvalidPasskey = apperr.New(apperr.InvalidPasskey)

// ErrPasskeyTaken is a credential already registered (to any account).
var ErrPasskeyTaken = &apperr.Error{Code: apperr.Conflict, Detail: "passkey_taken"}

// ErrPasskeysOff is a passkey route of a function built without a verifier, or with no
// relying party configured or derivable: a deployment mistake.
var ErrPasskeysOff = errors.New("user: passkeys are not configured")

// RelyingParty is who passkeys are bound to: its id (a domain) and the origins whose pages
// may use them.
type RelyingParty struct {
	ID      string
	Origins []string
}

// relyingParty is the configured relying party, else one derived from the API's own domain
// as the request reached it (passkeys then work on pages served from the API itself).
func (s *Service) relyingParty(c Client) (RelyingParty, error) {
	if rp := s.opts.RelyingParty; rp.ID != "" {
		return rp, nil
	}
	if c.Domain == "" || strings.ContainsAny(c.Domain, "/:@ ") {
		return RelyingParty{}, ErrPasskeysOff
	}
	d := strings.ToLower(c.Domain)
	return RelyingParty{ID: d, Origins: []string{"https://" + d}}, nil
}

// CeremonyStart is a ceremony's id and the options to hand to the browser.
type CeremonyStart struct {
	ID      string
	Options any // *CreationOptions or *RequestOptions
}

// CreationOptions are PublicKeyCredentialCreationOptions in their JSON form.
type CreationOptions struct {
	PublicKey CreationPublicKey `json:"publicKey"`
}

// CreationPublicKey is the inside of CreationOptions.
type CreationPublicKey struct {
	RP                     RPEntity               `json:"rp"`
	User                   UserEntity             `json:"user"`
	Challenge              string                 `json:"challenge"`
	PubKeyCredParams       []CredentialParameter  `json:"pubKeyCredParams"`
	Timeout                int64                  `json:"timeout"`
	ExcludeCredentials     []CredentialDescriptor `json:"excludeCredentials"`
	AuthenticatorSelection AuthenticatorSelection `json:"authenticatorSelection"`
	Attestation            string                 `json:"attestation"`
}

// RPEntity names the relying party.
type RPEntity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// UserEntity is the account a new passkey is for; ID is the user handle, base64url.
type UserEntity struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// CredentialParameter is one accepted key type.
type CredentialParameter struct {
	Type string `json:"type"`
	Alg  int64  `json:"alg"`
}

// CredentialDescriptor names a credential (base64url id).
type CredentialDescriptor struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	Transports []string `json:"transports,omitempty"`
}

// AuthenticatorSelection asks for a discoverable credential with user verification.
type AuthenticatorSelection struct {
	ResidentKey        string `json:"residentKey"`
	RequireResidentKey bool   `json:"requireResidentKey"`
	UserVerification   string `json:"userVerification"`
}

// RequestOptions are PublicKeyCredentialRequestOptions in their JSON form: no
// allowCredentials, so any discoverable credential of the relying party may answer.
type RequestOptions struct {
	PublicKey RequestPublicKey `json:"publicKey"`
}

// RequestPublicKey is the inside of RequestOptions.
type RequestPublicKey struct {
	Challenge        string `json:"challenge"`
	Timeout          int64  `json:"timeout"`
	RPID             string `json:"rpId"`
	UserVerification string `json:"userVerification"`
}

// newCeremony makes a ceremony of kind for rp with a fresh 256-bit challenge.
func newCeremony(kind string, rp RelyingParty, now time.Time) (*Ceremony, error) {
	id, err := auth.NewID()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return &Ceremony{ID: id, Kind: kind, Challenge: base64.RawURLEncoding.EncodeToString(b), RPID: rp.ID,
		Origins: rp.Origins, ExpiresAt: now.Add(CeremonyTTL)}, nil
}

// ceremonyLimit is the hourly counter of ceremonies begun from one address: each is an item
// written by a caller who may not be signed in.
func (s *Service) ceremonyLimit(ip string, now time.Time) Counter {
	w, end := window(now, time.Hour)
	return Counter{Key: "ceremony#" + AddressKey(ip) + "#" + strconv.FormatInt(w, 10), Max: int64(s.opts.CeremonyLimitPerHour), ExpiresAt: end}
}

// PasskeySignInOptions begins a passkey sign-in (or a passkey re-authentication): a
// challenge any discoverable credential of the relying party may answer, so no login is
// needed first.
func (s *Service) PasskeySignInOptions(ctx context.Context, c Client) (*CeremonyStart, error) {
	rp, err := s.relyingParty(c)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	ce, err := newCeremony(CeremonySignIn, rp, now)
	if err != nil {
		return nil, err
	}
	err = s.store.Apply(ctx, &Tx{Now: now, Ceremony: ce, Limits: []Counter{s.ceremonyLimit(c.IP, now)}})
	if err != nil {
		return nil, limitReached(err, now)
	}
	return &CeremonyStart{ID: ce.ID, Options: &RequestOptions{PublicKey: RequestPublicKey{
		Challenge: ce.Challenge, Timeout: CeremonyTTL.Milliseconds(), RPID: rp.ID, UserVerification: "required"}}}, nil
}

// PasskeyInput is a passkey's answer to a ceremony.
type PasskeyInput struct {
	ChallengeID string
	Credential  []byte // the PublicKeyCredential as JSON
}

func (in PasskeyInput) check(errs *apperr.Fields) {
	if strings.TrimSpace(in.ChallengeID) == "" {
		errs.Add("challenge_id", apperr.FieldRequired)
	}
	if len(in.Credential) == 0 || string(in.Credential) == "null" {
		errs.Add("credential", apperr.FieldRequired)
	}
}

// PasskeySignIn signs in with a passkey asserted with user verification: enough on its own,
// so no second factor is asked even with MFA on. One read (the challenge, the account, the
// passkey and the address's failure count), one write (the challenge spent, the counter
// moved, the session). Every failure — an unknown, expired or spent challenge, a credential
// of no account, a bad signature, a counter that went back — is ErrInvalidCredentials and
// counts against the source address. An answer checked against a live challenge spends it,
// right or wrong; a counter that went back is also recorded on the account as
// passkey_clone_detected. The sign-in lock of passwords
// does not hold a passkey back: it stops guessing, and an assertion is not guessed.
func (s *Service) PasskeySignIn(ctx context.Context, in PasskeyInput, c Client) (*Auth, error) {
	var errs apperr.Fields
	in.check(&errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if s.opts.WebAuthn == nil {
		return nil, ErrPasskeysOff
	}
	now := s.now().UTC()
	ip := s.ipFailures(c.IP, now)
	fail := func() error {
		if err := s.store.Hit(ctx, ip); err != nil {
			return err
		}
		return ErrInvalidCredentials
	}
	a, err := s.opts.WebAuthn.ParseAssertion(in.Credential)
	if err != nil {
		return nil, fail()
	}
	uid := string(a.UserHandle)
	if !auth.ValidID(uid) || !auth.ValidID(in.ChallengeID) {
		return nil, fail()
	}
	st, err := s.store.PasskeyView(ctx, in.ChallengeID, uid, PasskeyID(a.CredentialID), ip.Key)
	if err != nil {
		return nil, err
	}
	if st.Count >= ip.Max {
		return nil, limited(ip.ExpiresAt.Sub(now))
	}
	u, pk, ce := st.User, st.Passkey, st.Ceremony
	if !liveCeremony(ce, CeremonySignIn, now) {
		return nil, fail()
	}
	// The answer is checked against ce from here: right or wrong, it spends the challenge.
	refuse := func(events ...*Event) error {
		if err := s.spendCeremony(ctx, &Tx{Now: now, UseCeremony: ce, Events: events, Hits: []Counter{ip}}); err != nil {
			return err
		}
		return ErrInvalidCredentials
	}
	if u == nil || pk == nil {
		return nil, refuse()
	}
	use, clone, err := s.assert(ce, u, pk, a, now, c)
	if err != nil {
		return nil, refuse()
	}
	if clone != nil {
		return nil, refuse(clone)
	}
	if !u.Active {
		// Refused too: the answer must not sign in once the account is enabled again.
		if err := s.spendCeremony(ctx, &Tx{Now: now, UseCeremony: ce}); err != nil {
			return nil, err
		}
		return nil, apperr.New(apperr.AccountDisabled)
	}
	out, err := s.signIn(ctx, u, &Tx{Now: now, UseCeremony: ce, PasskeyUse: use}, c, pk.Method())
	if errors.Is(err, ErrInvalidCode) || errors.Is(err, ErrConflict) {
		// The challenge was spent, or the counter moved, by a concurrent request.
		return nil, ErrInvalidCredentials
	}
	return out, err
}

// spendCeremony writes tx, which spends a ceremony a refused answer was checked against:
// a challenge is single use, answered right or wrong. A ceremony spent meanwhile by a
// concurrent answer fails the transaction; its failure hits are then written on their own.
func (s *Service) spendCeremony(ctx context.Context, tx *Tx) error {
	err := s.store.Apply(ctx, tx)
	if !errors.Is(err, ErrInvalidCode) {
		return err
	}
	for _, h := range tx.Hits {
		if err := s.store.Hit(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// liveCeremony reports whether ce is a ceremony of kind that can still be answered at now.
func liveCeremony(ce *Ceremony, kind string, now time.Time) bool {
	return ce != nil && ce.Kind == kind && ce.ExpiresAt.After(now)
}

// assert verifies a's signature by pk of u for ce and checks the signature counter: it
// returns the use to write, or, for a counter that did not move forward (a cloned
// authenticator, or a replay of an old assertion), the security event to record.
func (s *Service) assert(ce *Ceremony, u *User, pk *Passkey, a *Assertion, now time.Time, c Client) (*PasskeyUse, *Event, error) {
	res, err := s.opts.WebAuthn.VerifyAssertion(ce, u, pk, a)
	if err != nil {
		return nil, nil, err
	}
	if (res.SignCount != 0 || pk.SignCount != 0) && res.SignCount <= pk.SignCount {
		ev, err := s.event(u.ID, EventPasskeyCloneDetected, now, c, map[string]string{
			"passkey_id": pk.ID, "stored_count": strconv.FormatUint(uint64(pk.SignCount), 10),
			"presented_count": strconv.FormatUint(uint64(res.SignCount), 10)})
		if err != nil {
			return nil, nil, err
		}
		return nil, ev, nil
	}
	next := *pk
	next.SignCount, next.BackupState, next.LastUsedAt = res.SignCount, res.BackupState, now
	return &PasskeyUse{Next: &next, PrevCount: pk.SignCount}, nil, nil
}

// reauthenticateWithPasskey is Reauthenticate's passkey proof: an assertion answering a
// sign-in challenge with one of the caller's own passkeys.
func (s *Service) reauthenticateWithPasskey(ctx context.Context, p *Principal, in PasskeyInput, c Client) (time.Time, error) {
	if s.opts.WebAuthn == nil {
		return time.Time{}, ErrPasskeysOff
	}
	now := s.now().UTC()
	a, err := s.opts.WebAuthn.ParseAssertion(in.Credential)
	if err != nil || !auth.ValidID(in.ChallengeID) {
		return time.Time{}, ErrInvalidPasskey
	}
	st, err := s.store.PasskeyView(ctx, in.ChallengeID, p.User.ID, PasskeyID(a.CredentialID), "")
	if err != nil {
		return time.Time{}, err
	}
	if !liveCeremony(st.Ceremony, CeremonySignIn, now) {
		return time.Time{}, ErrInvalidPasskey
	}
	// The answer is checked against the ceremony from here: right or wrong, it is spent.
	refuse := func(events ...*Event) error {
		if err := s.spendCeremony(ctx, &Tx{Now: now, UseCeremony: st.Ceremony, Events: events}); err != nil {
			return err
		}
		return ErrInvalidPasskey
	}
	if len(a.UserHandle) > 0 && string(a.UserHandle) != p.User.ID || st.User == nil || st.Passkey == nil {
		return time.Time{}, refuse()
	}
	use, clone, err := s.assert(st.Ceremony, st.User, st.Passkey, a, now, c)
	if err != nil {
		return time.Time{}, refuse()
	}
	if clone != nil {
		return time.Time{}, refuse(clone)
	}
	until, err := s.openWindowIn(ctx, p, &Tx{Now: now, UseCeremony: st.Ceremony, PasskeyUse: use}, c, st.Passkey.Method())
	if errors.Is(err, ErrInvalidCode) || errors.Is(err, ErrConflict) {
		return time.Time{}, ErrInvalidPasskey
	}
	return until, err
}

// BeginPasskey begins adding a passkey to the caller's account, in a re-authenticated
// session: creation options for a discoverable credential with user verification, that
// exclude the passkeys the account has, bound to this session.
func (s *Service) BeginPasskey(ctx context.Context, p *Principal, c Client) (*CeremonyStart, error) {
	if _, err := s.reauthenticated(ctx, p, "", "", c); err != nil {
		return nil, err
	}
	rp, err := s.relyingParty(c)
	if err != nil {
		return nil, err
	}
	have, err := s.store.Passkeys(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	ce, err := newCeremony(CeremonyRegister, rp, now)
	if err != nil {
		return nil, err
	}
	ce.UserID, ce.SessionID = p.User.ID, p.Session.ID
	if err := s.store.Apply(ctx, &Tx{Now: now, Ceremony: ce, Limits: []Counter{s.ceremonyLimit(c.IP, now)}}); err != nil {
		return nil, limitReached(err, now)
	}
	exclude := make([]CredentialDescriptor, 0, len(have))
	for _, pk := range have {
		exclude = append(exclude, CredentialDescriptor{Type: "public-key",
			ID: base64.RawURLEncoding.EncodeToString(pk.CredentialID), Transports: pk.Transports})
	}
	params := make([]CredentialParameter, len(PasskeyAlgorithms))
	for i, alg := range PasskeyAlgorithms {
		params[i] = CredentialParameter{Type: "public-key", Alg: alg}
	}
	display := p.User.FullName()
	if display == "" {
		display = p.User.Email
	}
	return &CeremonyStart{ID: ce.ID, Options: &CreationOptions{PublicKey: CreationPublicKey{
		RP:        RPEntity{ID: rp.ID, Name: s.opts.Issuer},
		User:      UserEntity{ID: base64.RawURLEncoding.EncodeToString([]byte(p.User.ID)), Name: p.User.Email, DisplayName: display},
		Challenge: ce.Challenge, PubKeyCredParams: params, Timeout: CeremonyTTL.Milliseconds(),
		ExcludeCredentials:     exclude,
		AuthenticatorSelection: AuthenticatorSelection{ResidentKey: "preferred", UserVerification: "required"},
		Attestation:            "none",
	}}}, nil
}

// AddPasskeyInput names and carries a new passkey.
type AddPasskeyInput struct {
	PasskeyInput
	Name string
}

// AddPasskey verifies the attestation answering the caller's registration challenge and
// adds the passkey, in a re-authenticated session. Every other session of the user ends,
// as when MFA is turned on: whoever else holds one did not prove as much. A challenge that
// is unknown, expired, spent, of another session, or a credential that does not verify is
// ErrInvalidPasskey; a credential some account already has is 409 conflict. An answer to
// the caller's live challenge spends it, added or refused.
func (s *Service) AddPasskey(ctx context.Context, p *Principal, in AddPasskeyInput, c Client) (*Passkey, error) {
	var errs apperr.Fields
	in.check(&errs)
	name := ""
	if strings.TrimSpace(in.Name) == "" {
		errs.Add("name", apperr.FieldRequired)
	} else {
		name = text(in.Name, "name", MaxPasskeyName, &errs)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if _, err := s.reauthenticated(ctx, p, "", "", c); err != nil {
		return nil, err
	}
	if s.opts.WebAuthn == nil {
		return nil, ErrPasskeysOff
	}
	if !auth.ValidID(in.ChallengeID) {
		return nil, ErrInvalidPasskey
	}
	st, err := s.store.PasskeyView(ctx, in.ChallengeID, p.User.ID, "", "")
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	ce, u := st.Ceremony, st.User
	if !liveCeremony(ce, CeremonyRegister, now) || u == nil || ce.UserID != p.User.ID || ce.SessionID != p.Session.ID {
		return nil, ErrInvalidPasskey
	}
	pk, err := s.opts.WebAuthn.VerifyRegistration(ce, u, in.Credential)
	if err != nil {
		// Checked against this caller's ceremony: a refused answer spends it too.
		if err := s.spendCeremony(ctx, &Tx{Now: now, UseCeremony: ce}); err != nil {
			return nil, err
		}
		return nil, ErrInvalidPasskey
	}
	pk.ID, pk.UserID, pk.Name, pk.CreatedAt = PasskeyID(pk.CredentialID), u.ID, name, now
	next := *u
	next.Version, next.UpdatedAt, next.SessionEpoch = u.Version+1, now, u.SessionEpoch+1
	stamp := *p.Session
	stamp.Epoch = next.SessionEpoch
	ev, err := s.event(u.ID, EventPasskeyAdded, now, c, map[string]string{"passkey_id": pk.ID, "name": name})
	if err != nil {
		return nil, err
	}
	err = s.store.Apply(ctx, &Tx{Now: now, UseCeremony: ce, Passkey: pk, Save: &Save{Next: &next, Prev: u},
		Stamp: &stamp, Events: []*Event{ev}})
	switch {
	case errors.Is(err, ErrInvalidCode):
		return nil, ErrInvalidPasskey // spent by a concurrent request
	case errors.Is(err, ErrPasskeyTaken):
		if err := s.spendCeremony(ctx, &Tx{Now: now, UseCeremony: ce}); err != nil {
			return nil, err
		}
		return nil, ErrPasskeyTaken
	case err != nil:
		return nil, sessionEnded(err)
	}
	p.User, p.Session = &next, &stamp
	return pk, nil
}

// Passkeys lists the caller's passkeys, oldest first.
func (s *Service) Passkeys(ctx context.Context, p *Principal) ([]*Passkey, error) {
	list, err := s.store.Passkeys(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *Passkey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return list, nil
}

// RemovePasskey removes one of the caller's passkeys, in a re-authenticated session. One
// already gone (or never the caller's) is not an error, and records nothing.
func (s *Service) RemovePasskey(ctx context.Context, p *Principal, id string, c Client) error {
	if _, err := s.reauthenticated(ctx, p, "", "", c); err != nil {
		return err
	}
	if len(id) != 43 {
		return nil // no passkey has that id
	}
	now := s.now().UTC()
	ev, err := s.event(p.User.ID, EventPasskeyRemoved, now, c, map[string]string{"passkey_id": id})
	if err != nil {
		return err
	}
	err = s.store.Apply(ctx, &Tx{Now: now, RemovePasskey: &Passkey{UserID: p.User.ID, ID: id}, Events: []*Event{ev}})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
