package e2e

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/store"
)

// fetchJSON GETs a URL of the stack (an absolute one, as discovery gives) through the
// documented-operation check.
func fetchJSON(t *testing.T, url string, into any) *resp {
	t.Helper()
	path, ok := strings.CutPrefix(url, stack.APIURL)
	if !ok {
		t.Fatalf("%s is not under the API %s", url, stack.APIURL)
	}
	r := do(t, req{method: "GET", path: path})
	want(t, r, 200, "")
	if err := json.Unmarshal(r.Body, into); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return r
}

// A verifier that knows only the issuer finds everything from there: the discovery
// document, the key set, and with it checks a token the stack's key ring signed.
func TestDiscoveryAndJWKS(t *testing.T) {
	var d struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Token   string   `json:"token_endpoint"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	r := fetchJSON(t, stack.APIURL+"/.well-known/openid-configuration", &d)
	if d.Issuer != stack.APIURL || d.JWKSURI != stack.APIURL+"/.well-known/jwks.json" || d.Token != stack.APIURL+"/v1/auth/token" {
		t.Errorf("discovery %+v: want issuer %s (the local API) and the paths under it", d, stack.APIURL)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("discovery Cache-Control %q, want public and a max-age", cc)
	}
	again := do(t, req{method: "GET", path: "/.well-known/openid-configuration", headers: map[string]string{"If-None-Match": r.Header.Get("ETag")}})
	want(t, again, http.StatusNotModified, "")

	var set jwt.JWKS
	r = fetchJSON(t, d.JWKSURI, &set)
	if len(set.Keys) == 0 {
		t.Fatal("JWKS has no key: the KeyRing custom resource did not run")
	}
	again = do(t, req{method: "GET", path: "/.well-known/jwks.json", headers: map[string]string{"If-None-Match": r.Header.Get("ETag")}})
	want(t, again, http.StatusNotModified, "")
	pub := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		p, err := k.PublicKey()
		if err != nil {
			t.Fatalf("key %s: %v", k.Kid, err)
		}
		pub[k.Kid] = p
	}

	// The stack's own ring, over its table and its KMS key, as a function builds it.
	ctx := context.Background()
	ring := keys.New(keys.Options{Store: store.New(stack.DynamoDB(), stack.TableName),
		KMS: kmsclient.NewDataKeys(stack.KMS(), stack.KMSKeys["SecretsKey"])})
	tok, _, err := keys.NewTokens(ring, "userbase", 15*time.Minute).Mint(ctx, jwt.Claims{Issuer: d.Issuer, Subject: "user-1", AMR: []string{"pwd"}})
	if err != nil {
		t.Fatal(err)
	}
	v := jwt.Verifier{Issuer: d.Issuer, Audience: "userbase"}
	c, err := v.Verify(tok, func(kid string) (*rsa.PublicKey, error) {
		if p, ok := pub[kid]; ok {
			return p, nil
		}
		return nil, jwt.ErrUnknownKey
	})
	if err != nil || c.Subject != "user-1" {
		t.Errorf("a token of the stack's ring, checked with the published keys only: %v, %v", c, err)
	}
}
