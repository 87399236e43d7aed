package passkey

import (
	"testing"

	"github.com/userbase/userbase/pkg/user"
)

// FuzzParse feeds every parser the same bytes, as a whole credential (JSON) and as each of
// its binary parts: none may panic, and what one accepts keeps its bounds.
//
//	go test ./pkg/passkey -run '^$' -fuzz FuzzParse -fuzztime 1m
func FuzzParse(f *testing.F) {
	e := newEnv()
	reg := e.ceremony(f, user.CeremonyRegister)
	reg.Challenge = "seed-challenge"
	signIn := *reg
	signIn.Kind = user.CeremonySignIn
	for _, alg := range []int64{algES256, algEdDSA, algRS256} {
		k := keyFor(f, alg)
		f.Add(k.cose)
		for _, format := range formats {
			cred, tc := register(f, e, reg, k, format)
			f.Add(cred)
			c, err := parseCredential(cred)
			if err != nil {
				f.Fatal(err)
			}
			f.Add([]byte(c.Response.AttestationObject))
			o, _, err := parseAttestationObject(c.Response.AttestationObject)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(o.AuthData)
			f.Add(assert(f, e, &signIn, tc, 1, flagUP|flagUV))
		}
	}
	v, stored := New(""), keyFor(f, algES256).cose
	f.Fuzz(func(t *testing.T, data []byte) {
		if a, err := parseAuthData(data); err == nil {
			if len(a.rpIDHash) != 32 || len(a.credID) > maxCredentialID || (a.flags&flagAT != 0) != (a.credential != nil) {
				t.Fatalf("authenticator data parsed out of bounds: %+v", a)
			}
		}
		if o, a, err := parseAttestationObject(data); err == nil {
			if o.Fmt == "" || a.credential == nil {
				t.Fatalf("attestation object parsed without fmt or key")
			}
			_ = verifyStatement(o, a, make([]byte, 32))
		}
		if k, err := parseCOSEKey(data); err == nil {
			_ = k.verify(data, data)
		}
		_ = checkClientData(data, "webauthn.create", reg.Challenge, reg.Origins)
		if pk, err := v.VerifyRegistration(reg, e.user, data); err == nil {
			if len(pk.CredentialID) == 0 || len(pk.CredentialID) > maxCredentialID {
				t.Fatalf("registered a credential id of %d bytes", len(pk.CredentialID))
			}
		}
		if a, err := v.ParseAssertion(data); err == nil {
			if len(a.UserHandle) > maxUserHandle || len(a.CredentialID) > maxCredentialID {
				t.Fatalf("assertion parsed out of bounds")
			}
			pk := &user.Passkey{CredentialID: a.CredentialID, PublicKey: stored}
			_, _ = v.VerifyAssertion(&signIn, e.user, pk, a)
		}
	})
}
