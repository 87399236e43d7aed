package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/store"
)

// The bundled Lambda authorizer, its real binary invoked through the local Runtime API with
// the events API Gateway sends a REST API's REQUEST authorizer and an HTTP API's payload
// 2.0 authorizer, as a client's API on another domain would.

const authorizerID = "AuthorizerFunction"

// authorizerShape builds one kind of authorizer event around an Authorization header.
type authorizerShape struct {
	name   string
	policy bool // a REST API: an IAM policy or "Unauthorized"; else a simple response
	event  func(header string) map[string]any
}

const (
	clientMethodArn = "arn:aws:execute-api:eu-west-1:123456789012:shop123/prod/GET/orders/42"
	clientStageArn  = "arn:aws:execute-api:eu-west-1:123456789012:shop123/prod/*"
	clientRouteArn  = "arn:aws:execute-api:eu-west-1:123456789012:shop456/$default/GET/orders"
)

var authorizerShapes = []authorizerShape{
	{"REST REQUEST", true, func(h string) map[string]any {
		hs := map[string]any{"Host": "shop.example.com", "Accept": "application/json"}
		mv := map[string]any{"Host": []string{"shop.example.com"}, "Accept": []string{"application/json"}}
		if h != "" {
			hs["Authorization"], mv["Authorization"] = h, []string{h}
		}
		return map[string]any{
			"type": "REQUEST", "methodArn": clientMethodArn, "resource": "/orders/{id}", "path": "/orders/42",
			"httpMethod": "GET", "headers": hs, "multiValueHeaders": mv, "queryStringParameters": map[string]any{},
			"pathParameters": map[string]any{"id": "42"}, "stageVariables": map[string]any{},
			"requestContext": map[string]any{"path": "/prod/orders/42", "accountId": "123456789012", "resourceId": "abc1",
				"stage": "prod", "requestId": "c1f0e8f4-0000-4000-8000-000000000001", "resourcePath": "/orders/{id}",
				"httpMethod": "GET", "apiId": "shop123", "identity": map[string]any{"sourceIp": "203.0.113.9"}},
		}
	}},
	{"HTTP API 2.0", false, func(h string) map[string]any {
		hs := map[string]any{"host": "api.shop.example.com", "accept": "application/json"}
		var ids []string
		if h != "" {
			hs["authorization"], ids = h, []string{h}
		}
		return map[string]any{
			"version": "2.0", "type": "REQUEST", "routeArn": clientRouteArn, "identitySource": ids,
			"routeKey": "GET /orders", "rawPath": "/orders", "rawQueryString": "", "headers": hs,
			"requestContext": map[string]any{"accountId": "123456789012", "apiId": "shop456", "domainName": "api.shop.example.com",
				"http":      map[string]any{"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
				"requestId": "Bx1-0000000001", "routeKey": "GET /orders", "stage": "$default", "timeEpoch": time.Now().UnixMilli()},
		}
	}},
}

// authorizerAnswer is what API Gateway makes of the authorizer's answer.
type authorizerAnswer struct {
	allowed      bool
	unauthorized bool // a REST API's 401 ("Unauthorized")
	resource     string
	context      map[string]any
	raw          string
}

func invokeAuthorizer(t *testing.T, sh authorizerShape, header string) authorizerAnswer {
	t.Helper()
	ev, err := json.Marshal(sh.event(header))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := stack.Invoke(ctx, authorizerID, ev)
	var fe *localstack.FunctionError
	if sh.policy && errors.As(err, &fe) && fe.Message == "Unauthorized" {
		return authorizerAnswer{unauthorized: true, raw: fe.Error()}
	}
	if err != nil {
		t.Fatalf("%s: invoke the authorizer: %v", sh.name, err)
	}
	a := authorizerAnswer{raw: string(out)}
	if sh.policy {
		var p struct {
			PrincipalID    string `json:"principalId"`
			PolicyDocument struct {
				Version   string
				Statement []struct {
					Action   []string
					Effect   string
					Resource []string
				}
			} `json:"policyDocument"`
			Context map[string]any `json:"context"`
		}
		if err := json.Unmarshal(out, &p); err != nil {
			t.Fatalf("%s: answer %s: %v", sh.name, out, err)
		}
		st := p.PolicyDocument.Statement
		a.allowed = len(st) == 1 && st[0].Effect == "Allow" && len(st[0].Action) == 1 && st[0].Action[0] == "execute-api:Invoke" &&
			len(st[0].Resource) == 1 && p.PrincipalID != "" && p.PrincipalID == p.Context["user_id"]
		if len(st) == 1 && len(st[0].Resource) == 1 {
			a.resource = st[0].Resource[0]
		}
		a.context = p.Context
		return a
	}
	var r struct {
		IsAuthorized *bool          `json:"isAuthorized"`
		Context      map[string]any `json:"context"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.IsAuthorized == nil {
		t.Fatalf("%s: answer %s: want {\"isAuthorized\": …} (%v)", sh.name, out, err)
	}
	a.allowed, a.context = *r.IsAuthorized, r.Context
	return a
}

// wantAllowed checks an allow and its context against the session GET /v1/auth/session
// reports for the same token.
func wantAllowed(t *testing.T, what, access string) {
	t.Helper()
	r := do(t, req{method: "GET", path: "/v1/auth/session", token: access})
	want(t, r, http.StatusOK, "")
	s := r.JSON(t)
	for _, sh := range authorizerShapes {
		got := invokeAuthorizer(t, sh, "Bearer "+access)
		if !got.allowed {
			t.Errorf("%s, %s: got %s, want an allow", what, sh.name, got.raw)
			continue
		}
		if sh.policy && got.resource != clientStageArn {
			t.Errorf("%s, %s: policy on %q, want the whole stage %q", what, sh.name, got.resource, clientStageArn)
		}
		wantCtx := map[string]any{"user_id": s["user_id"], "role": s["role"], "session_id": s["session_id"], "email_verified": "false"}
		for k, v := range wantCtx {
			if got.context[k] != v {
				t.Errorf("%s, %s: context %v, want %s = %v", what, sh.name, got.context, k, v)
			}
		}
	}
}

// wantRefused checks that every shape refuses the header: 401 for a REST API, isAuthorized
// false (API Gateway's 403) for an HTTP API.
func wantRefused(t *testing.T, what, header string) {
	t.Helper()
	for _, sh := range authorizerShapes {
		got := invokeAuthorizer(t, sh, header)
		if got.allowed || (sh.policy && !got.unauthorized) {
			t.Errorf("%s, %s: got %s, want a refusal (REST: Unauthorized; HTTP API: isAuthorized false)", what, sh.name, got.raw)
		}
	}
}

// stackSigner is the stack's current signing key, read as a function reads it: for
// forging tokens that differ from real ones in one claim only.
func stackSigner(t *testing.T) (string, *rsa.PrivateKey) {
	t.Helper()
	ring := keys.New(keys.Options{Store: store.New(stack.DynamoDB(), stack.TableName),
		KMS: kmsclient.NewDataKeys(stack.KMS(), stack.KMSKeys["SecretsKey"])})
	kid, key, err := ring.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return kid, key
}

// liveClaims are the claims of a live session's access token, read back from it.
func liveClaims(t *testing.T, access string) jwt.Claims {
	t.Helper()
	r := do(t, req{method: "GET", path: "/v1/auth/session", token: access})
	want(t, r, http.StatusOK, "")
	s := r.JSON(t)
	now := time.Now().Truncate(time.Second)
	return jwt.Claims{Issuer: stack.APIURL, Subject: strOf(s["user_id"]), Audience: audience, SessionID: strOf(s["session_id"]),
		Role: strOf(s["role"]), IssuedAt: now, ExpiresAt: now.Add(15 * time.Minute), ID: "e2e-forged", AMR: []string{"pwd"}}
}

func TestAuthorizerFunction(t *testing.T) {
	t.Run("live session", func(t *testing.T) {
		a := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": newEmail("authz"), "password": password}}), http.StatusCreated)
		wantAllowed(t, "register's access token", a.access)
		wantAllowed(t, "a refreshed access token", refreshed(t, do(t, req{method: "POST", path: "/v1/auth/token", body: map[string]string{"token": a.token}})))
	})

	t.Run("after logout", func(t *testing.T) {
		a := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": newEmail("authz-out"), "password": password}}), http.StatusCreated)
		wantAllowed(t, "before logout", a.access)
		want(t, do(t, req{method: "POST", path: "/v1/auth/logout", token: a.token}), http.StatusNoContent, "")
		wantRefused(t, "after logout", "Bearer "+a.access)
	})

	t.Run("after logout of every session", func(t *testing.T) {
		email := newEmail("authz-all")
		a := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": email, "password": password}}), http.StatusCreated)
		b := signInAnswer(t, login(t, email, password), http.StatusOK)
		wantAllowed(t, "the other session before", b.access)
		// Logged out with an access token: the API takes it as it takes the session token.
		want(t, do(t, req{method: "POST", path: "/v1/auth/logout?all=true", token: a.access}), http.StatusNoContent, "")
		wantRefused(t, "the other session after logout all", "Bearer "+b.access)
		wantRefused(t, "the caller's session after logout all", "Bearer "+a.access)
	})

	t.Run("after a password change", func(t *testing.T) {
		email := newEmail("authz-pw")
		a := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": email, "password": password}}), http.StatusCreated)
		b := signInAnswer(t, login(t, email, password), http.StatusOK)
		want(t, do(t, req{method: "PUT", path: "/v1/me/password", token: a.token, body: map[string]string{"current_password": password,
			"new_password": "another-good-pass", "confirm_password": "another-good-pass"}}), http.StatusNoContent, "")
		wantRefused(t, "another session after a password change", "Bearer "+b.access)
		wantAllowed(t, "the changing session", a.access)
	})

	t.Run("refused tokens", func(t *testing.T) {
		a := signInAnswer(t, do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{"email": newEmail("authz-bad"), "password": password}}), http.StatusCreated)
		kid, key := stackSigner(t)
		sign := func(c jwt.Claims, kid string, key *rsa.PrivateKey) string {
			tok, err := jwt.Sign(c, kid, key)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		live := liveClaims(t, a.access)
		// The forgery works when nothing but the one claim is wrong.
		wantAllowed(t, "a token signed with the stack's key", sign(live, kid, key))

		expired := live
		expired.IssuedAt, expired.ExpiresAt = live.IssuedAt.Add(-time.Hour), live.IssuedAt.Add(-45*time.Minute)
		otherAudience := live
		otherAudience.Audience = "billing"
		otherIssuer := live
		otherIssuer.Issuer = "https://id.example.net"
		stranger, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(live)
		b64 := base64.RawURLEncoding
		none := b64.EncodeToString([]byte(`{"alg":"none","kid":"`+kid+`","typ":"JWT"}`)) + "." + b64.EncodeToString(payload) + "."
		pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
		hsHeader := b64.EncodeToString([]byte(`{"alg":"HS256","kid":"` + kid + `","typ":"JWT"}`))
		mac := hmac.New(sha256.New, pubDER)
		mac.Write([]byte(hsHeader + "." + b64.EncodeToString(payload)))
		hs256 := hsHeader + "." + b64.EncodeToString(payload) + "." + b64.EncodeToString(mac.Sum(nil))

		for what, header := range map[string]string{
			"an expired token":                     "Bearer " + sign(expired, kid, key),
			"a token signed by an unknown key":     "Bearer " + sign(live, jwt.Thumbprint(&stranger.PublicKey), stranger),
			"another key under the stack's kid":    "Bearer " + sign(live, kid, stranger),
			"an alg none token":                    "Bearer " + none,
			"an HS256 token keyed with the public": "Bearer " + hs256,
			"a token for another audience":         "Bearer " + sign(otherAudience, kid, key),
			"a token of another issuer":            "Bearer " + sign(otherIssuer, kid, key),
			"the session token itself":             "Bearer " + a.token,
			"no Authorization header":              "",
			"another scheme":                       "Basic " + a.access,
		} {
			wantRefused(t, what, header)
		}
	})
}
