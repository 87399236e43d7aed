package passkey

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/userbase/userbase/pkg/user"
)

// rewrite changes a credential's JSON form.
func rewrite(t *testing.T, cred []byte, f func(m, resp map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(cred, &m); err != nil {
		t.Fatal(err)
	}
	f(m, m["response"].(map[string]any))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func unb64(t *testing.T, v any) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(v.(string))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRegistrationMalformed(t *testing.T) {
	e := newEnv()
	c := e.ceremony(t, user.CeremonyRegister)
	cred, _ := register(t, e, c, keyFor(t, algES256), "packed")
	// The attestation object as the authenticator made it, re-encoded by hand below.
	var attObj []byte
	rewrite(t, cred, func(_, r map[string]any) { attObj = unb64(t, r["attestationObject"]) })
	v := New("")
	for _, tc := range []struct {
		name string
		f    func(m, r map[string]any)
		ok   bool
	}{
		{"as sent", func(m, r map[string]any) {}, true},
		{"padded base64url", func(m, r map[string]any) {
			r["clientDataJSON"] = base64.URLEncoding.EncodeToString(unb64(t, r["clientDataJSON"]))
		}, true},
		{"unknown fields and transports", func(m, r map[string]any) {
			m["future"] = 1
			r["transports"] = []any{"usb", "USB", "a-very-long-transport-name-nobody-uses", "usb", "nfc"}
		}, true},
		{"type", func(m, r map[string]any) { m["type"] = "password" }, false},
		{"id is not the raw id", func(m, r map[string]any) { m["id"] = "AAAA" }, false},
		{"no raw id", func(m, r map[string]any) { delete(m, "rawId") }, false},
		{"raw id not base64url", func(m, r map[string]any) { m["rawId"] = "a+b/" }, false},
		{"clientDataJSON not JSON", func(m, r map[string]any) { r["clientDataJSON"] = b64url([]byte("{]")) }, false},
		{"clientDataJSON with trailing bytes", func(m, r map[string]any) {
			r["clientDataJSON"] = b64url(append(unb64(t, r["clientDataJSON"]), "x"...))
		}, false},
		{"no attestation object", func(m, r map[string]any) { delete(r, "attestationObject") }, false},
		{"attestation object with a field more", func(m, r map[string]any) {
			r["attestationObject"] = b64url(append([]byte{0xa4}, append(attObj[1:], 0x61, 'x', 0x01)...))
		}, false},
		{"attestation object of indefinite length", func(m, r map[string]any) {
			r["attestationObject"] = b64url(append(append([]byte{0xbf}, attObj[1:]...), 0xff))
		}, false},
		{"attestation object tagged", func(m, r map[string]any) {
			r["attestationObject"] = b64url(append([]byte{0xd9, 0xd9, 0xf7}, attObj...))
		}, false},
		{"response null", func(m, r map[string]any) { m["response"] = nil }, false},
		{"not an object", func(m, r map[string]any) { clear(m) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := rewrite(t, cred, tc.f)
			if tc.name == "not an object" {
				in = []byte(`[]`)
			}
			pk, err := v.VerifyRegistration(c, e.user, in)
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, user.ErrPasskeyInvalid) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if tc.name == "unknown fields and transports" && (len(pk.Transports) != 2 || pk.Transports[0] != "usb" || pk.Transports[1] != "nfc") {
				t.Errorf("transports %q", pk.Transports)
			}
		})
	}
}

func TestCOSEKeyMalformed(t *testing.T) {
	good := newTestKey(t, algES256, 0).cose
	if _, err := parseCOSEKey(good); err != nil {
		t.Fatal(err)
	}
	x := make([]byte, 32)
	for name, b := range map[string][]byte{
		"trailing byte":     append(append([]byte{}, good...), 0),
		"duplicate label":   append([]byte{0xa6, 0x01, 0x02}, good[1:]...),
		"no alg":            mustCBOR(t, map[int]any{1: 2, -1: 1, -2: x, -3: x}),
		"text labels":       mustCBOR(t, map[string]any{"kty": 2, "alg": -7}),
		"short x":           mustCBOR(t, map[int]any{1: 2, 3: -7, -1: 1, -2: x[:31], -3: x}),
		"RSA exponent even": mustCBOR(t, map[int]any{1: 3, 3: -257, -1: append([]byte{0xff}, make([]byte, 255)...), -2: []byte{1, 0, 0}}),
		"Ed25519 short":     mustCBOR(t, map[int]any{1: 1, 3: -8, -1: 6, -2: x[:31]}),
		"X25519":            mustCBOR(t, map[int]any{1: 1, 3: -8, -1: 4, -2: x}),
		"not a map":         mustCBOR(t, []int{1, 2}),
		"empty":             nil,
	} {
		if _, err := parseCOSEKey(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
