package e2e

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	gojwt "github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/store"
)

// The access tokens as the client's services see them: two independent libraries verify
// them from the issuer's discovery document and key set alone, for every way of signing in,
// and stop accepting one only once its key has left the key set.

// audience is the TokenAudience parameter's default, which the local stack runs with.
const audience = config.DefaultTokenAudience

// signIn is what a sign-in answer holds, checked against the contract.
type signIn struct {
	token, access, userID string
}

func signInAnswer(t *testing.T, r *resp, status int) signIn {
	t.Helper()
	want(t, r, status, "")
	m := r.JSON(t)
	access, _ := m["access_token"].(string)
	if access == "" || m["token_type"] != "Bearer" || !aboutFifteenMinutes(m["expires_in"]) {
		t.Fatalf("sign-in answer %s: want access_token, token_type Bearer, expires_in about 900", r.Body)
	}
	return signIn{token: strOf(m["token"]), access: access, userID: strOf(m["user"].(map[string]any)["id"])}
}

// refreshed is a POST /v1/auth/token answer's access token.
func refreshed(t *testing.T, r *resp) string {
	t.Helper()
	want(t, r, http.StatusOK, "")
	m := r.JSON(t)
	if m["token_type"] != "Bearer" || !aboutFifteenMinutes(m["expires_in"]) || strOf(m["access_token"]) == "" {
		t.Fatalf("token answer %s: want access_token, token_type Bearer, expires_in about 900", r.Body)
	}
	return strOf(m["access_token"])
}

// aboutFifteenMinutes reports whether expires_in is the default lifetime, less the
// seconds the answer took (it counts from the answer, and the token is minted first).
func aboutFifteenMinutes(v any) bool {
	n, ok := v.(float64)
	return ok && n > 840 && n <= 900
}

// enrollTOTP turns MFA on for the session tok and returns the secret.
func enrollTOTP(t *testing.T, tok string) string {
	t.Helper()
	reauth(t, tok, password, "")
	r := do(t, req{method: "POST", path: "/v1/me/mfa/totp", token: tok})
	want(t, r, http.StatusOK, "")
	secret := strOf(r.JSON(t)["secret"])
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want(t, do(t, req{method: "POST", path: "/v1/me/mfa/totp/confirm", token: tok, body: map[string]string{"code": code}}), http.StatusOK, "")
	return secret
}

// libContext makes the libraries use the suite's HTTP client: straight to the stack, with
// no document check (discovery and the key set are checked by TestDiscoveryAndJWKS).
func libContext() context.Context {
	return oidc.ClientContext(context.Background(), httpClient)
}

// provider discovers the local stack's issuer afresh (a new key set cache each time).
func provider(t *testing.T) *oidc.Provider {
	t.Helper()
	p, err := oidc.NewProvider(libContext(), stack.APIURL)
	if err != nil {
		t.Fatalf("oidc.NewProvider(%s): %v", stack.APIURL, err)
	}
	return p
}

// tokenClaims are the claims an access token carries, as a library decodes them.
type tokenClaims struct {
	Issuer        string   `json:"iss"`
	Subject       string   `json:"sub"`
	Audience      string   `json:"aud"`
	SessionID     string   `json:"sid"`
	Role          string   `json:"role"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	AMR           []string `json:"amr"`
	AuthTime      int64    `json:"auth_time"`
	ID            string   `json:"jti"`
	IssuedAt      int64    `json:"iat"`
	Expiry        int64    `json:"exp"`
}

// oidcVerify checks tok with go-oidc's verifier of p, as a client's service would.
func oidcVerify(p *oidc.Provider, tok string) (*tokenClaims, error) {
	idt, err := p.Verifier(&oidc.Config{ClientID: audience}).Verify(libContext(), tok)
	if err != nil {
		return nil, err
	}
	var c tokenClaims
	if err := idt.Claims(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// jwksKeys fetches the key set named by the discovery document and reads its RSA keys by
// hand: what a service with a plain JWT library and no OIDC support does.
func jwksKeys(t *testing.T) map[string]*rsa.PublicKey {
	t.Helper()
	var d struct {
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, stack.APIURL+"/.well-known/openid-configuration", &d)
	var set struct {
		Keys []struct{ Kty, Kid, Use, Alg, N, E string }
	}
	getJSON(t, d.JWKSURI, &set)
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Use != "sig" || k.Alg != "RS256" || k.Kid == "" {
			t.Fatalf("JWKS key %+v: want kty RSA, use sig, alg RS256 and a kid", k)
		}
		n, errN := base64.RawURLEncoding.DecodeString(k.N)
		e, errE := base64.RawURLEncoding.DecodeString(k.E)
		if errN != nil || errE != nil {
			t.Fatalf("JWKS key %s: n or e is not base64url", k.Kid)
		}
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return out
}

func getJSON(t *testing.T, u string, into any) {
	t.Helper()
	res, err := httpClient.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// jwtVerify checks tok with golang-jwt against keys, RS256 only, for the stack's issuer and
// the audience.
func jwtVerify(keys map[string]*rsa.PublicKey, tok string) (*gojwt.Token, error) {
	return gojwt.Parse(tok, func(tk *gojwt.Token) (any, error) {
		kid, _ := tk.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("no key %q in the JWKS", kid)
	}, gojwt.WithValidMethods([]string{"RS256"}), gojwt.WithIssuer(stack.APIURL), gojwt.WithAudience(audience),
		gojwt.WithExpirationRequired(), gojwt.WithIssuedAt())
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct{ Kid string }
	if err := json.Unmarshal(b, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.Kid
}

func TestAccessTokensVerifyWithOIDCAndJWTLibraries(t *testing.T) {
	p := provider(t)
	pub := jwksKeys(t)
	// check verifies the access token of a sign-in path at once: a later step (turning MFA
	// on) ends the sessions before it.
	check := func(name string, amr []string, userID, access string) {
		t.Run(name, func(t *testing.T) {
			c, err := oidcVerify(p, access)
			if err != nil {
				t.Fatalf("go-oidc: %v", err)
			}
			if c.Issuer != stack.APIURL || c.Subject != userID || c.Audience != audience || c.SessionID == "" || c.ID == "" ||
				!slices.Equal(c.AMR, amr) || c.AuthTime == 0 || c.Expiry-c.IssuedAt != 900 {
				t.Errorf("go-oidc claims %+v: want iss %s, sub %s, aud %s, a sid and jti, amr %v, auth_time, 15 minutes", c, stack.APIURL, userID, audience, amr)
			}
			tk, err := jwtVerify(pub, access)
			if err != nil || !tk.Valid {
				t.Fatalf("golang-jwt: %v", err)
			}
			if sub, _ := tk.Claims.GetSubject(); sub != userID {
				t.Errorf("golang-jwt sub %q, want %q", sub, userID)
			}
			// This API takes it too, for as long as its session lives.
			r := do(t, req{method: "GET", path: "/v1/auth/session", token: access})
			want(t, r, http.StatusOK, "")
			if s := r.JSON(t); s["user_id"] != userID || s["session_id"] != c.SessionID {
				t.Errorf("GET /v1/auth/session with the access token: %s, want user %s session %s", r.Body, userID, c.SessionID)
			}
		})
	}

	email := newEmail("oidc")
	reg := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": email, "password": password}}), http.StatusCreated)
	check("register", []string{"pwd"}, reg.userID, reg.access)
	in := signInAnswer(t, login(t, email, password), http.StatusOK)
	check("login", []string{"pwd"}, in.userID, in.access)

	check("token (JSON)", []string{"pwd"}, in.userID,
		refreshed(t, do(t, req{method: "POST", path: "/v1/auth/token", body: map[string]string{"token": in.token}})))
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {in.token}}.Encode()
	check("token (OAuth refresh grant)", []string{"pwd"}, in.userID,
		refreshed(t, do(t, req{method: "POST", path: "/v1/auth/token", body: form, headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})))
	// An OAuth 2.0 client library refreshes with the session token as its refresh token.
	oc := oauth2.Config{ClientID: "e2e", Endpoint: oauth2.Endpoint{TokenURL: p.Endpoint().TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ot, err := oc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, httpClient), &oauth2.Token{RefreshToken: in.token}).Token()
	if err != nil || ot.TokenType != "Bearer" || ot.AccessToken == "" || time.Until(ot.Expiry) < 10*time.Minute {
		t.Fatalf("golang.org/x/oauth2 refresh: %+v, %v", ot, err)
	}
	check("token (golang.org/x/oauth2)", []string{"pwd"}, in.userID, ot.AccessToken)

	secret := enrollTOTP(t, in.token)
	r := login(t, email, password)
	want(t, r, http.StatusUnauthorized, "mfa_required")
	next, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	mfa := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/mfa", body: map[string]string{"mfa_token": strOf(r.JSON(t)["mfa_token"]), "code": next}}), http.StatusOK)
	check("MFA completion", []string{"pwd", "otp"}, mfa.userID, mfa.access)

	adminEmail := newEmail("oidc-admin")
	svc := app.Service(config.Defaults(stack.TableName), store.New(stack.DynamoDB(), stack.TableName), time.Now)
	if _, err := svc.EnsureAdmin(context.Background(), adminEmail, password); err != nil {
		t.Fatal(err)
	}
	adm := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/admin/login", body: map[string]string{"login": adminEmail, "password": password}}), http.StatusOK)
	check("admin login", []string{"pwd"}, adm.userID, adm.access)

	t.Run("both refuse a tampered token", func(t *testing.T) {
		h, rest, _ := strings.Cut(reg.access, ".")
		payload, sig, _ := strings.Cut(rest, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(payload)
		forged := h + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"role":"member"`, `"role":"admin"`, 1))) + "." + sig
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + "."
		for name, tok := range map[string]string{"payload changed": forged, "alg none": none} {
			if _, err := oidcVerify(p, tok); err == nil {
				t.Errorf("%s: go-oidc accepted it", name)
			}
			if _, err := jwtVerify(pub, tok); err == nil {
				t.Errorf("%s: golang-jwt accepted it", name)
			}
		}
	})
}

// runUsersctl runs the admin CLI against the local stack's table and KMS, as an operator
// would with --local, and returns what it printed.
func runUsersctl(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "usersctl")
	build := exec.Command("go", "build", "-o", bin, "./cmd/usersctl")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build usersctl: %v\n%s", err, out)
	}
	port := func(endpoint string) string {
		u, err := url.Parse(endpoint)
		if err != nil {
			t.Fatal(err)
		}
		return u.Port()
	}
	cmd := exec.Command(bin, append([]string{"--local", "--table", stack.TableName}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KMS_KEY_ID=") && !strings.HasPrefix(kv, "TABLE_NAME=") && !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "DYNAMODB_PORT="+port(stack.DynamoEndpoint), "KMS_PORT="+port(stack.KMSEndpoint))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("usersctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// After a rotation a token of the retired key still verifies, with fresh discovery too: the
// key stays published. Once the key is gone from the ring, a fresh provider or key set
// refuses the token, and so do the authorizer and this API, while tokens of the new key
// verify. The key is made gone by the store, not by waiting out its publication.
func TestKeyRotationWithLibraries(t *testing.T) {
	email := newEmail("rotate")
	before := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": email, "password": password}}), http.StatusCreated)
	oldKid := kidOf(t, before.access)
	if _, err := oidcVerify(provider(t), before.access); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}

	out := runUsersctl(t, "keys", "rotate", "--delay", "0s", "--force")
	var newKid string
	if f := strings.Fields(out); len(f) > 2 && f[0] == "published" && f[1] == "key" {
		newKid = strings.TrimSuffix(f[2], ";")
	}
	if newKid == "" || newKid == oldKid {
		t.Fatalf("usersctl keys rotate printed %q: want the new key's kid", out)
	}
	// Every function reads the ring again, as new processes would within its refresh.
	if err := stack.Recycle(); err != nil {
		t.Fatal(err)
	}
	after := signInAnswer(t, login(t, email, password), http.StatusOK)
	if got := kidOf(t, after.access); got != newKid {
		t.Fatalf("a sign-in after the rotation is signed by %s, want the new key %s", got, newKid)
	}
	fresh, pub := provider(t), jwksKeys(t)
	if _, ok := pub[oldKid]; !ok || pub[newKid] == nil {
		t.Fatalf("JWKS after the rotation %v: want the retired key %s and the new one %s", pub, oldKid, newKid)
	}
	for name, tok := range map[string]string{"retired key": before.access, "new key": after.access} {
		if _, err := oidcVerify(fresh, tok); err != nil {
			t.Errorf("%s, fresh go-oidc provider: %v", name, err)
		}
		if _, err := jwtVerify(pub, tok); err != nil {
			t.Errorf("%s, golang-jwt: %v", name, err)
		}
	}

	// The retired key's publication ends now, written to the ring as the rotation wrote it.
	ks := store.New(stack.DynamoDB(), stack.TableName)
	ctx := context.Background()
	st, err := ks.LoadKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var retired *keys.SigningKey
	for i := range st.SigningKeys {
		if st.SigningKeys[i].KID == oldKid {
			retired = &st.SigningKeys[i]
		}
	}
	if retired == nil || retired.SignsUntil.IsZero() || retired.PublishedUntil.IsZero() {
		t.Fatalf("the ring after the rotation has %+v for %s, want it retired", retired, oldKid)
	}
	retired.PublishedUntil = time.Now().Add(-time.Second)
	if err := ks.SaveKeys(ctx, keys.Change{Prev: st.Version, TokenTTL: st.TokenTTL, SigningKeys: []keys.SigningKey{*retired}}); err != nil {
		t.Fatal(err)
	}
	if err := stack.Recycle(); err != nil {
		t.Fatal(err)
	}

	fresh, pub = provider(t), jwksKeys(t)
	if _, ok := pub[oldKid]; ok {
		t.Fatalf("the JWKS still has %s after its publication ended", oldKid)
	}
	if _, err := oidcVerify(fresh, before.access); err == nil {
		t.Error("a fresh go-oidc provider accepts a token whose key is gone")
	}
	if _, err := jwtVerify(pub, before.access); err == nil {
		t.Error("golang-jwt with the current JWKS accepts a token whose key is gone")
	}
	if _, err := oidcVerify(fresh, after.access); err != nil {
		t.Errorf("the new key's token, fresh go-oidc provider: %v", err)
	}
	if _, err := jwtVerify(pub, after.access); err != nil {
		t.Errorf("the new key's token, golang-jwt: %v", err)
	}
	want(t, do(t, req{method: "GET", path: "/v1/auth/session", token: before.access}), http.StatusUnauthorized, "unauthenticated")
	want(t, do(t, req{method: "GET", path: "/v1/auth/session", token: after.access}), http.StatusOK, "")
	for _, sh := range authorizerShapes {
		if got := invokeAuthorizer(t, sh, "Bearer "+before.access); got.allowed {
			t.Errorf("%s: the authorizer allows a token whose key is gone", sh.name)
		}
		if got := invokeAuthorizer(t, sh, "Bearer "+after.access); !got.allowed {
			t.Errorf("%s: the authorizer refuses the new key's token: %+v", sh.name, got)
		}
	}
}
