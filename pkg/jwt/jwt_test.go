package jwt_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/jwt"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// key is one RSA key for the whole package: generating one takes a while.
func key(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testKey
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func claims() jwt.Claims {
	return jwt.Claims{
		Issuer: "https://api.example.com/prod", Subject: "01hzy3k7d8q1v2c3b4n5m6p7q8", Audience: "userbase",
		ExpiresAt: t0.Add(15 * time.Minute), IssuedAt: t0, ID: "jti-1", SessionID: "sid-1",
		Role: "member", Email: "ann@example.com", EmailVerified: true, AMR: []string{"pwd", "otp"}, AuthTime: t0.Add(-time.Hour),
	}
}

func verifier(now time.Time) jwt.Verifier {
	return jwt.Verifier{Issuer: "https://api.example.com/prod", Audience: "userbase", Now: func() time.Time { return now }}
}

func keys(t testing.TB) jwt.KeyFunc {
	pub := &key(t).PublicKey
	return func(kid string) (*rsa.PublicKey, error) {
		if kid == "k1" {
			return pub, nil
		}
		return nil, jwt.ErrUnknownKey
	}
}

func sign(t testing.TB, c jwt.Claims) string {
	t.Helper()
	tok, err := jwt.Sign(c, "k1", key(t))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSignVerifyRoundTrip(t *testing.T) {
	tok := sign(t, claims())
	got, err := verifier(t0.Add(time.Minute)).Verify(tok, keys(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(claims(), *got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

// The wire form: the header any library expects, and the claims the API documents.
func TestWireForm(t *testing.T) {
	tok := sign(t, claims())
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("got %d parts, want 3", len(parts))
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if got, want := string(h), `{"alg":"RS256","kid":"k1","typ":"JWT"}`; got != want {
		t.Errorf("header: got %s, want %s", got, want)
	}
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"iss": "https://api.example.com/prod", "sub": "01hzy3k7d8q1v2c3b4n5m6p7q8", "aud": "userbase",
		"exp": float64(t0.Unix() + 900), "iat": float64(t0.Unix()), "jti": "jti-1", "sid": "sid-1", "role": "member",
		"email": "ann@example.com", "email_verified": true, "amr": []any{"pwd", "otp"}, "auth_time": float64(t0.Unix() - 3600),
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if len(sig) != 256 {
		t.Errorf("signature of %d bytes, want 256 (RSA 2048)", len(sig))
	}
}

// forge builds a token from raw header and payload JSON with the given signature bytes.
func forge(header, payload string, sig []byte) string {
	e := base64.RawURLEncoding
	return e.EncodeToString([]byte(header)) + "." + e.EncodeToString([]byte(payload)) + "." + e.EncodeToString(sig)
}

// signRaw signs arbitrary header and payload JSON with the test key, as an attacker with
// the key could not but a buggy verifier might still accept in other ways.
func signRaw(t *testing.T, header, payload string) string {
	t.Helper()
	e := base64.RawURLEncoding
	in := e.EncodeToString([]byte(header)) + "." + e.EncodeToString([]byte(payload))
	d := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key(t), 5 /* crypto.SHA256 */, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + e.EncodeToString(sig)
}

func TestVerifyRefuses(t *testing.T) {
	good := sign(t, claims())
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	pubDER := key(t).PublicKey.N.Bytes()
	mac := hmac.New(sha256.New, pubDER)
	hsIn := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"k1","typ":"JWT"}`)) + "." + parts[1]
	mac.Write([]byte(hsIn))
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherTok, _ := jwt.Sign(claims(), "k1", other)
	c := claims()
	base := `"iss":"https://api.example.com/prod","sub":"u","aud":"userbase","exp":` + itoa(t0.Unix()+900) + `,"iat":` + itoa(t0.Unix())

	cases := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"empty", "", t0, jwt.ErrMalformed},
		{"two parts", parts[0] + "." + parts[1], t0, jwt.ErrMalformed},
		{"four parts", good + ".x", t0, jwt.ErrMalformed},
		{"too large", good + strings.Repeat("A", jwt.MaxSize), t0, jwt.ErrMalformed},
		{"padding", parts[0] + "=." + parts[1] + "." + parts[2], t0, jwt.ErrMalformed},
		{"standard base64", strings.ReplaceAll(strings.ReplaceAll(good, "-", "+"), "_", "/"), t0, jwt.ErrInvalid},
		{"alg none", forge(`{"alg":"none","kid":"k1"}`, string(payload), []byte("x")), t0, jwt.ErrAlgorithm},
		{"alg none, no signature", forge(`{"alg":"none"}`, string(payload), nil), t0, jwt.ErrInvalid},
		{"alg HS256 keyed with the public key", hsIn + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), t0, jwt.ErrAlgorithm},
		{"alg rs256 lower case", signRaw(t, `{"alg":"rs256","kid":"k1"}`, string(payload)), t0, jwt.ErrAlgorithm},
		{"alg PS256", signRaw(t, `{"alg":"PS256","kid":"k1"}`, string(payload)), t0, jwt.ErrAlgorithm},
		{"no kid", signRaw(t, `{"alg":"RS256"}`, string(payload)), t0, jwt.ErrUnknownKey},
		{"unknown kid", signRaw(t, `{"alg":"RS256","kid":"k2"}`, string(payload)), t0, jwt.ErrUnknownKey},
		{"embedded jwk", signRaw(t, `{"alg":"RS256","kid":"k1","jwk":{"kty":"RSA"}}`, string(payload)), t0, jwt.ErrMalformed},
		{"crit", signRaw(t, `{"alg":"RS256","kid":"k1","crit":["exp"]}`, string(payload)), t0, jwt.ErrMalformed},
		{"typ other", signRaw(t, `{"alg":"RS256","kid":"k1","typ":"at+jwt+x"}`, string(payload)), t0, jwt.ErrMalformed},
		{"header not an object", signRaw(t, `["RS256"]`, string(payload)), t0, jwt.ErrMalformed},
		{"header trailing data", signRaw(t, `{"alg":"RS256","kid":"k1"}x`, string(payload)), t0, jwt.ErrMalformed},
		{"signed by another key", otherTok, t0, jwt.ErrSignature},
		{"payload changed", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "member", "admin", 1))) + "." + parts[2], t0, jwt.ErrSignature},
		{"short signature", parts[0] + "." + parts[1] + "." + parts[2][:40], t0, jwt.ErrSignature},
		{"expired", good, c.ExpiresAt.Add(jwt.DefaultLeeway), jwt.ErrExpired},
		{"issued in the future", good, t0.Add(-jwt.DefaultLeeway - time.Second), jwt.ErrNotYetValid},
		{"nbf in the future", signRaw(t, `{"alg":"RS256","kid":"k1"}`, `{`+base+`,"nbf":`+itoa(t0.Unix()+600)+`}`), t0, jwt.ErrNotYetValid},
		{"wrong issuer", signRaw(t, `{"alg":"RS256","kid":"k1"}`, strings.Replace(`{`+base+`}`, "/prod", "/dev", 1)), t0, jwt.ErrIssuer},
		{"wrong audience", signRaw(t, `{"alg":"RS256","kid":"k1"}`, strings.Replace(`{`+base+`}`, `"aud":"userbase"`, `"aud":"other"`, 1)), t0, jwt.ErrAudience},
		{"audience list without ours", signRaw(t, `{"alg":"RS256","kid":"k1"}`, strings.Replace(`{`+base+`}`, `"aud":"userbase"`, `"aud":["a","b"]`, 1)), t0, jwt.ErrAudience},
		{"no exp", signRaw(t, `{"alg":"RS256","kid":"k1"}`, `{"iss":"https://api.example.com/prod","sub":"u","aud":"userbase","iat":`+itoa(t0.Unix())+`}`), t0, jwt.ErrMissingClaim},
		{"no sub", signRaw(t, `{"alg":"RS256","kid":"k1"}`, strings.Replace(`{`+base+`}`, `"sub":"u"`, `"sub":""`, 1)), t0, jwt.ErrMissingClaim},
		{"payload not JSON", signRaw(t, `{"alg":"RS256","kid":"k1"}`, `not json`), t0, jwt.ErrMalformed},
		{"exp a string", signRaw(t, `{"alg":"RS256","kid":"k1"}`, `{"iss":"x","sub":"u","aud":"userbase","exp":"soon","iat":1}`), t0, jwt.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := verifier(tc.now).Verify(tc.token, keys(t))
			if !errors.Is(err, tc.want) || !errors.Is(err, jwt.ErrInvalid) {
				t.Errorf("got %v, %v; want %v (and ErrInvalid)", got, err, tc.want)
			}
		})
	}
}

func TestVerifyAccepts(t *testing.T) {
	c := claims()
	base := `"iss":"https://api.example.com/prod","sub":"u","aud":["other","userbase"],"exp":` + itoa(t0.Unix()+900) + `,"iat":` + itoa(t0.Unix())
	cases := []struct {
		name  string
		token string
		now   time.Time
	}{
		{"just before expiry, within the leeway", sign(t, c), c.ExpiresAt.Add(jwt.DefaultLeeway - time.Second)},
		{"issued a little in the future (clock skew)", sign(t, c), t0.Add(-jwt.DefaultLeeway + time.Second)},
		{"audience list with ours", signRaw(t, `{"alg":"RS256","kid":"k1"}`, `{`+base+`}`), t0},
		{"no typ", signRaw(t, `{"alg":"RS256","kid":"k1"}`, `{`+base+`}`), t0},
		{"unknown private claim", signRaw(t, `{"kid":"k1","alg":"RS256","typ":"JWT"}`, `{`+base+`,"x":1}`), t0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := verifier(tc.now).Verify(tc.token, keys(t)); err != nil {
				t.Errorf("got %v, want the token accepted", err)
			}
		})
	}
}

// A key lookup failure that is not a refusal (the key ring could not be read) comes back
// as it is, so the caller answers 500 and not 401.
func TestVerifyPassesKeyErrors(t *testing.T) {
	boom := errors.New("table unavailable")
	_, err := verifier(t0).Verify(sign(t, claims()), func(string) (*rsa.PublicKey, error) { return nil, boom })
	if !errors.Is(err, boom) || errors.Is(err, jwt.ErrInvalid) {
		t.Errorf("got %v, want the lookup's own error", err)
	}
}

func TestJWK(t *testing.T) {
	pub := &key(t).PublicKey
	j := jwt.PublicJWK("k1", pub)
	if j.Kty != "RSA" || j.Use != "sig" || j.Alg != "RS256" || j.E != "AQAB" || j.Kid != "k1" {
		t.Errorf("got %+v, want kty RSA, use sig, alg RS256, e AQAB, kid k1", j)
	}
	back, err := j.PublicKey()
	if err != nil || !back.Equal(pub) {
		t.Errorf("round trip: got %v, %v; want the same key", back, err)
	}
	for name, bad := range map[string]jwt.JWK{
		"EC":        {Kty: "EC", N: j.N, E: j.E},
		"HS256":     {Kty: "RSA", Alg: "HS256", N: j.N, E: j.E},
		"enc":       {Kty: "RSA", Use: "enc", N: j.N, E: j.E},
		"short":     {Kty: "RSA", N: j.N[:100], E: j.E},
		"even e":    {Kty: "RSA", N: j.N, E: "AQAA"},
		"bad n":     {Kty: "RSA", N: "!!", E: j.E},
		"long e":    {Kty: "RSA", N: j.N, E: "AQABAQAB"},
		"leading 0": {Kty: "RSA", N: "AA" + j.N, E: j.E},
	} {
		if _, err := bad.PublicKey(); !errors.Is(err, jwt.ErrBadKey) {
			t.Errorf("%s: got %v, want ErrBadKey", name, err)
		}
	}
}

// RFC 7638, section 3.1: the thumbprint of the example key.
func TestThumbprintRFC7638(t *testing.T) {
	j := jwt.JWK{Kty: "RSA", E: "AQAB", N: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}
	pub, err := j.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jwt.Thumbprint(pub), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func BenchmarkVerify(b *testing.B) {
	tok := sign(b, claims())
	v, k := verifier(t0), keys(b)
	for b.Loop() {
		if _, err := v.Verify(tok, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	c, k := claims(), key(b)
	for b.Loop() {
		if _, err := jwt.Sign(c, "k1", k); err != nil {
			b.Fatal(err)
		}
	}
}
