package user_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/passkey"
	"github.com/userbase/userbase/pkg/passkey/passkeytest"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// Passkeys, with pkg/passkey verifying what a virtual authenticator answers.

const (
	rpID     = "localhost"
	rpOrigin = "http://localhost:3000"
)

func newPasskeyService(t *testing.T) (*user.Service, *memstore.Store, *clock) {
	t.Helper()
	return newServiceOpts(t, user.Options{WebAuthn: passkey.New("Userbase"),
		RelyingParty: user.RelyingParty{ID: rpID, Origins: []string{rpOrigin}}})
}

func optionsJSON(t *testing.T, start *user.CeremonyStart) []byte {
	t.Helper()
	b, err := json.Marshal(start.Options)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addPasskey registers a passkey of authenticator a for the holder of token (which it
// re-authenticates first) and returns it.
func addPasskey(t *testing.T, svc *user.Service, token string, a *passkeytest.Authenticator) *user.Passkey {
	t.Helper()
	p := reauthed(t, svc, token)
	start, err := svc.BeginPasskey(t.Context(), p, user.Client{})
	if err != nil {
		t.Fatalf("BeginPasskey: %v", err)
	}
	cred, err := a.Register(optionsJSON(t, start))
	if err != nil {
		t.Fatal(err)
	}
	pk, err := svc.AddPasskey(t.Context(), p, user.AddPasskeyInput{Name: "My key",
		PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}, user.Client{})
	if err != nil {
		t.Fatalf("AddPasskey: %v", err)
	}
	return pk
}

// assertion begins a passkey sign-in and answers it with a (counter moved forward).
func assertion(t *testing.T, svc *user.Service, a *passkeytest.Authenticator) user.PasskeyInput {
	t.Helper()
	start, err := svc.PasskeySignInOptions(t.Context(), user.Client{})
	if err != nil {
		t.Fatalf("PasskeySignInOptions: %v", err)
	}
	cred, err := a.Assert(optionsJSON(t, start))
	if err != nil {
		t.Fatal(err)
	}
	return user.PasskeyInput{ChallengeID: start.ID, Credential: cred}
}

func TestPasskeyRegistration(t *testing.T) {
	svc, st, _ := newPasskeyService(t)
	a := signUp(t, svc, "pk@example.com")
	other := mustLogin(t, svc, "pk@example.com", goodPassword)

	_, err := svc.BeginPasskey(t.Context(), principal(t, svc, a.Token), user.Client{})
	checkErr(t, "options right after sign-in", err, apperr.ReauthenticationRequired)

	p := reauthed(t, svc, a.Token)
	start, err := svc.BeginPasskey(t.Context(), p, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	o := start.Options.(*user.CreationOptions).PublicKey
	if o.RP.ID != rpID || o.AuthenticatorSelection.ResidentKey != "preferred" || o.AuthenticatorSelection.UserVerification != "required" ||
		o.Attestation != "none" || len(o.ExcludeCredentials) != 0 || o.User.Name != "pk@example.com" || len(o.Challenge) != 43 ||
		o.Timeout != 300000 {
		t.Errorf("creation options %+v", o)
	}
	auth := passkeytest.New(rpID, rpOrigin, false)
	cred, err := auth.Register(optionsJSON(t, start))
	if err != nil {
		t.Fatal(err)
	}
	in := user.AddPasskeyInput{PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}
	for _, tt := range []struct {
		name  string
		value string
		code  string
	}{{"", "", apperr.FieldRequired}, {"long", string(make([]rune, 101)), apperr.FieldTooLong}} {
		in.Name = tt.value
		if tt.name == "long" {
			in.Name = ""
			for range 101 {
				in.Name += "é"
			}
		}
		_, err = svc.AddPasskey(t.Context(), p, in, user.Client{})
		checkField(t, "name "+tt.name, err, "name", tt.code)
	}
	in.Name = "  Laptop  "
	pk, err := svc.AddPasskey(t.Context(), p, in, user.Client{})
	if err != nil {
		t.Fatalf("AddPasskey: %v", err)
	}
	if pk.Name != "Laptop" || pk.ID != user.PasskeyID(auth.Cred.ID) || pk.BackupEligible || pk.AAGUID == "" || len(pk.PublicKey) == 0 {
		t.Errorf("passkey %+v", pk)
	}
	if got := eventTypes(t, svc, a.User.ID)[0]; got != user.EventPasskeyAdded {
		t.Errorf("newest event %s, want %s", got, user.EventPasskeyAdded)
	}
	// Adding a passkey ends every other session; the caller's stays, and stays
	// re-authenticated.
	if _, err := svc.Authenticate(t.Context(), other.Token); err == nil {
		t.Error("another session survived the new passkey")
	}
	p = principal(t, svc, a.Token)
	// The challenge was spent.
	_, err = svc.AddPasskey(t.Context(), p, in, user.Client{})
	checkErr(t, "the same challenge again", err, apperr.InvalidPasskey)

	// The next options exclude the passkey the account has.
	start, err = svc.BeginPasskey(t.Context(), p, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	ex := start.Options.(*user.CreationOptions).PublicKey.ExcludeCredentials
	if len(ex) != 1 {
		t.Errorf("excludeCredentials %+v, want the one passkey", ex)
	}
	// An answer from another origin, or without user verification, does not verify.
	evil := passkeytest.New(rpID, "http://localhost:6666", false)
	cred, _ = evil.Register(optionsJSON(t, start))
	_, err = svc.AddPasskey(t.Context(), p, user.AddPasskeyInput{Name: "x", PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}, user.Client{})
	checkErr(t, "another origin", err, apperr.InvalidPasskey)
	// The refused answer spent its challenge: a good answer to it is refused too.
	cred, _ = passkeytest.New(rpID, rpOrigin, false).Register(optionsJSON(t, start))
	_, err = svc.AddPasskey(t.Context(), p, user.AddPasskeyInput{Name: "x", PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}, user.Client{})
	checkErr(t, "a good answer to a challenge a refused answer spent", err, apperr.InvalidPasskey)
	lazy := passkeytest.New(rpID, rpOrigin, false)
	lazy.Auth.Options.UserNotVerified = true
	start, _ = svc.BeginPasskey(t.Context(), p, user.Client{})
	cred, _ = lazy.Register(optionsJSON(t, start))
	_, err = svc.AddPasskey(t.Context(), p, user.AddPasskeyInput{Name: "x", PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}, user.Client{})
	checkErr(t, "no user verification", err, apperr.InvalidPasskey)

	// A registration challenge belongs to the session that asked for it.
	second := mustLogin(t, svc, "pk@example.com", goodPassword)
	start, _ = svc.BeginPasskey(t.Context(), p, user.Client{})
	cred, _ = passkeytest.New(rpID, rpOrigin, false).Register(optionsJSON(t, start))
	_, err = svc.AddPasskey(t.Context(), reauthed(t, svc, second.Token), user.AddPasskeyInput{Name: "x",
		PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}, user.Client{})
	checkErr(t, "another session's challenge", err, apperr.InvalidPasskey)

	list, err := svc.Passkeys(t.Context(), principal(t, svc, a.Token))
	if err != nil || len(list) != 1 {
		t.Fatalf("Passkeys = %d, %v; want 1", len(list), err)
	}
	d, err := st.UserData(t.Context(), a.User.ID, false)
	if err != nil || len(d.Passkeys) != 1 {
		t.Errorf("UserData passkeys %d, %v; want 1", len(d.Passkeys), err)
	}
}

func TestPasskeyRegistrationChallengeExpires(t *testing.T) {
	svc, _, c := newPasskeyService(t)
	a := signUp(t, svc, "late-pk@example.com")
	p := reauthed(t, svc, a.Token)
	start, err := svc.BeginPasskey(t.Context(), p, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	cred, _ := passkeytest.New(rpID, rpOrigin, false).Register(optionsJSON(t, start))
	c.t = c.t.Add(user.CeremonyTTL + time.Second)
	p = reauthed(t, svc, a.Token)
	_, err = svc.AddPasskey(t.Context(), p, user.AddPasskeyInput{Name: "x", PasskeyInput: user.PasskeyInput{ChallengeID: start.ID, Credential: cred}}, user.Client{})
	checkErr(t, "after five minutes", err, apperr.InvalidPasskey)
}

func TestPasskeySignIn(t *testing.T) {
	svc, st, c := newPasskeyService(t)
	a := signUp(t, svc, "signin-pk@example.com")
	hw := passkeytest.New(rpID, rpOrigin, false)
	pk := addPasskey(t, svc, a.Token, hw)

	// With MFA on, a passkey is still enough on its own.
	enableTOTP(t, svc, c, a.Token)
	in := assertion(t, svc, hw)
	got, err := svc.PasskeySignIn(t.Context(), in, user.Client{IP: "10.1.1.1"})
	if err != nil {
		t.Fatalf("PasskeySignIn: %v", err)
	}
	if got.User.ID != a.User.ID || !slices.Equal(got.Session.Methods, []string{user.MethodHardware}) {
		t.Errorf("signed in %s with %v, want %s with [hwk]", got.User.ID, got.Session.Methods, a.User.ID)
	}
	if ev := eventTypes(t, svc, a.User.ID)[0]; ev != user.EventLoginSucceeded {
		t.Errorf("newest event %s, want login_succeeded", ev)
	}
	stored, _ := st.Passkeys(t.Context(), a.User.ID)
	if stored[0].SignCount != 1 || !stored[0].LastUsedAt.Equal(c.t) {
		t.Errorf("stored passkey after use %+v, want count 1 and last use now", stored[0])
	}
	// Signing in does not open the re-authentication window.
	_, err = svc.BeginPasskey(t.Context(), principal(t, svc, got.Token), user.Client{})
	checkErr(t, "sensitive change after a passkey sign-in", err, apperr.ReauthenticationRequired)

	// The same answer again: its challenge is spent.
	_, err = svc.PasskeySignIn(t.Context(), in, user.Client{})
	checkErr(t, "replayed assertion", err, apperr.InvalidCredentials)

	// A challenge answered after five minutes.
	in = assertion(t, svc, hw)
	c.t = c.t.Add(user.CeremonyTTL + time.Second)
	_, err = svc.PasskeySignIn(t.Context(), in, user.Client{})
	checkErr(t, "expired challenge", err, apperr.InvalidCredentials)

	// A credential no account has (the user handle names the account, the credential is
	// not among its passkeys).
	stranger := passkeytest.New(rpID, rpOrigin, false)
	b := signUp(t, svc, "stranger@example.com")
	start, _ := svc.BeginPasskey(t.Context(), reauthed(t, svc, b.Token), user.Client{})
	if _, err := stranger.Register(optionsJSON(t, start)); err != nil { // registered on the device only
		t.Fatal(err)
	}
	_, err = svc.PasskeySignIn(t.Context(), assertion(t, svc, stranger), user.Client{})
	checkErr(t, "unknown credential", err, apperr.InvalidCredentials)

	// A bad signature: the right credential id, another key.
	forged := *hw
	forged.Auth.Credentials = nil
	forgedCred := *hw.Cred
	forgedCred.Key = stranger.Cred.Key
	forged.Cred = &forgedCred
	start, _ = svc.PasskeySignInOptions(t.Context(), user.Client{})
	bad, _ := forged.Assert(optionsJSON(t, start))
	_, err = svc.PasskeySignIn(t.Context(), user.PasskeyInput{ChallengeID: start.ID, Credential: bad}, user.Client{})
	checkErr(t, "bad signature", err, apperr.InvalidCredentials)
	// The refused answer spent its challenge: the genuine answer to it is refused too.
	good, _ := hw.Assert(optionsJSON(t, start))
	_, err = svc.PasskeySignIn(t.Context(), user.PasskeyInput{ChallengeID: start.ID, Credential: good}, user.Client{})
	checkErr(t, "the genuine answer to a challenge a refused answer spent", err, apperr.InvalidCredentials)

	// A counter that goes back is a clone: refused and recorded, the challenge spent.
	start, _ = svc.PasskeySignInOptions(t.Context(), user.Client{})
	cred, _ := hw.AssertAs(optionsJSON(t, start), 1)
	clone := user.PasskeyInput{ChallengeID: start.ID, Credential: cred}
	_, err = svc.PasskeySignIn(t.Context(), clone, user.Client{})
	checkErr(t, "cloned authenticator", err, apperr.InvalidCredentials)
	if ev := eventTypes(t, svc, a.User.ID)[0]; ev != user.EventPasskeyCloneDetected {
		t.Errorf("newest event %s, want %s", ev, user.EventPasskeyCloneDetected)
	}
	stored, _ = st.Passkeys(t.Context(), a.User.ID)
	if stored[0].SignCount != 1 {
		t.Errorf("a clone moved the counter to %d", stored[0].SignCount)
	}
	// The genuine authenticator, a step ahead, still signs in.
	if _, err := svc.PasskeySignIn(t.Context(), assertion(t, svc, hw), user.Client{}); err != nil {
		t.Errorf("the genuine authenticator after a clone: %v", err)
	}

	// A disabled account: the passkey is right, the account may not sign in, and the
	// answer does not sign in once the account is enabled again.
	saveUser(t, st, a.User.ID, func(u *user.User) { u.Active = false })
	disabledAnswer := assertion(t, svc, hw)
	_, err = svc.PasskeySignIn(t.Context(), disabledAnswer, user.Client{})
	checkErr(t, "disabled account", err, apperr.AccountDisabled)
	saveUser(t, st, a.User.ID, func(u *user.User) { u.Active = true })
	_, err = svc.PasskeySignIn(t.Context(), disabledAnswer, user.Client{})
	checkErr(t, "the disabled account's answer after it is enabled", err, apperr.InvalidCredentials)

	// Removing needs a re-authenticated session; removed, the passkey signs in no more.
	saveUser(t, st, a.User.ID, func(u *user.User) { u.Active = true })
	p := principal(t, svc, got.Token)
	p.Session.ReauthUntil = time.Time{}
	checkErr(t, "remove without re-authentication", svc.RemovePasskey(t.Context(), p, pk.ID, user.Client{}), apperr.ReauthenticationRequired)
	if _, err := svc.Reauthenticate(t.Context(), p, user.ReauthInput{Passkey: assertion(t, svc, hw)}, user.Client{}); err != nil {
		t.Fatal(err)
	}
	p = principal(t, svc, got.Token)
	if err := svc.RemovePasskey(t.Context(), p, pk.ID, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if ev := eventTypes(t, svc, a.User.ID)[0]; ev != user.EventPasskeyRemoved {
		t.Errorf("newest event %s, want passkey_removed", ev)
	}
	if err := svc.RemovePasskey(t.Context(), p, pk.ID, user.Client{}); err != nil {
		t.Errorf("removing it again: %v, want nil", err)
	}
	_, err = svc.PasskeySignIn(t.Context(), assertion(t, svc, hw), user.Client{})
	checkErr(t, "removed passkey", err, apperr.InvalidCredentials)
}

func TestPasskeyMethodAndMissingFields(t *testing.T) {
	svc, _, _ := newPasskeyService(t)
	a := signUp(t, svc, "synced@example.com")
	synced := passkeytest.New(rpID, rpOrigin, true)
	if pk := addPasskey(t, svc, a.Token, synced); !pk.BackupEligible || !pk.BackupState {
		t.Errorf("synced passkey %+v, want backup eligible and backed up", pk)
	}
	got, err := svc.PasskeySignIn(t.Context(), assertion(t, svc, synced), user.Client{})
	if err != nil || !slices.Equal(got.Session.Methods, []string{user.MethodSoftware}) {
		t.Errorf("synced passkey sign-in: %v, %v; want amr [swk]", got, err)
	}
	_, err = svc.PasskeySignIn(t.Context(), user.PasskeyInput{}, user.Client{})
	checkField(t, "empty", err, "challenge_id", apperr.FieldRequired)
	checkField(t, "empty", err, "credential", apperr.FieldRequired)
	_, err = svc.PasskeySignIn(t.Context(), user.PasskeyInput{ChallengeID: "x", Credential: []byte(`{"id":"nope"}`)}, user.Client{})
	checkErr(t, "malformed credential", err, apperr.InvalidCredentials)
}

func TestPasskeyReauthentication(t *testing.T) {
	svc, _, c := newPasskeyService(t)
	a := signUp(t, svc, "re-pk@example.com")
	hw := passkeytest.New(rpID, rpOrigin, false)
	addPasskey(t, svc, a.Token, hw)
	b := signUp(t, svc, "other-pk@example.com")
	bk := passkeytest.New(rpID, rpOrigin, false)
	addPasskey(t, svc, b.Token, bk)

	c.t = c.t.Add(10 * time.Minute) // past the window addPasskey opened
	p := principal(t, svc, a.Token)
	until, err := svc.Reauthenticate(t.Context(), p, user.ReauthInput{Passkey: assertion(t, svc, hw)}, user.Client{})
	if err != nil || !until.Equal(c.t.Add(5*time.Minute)) {
		t.Fatalf("Reauthenticate with a passkey = %v, %v; want now+5m", until, err)
	}
	if _, err := svc.BeginPasskey(t.Context(), principal(t, svc, a.Token), user.Client{}); err != nil {
		t.Errorf("a sensitive change after a passkey re-authentication: %v", err)
	}
	// Another account's passkey is no proof of this one, and its answer spends the challenge.
	start, _ := svc.PasskeySignInOptions(t.Context(), user.Client{})
	theirs, _ := bk.Assert(optionsJSON(t, start))
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{
		Passkey: user.PasskeyInput{ChallengeID: start.ID, Credential: theirs}}, user.Client{})
	checkErr(t, "another account's passkey", err, apperr.InvalidPasskey)
	mine, _ := hw.Assert(optionsJSON(t, start))
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{
		Passkey: user.PasskeyInput{ChallengeID: start.ID, Credential: mine}}, user.Client{})
	checkErr(t, "own passkey on a challenge a refused answer spent", err, apperr.InvalidPasskey)
	bk.NoUserHandle = true
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Passkey: assertion(t, svc, bk)}, user.Client{})
	checkErr(t, "another account's passkey without a user handle", err, apperr.InvalidPasskey)
	// Without a user handle, one's own passkey still proves it.
	hw.NoUserHandle = true
	if _, err := svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Passkey: assertion(t, svc, hw)}, user.Client{}); err != nil {
		t.Errorf("own passkey without a user handle: %v", err)
	}
	_, err = svc.Reauthenticate(t.Context(), principal(t, svc, a.Token), user.ReauthInput{Password: goodPassword,
		Passkey: user.PasskeyInput{ChallengeID: "x", Credential: []byte("{}")}}, user.Client{})
	checkField(t, "password and passkey", err, "password", apperr.FieldExclusive)
}
