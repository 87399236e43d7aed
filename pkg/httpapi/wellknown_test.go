package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
)

func wellKnown(t *testing.T, h httpapi.Lambda, headers map[string]string) events.APIGatewayProxyResponse {
	t.Helper()
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: "GET", Headers: headers,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1", DomainName: "abc.execute-api.eu-west-1.amazonaws.com", Stage: "prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestDiscovery(t *testing.T) {
	cases := []struct {
		name, configured, want string
	}{
		{"derived from the request", "", "https://abc.execute-api.eu-west-1.amazonaws.com/prod"},
		{"configured", "https://id.example.com", "https://id.example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ISSUER", tc.configured)
			resp := wellKnown(t, httpapi.Route("well-known-openid-configuration", httpapi.Discovery()), nil)
			var d map[string]any
			if err := json.Unmarshal([]byte(resp.Body), &d); err != nil || resp.StatusCode != 200 {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
			for k, v := range map[string]string{"issuer": tc.want, "jwks_uri": tc.want + "/.well-known/jwks.json", "token_endpoint": tc.want + "/v1/auth/token"} {
				if d[k] != v {
					t.Errorf("%s: got %v, want %s", k, d[k], v)
				}
			}
			if algs, _ := d["id_token_signing_alg_values_supported"].([]any); len(algs) != 1 || algs[0] != "RS256" {
				t.Errorf("algorithms %v, want [RS256]", algs)
			}
			for _, k := range []string{"response_types_supported", "subject_types_supported"} {
				if l, _ := d[k].([]any); len(l) == 0 {
					t.Errorf("%s missing: an OIDC client requires it", k)
				}
			}
			if resp.Headers["Cache-Control"] != httpapi.DiscoveryCacheControl || resp.Headers["ETag"] == "" {
				t.Errorf("headers %v, want Cache-Control %q and an ETag", resp.Headers, httpapi.DiscoveryCacheControl)
			}
		})
	}
}

func TestJWKS(t *testing.T) {
	ring, err := keys.NewInMemory(keys.Options{}, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := httpapi.Route("well-known-jwks", httpapi.JWKS(ring))
	resp := wellKnown(t, h, nil)
	var set jwt.JWKS
	if err := json.Unmarshal([]byte(resp.Body), &set); err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
	}
	if len(set.Keys) != 1 || set.Keys[0].Kty != "RSA" || set.Keys[0].Alg != "RS256" || set.Keys[0].Use != "sig" || set.Keys[0].Kid == "" {
		t.Errorf("got %+v, want one RS256 signing key with a kid", set.Keys)
	}
	if resp.Headers["Cache-Control"] != httpapi.JWKSCacheControl || resp.Headers["Content-Type"] != "application/json" {
		t.Errorf("headers %v, want Cache-Control %q and JSON", resp.Headers, httpapi.JWKSCacheControl)
	}
	again := wellKnown(t, h, map[string]string{"If-None-Match": resp.Headers["ETag"]})
	if again.StatusCode != 304 || again.Body != "" {
		t.Errorf("revalidation: got %d %q, want 304 and no body", again.StatusCode, again.Body)
	}
	failing := wellKnown(t, httpapi.Route("well-known-jwks", httpapi.JWKS(brokenKeys{})), nil)
	if failing.StatusCode != 500 {
		t.Errorf("ring unreadable: got %d, want 500", failing.StatusCode)
	}
}

type brokenKeys struct{}

func (brokenKeys) JWKS(context.Context) (jwt.JWKS, error) {
	return jwt.JWKS{}, errors.New("table unavailable")
}
