package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/userbase/userbase/pkg/jwt"
)

// How long clients and caches may keep the two documents. The JWKS is kept short: a
// rotation publishes the next key two hours before it signs, and a verifier must have
// fetched it by then (this cache plus a function's own ten-minute refresh is well
// within). The discovery document changes only with a deployment.
const (
	DiscoveryCacheControl = "public, max-age=3600"
	JWKSCacheControl      = "public, max-age=600"
)

// The well-known paths, under the issuer.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks.json"
	tokenPath     = "/v1/auth/token"
)

// Issuer is the access tokens' issuer for a request: the configured one, else the API's
// own base URL as the request reached it, https://{domain}/{stage} (a custom domain with
// its own base path needs ISSUER set).
func Issuer(configured string, r *Request) string {
	if configured != "" {
		return configured
	}
	rc := r.Event.RequestContext
	return "https://" + rc.DomainName + "/" + rc.Stage
}

// discovery is the OpenID Provider metadata a JWT library reads. The service has no
// authorization endpoint: clients sign in through the JSON API and get tokens in the
// answer, and refresh them at the token endpoint with the session token.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	JWKSURI                           string   `json:"jwks_uri"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
}

// Discovery serves GET /.well-known/openid-configuration, for the issuer the request
// reached (Route puts it in the context).
func Discovery() Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		iss := jwt.IssuerOf(ctx)
		return cacheable(r, DiscoveryCacheControl, discovery{
			Issuer: iss, JWKSURI: iss + JWKSPath, TokenEndpoint: iss + tokenPath,
			ResponseTypesSupported:            []string{"token"},
			SubjectTypesSupported:             []string{"public"},
			IDTokenSigningAlgValuesSupported:  []string{jwt.Alg},
			TokenEndpointAuthMethodsSupported: []string{"none"},
			GrantTypesSupported:               []string{"refresh_token"},
			ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "jti", "sid", "role", "email",
				"email_verified", "amr", "auth_time"},
		})
	}
}

// KeySet is where the published keys come from (keys.Ring).
type KeySet interface {
	JWKS(ctx context.Context) (jwt.JWKS, error)
}

// JWKS serves GET /.well-known/jwks.json: the keys that verify access tokens.
func JWKS(ks KeySet) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		set, err := ks.JWKS(ctx)
		if err != nil {
			return nil, err
		}
		return cacheable(r, JWKSCacheControl, set)
	}
}

// cacheable answers body with a strong ETag, or 304 when If-None-Match has it.
func cacheable(r *Request, cacheControl string, body any) (*Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h := map[string]string{"ETag": etag, "Cache-Control": cacheControl}
	for _, t := range strings.Split(r.Header("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return &Response{Status: http.StatusNotModified, Headers: h}, nil
		}
	}
	return &Response{Status: http.StatusOK, Headers: h, Body: json.RawMessage(b)}, nil
}
