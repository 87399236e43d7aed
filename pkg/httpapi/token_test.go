package httpapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// newTokenFixture is the fixture with access tokens: an in-memory key ring, the issuer of
// the test requests' domain.
func newTokenFixture(t *testing.T) (*fixture, *keys.Tokens) {
	t.Helper()
	ring, err := keys.NewInMemory(keys.Options{}, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	toks := keys.NewTokens(ring, "userbase", 15*time.Minute)
	t.Setenv("ISSUER", "https://id.example.com")
	st := memstore.New()
	svc := user.NewService(st, auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, time.Now,
		user.Options{Secrets: testSecrets{}, Tokens: app.AccessTokens(toks)})
	return &fixture{svc: svc, store: st, routes: map[string]httpapi.Lambda{
		"POST /v1/auth/register": httpapi.Route("auth-register", httpapi.Register(svc)),
		"POST /v1/auth/login":    httpapi.Route("auth-login", httpapi.Login(svc)),
		"POST /v1/auth/logout":   httpapi.Route("auth-logout", httpapi.Logout(svc)),
		"POST /v1/auth/token":    httpapi.Route("auth-token", httpapi.Token(svc)),
		"GET /v1/me":             httpapi.Route("me-get", httpapi.Me(svc)),
		"GET /v1/me/sessions":    httpapi.Route("me-sessions-list", httpapi.ListSessions(svc)),
	}}, toks
}

func TestAccessTokens(t *testing.T) {
	f, toks := newTokenFixture(t)
	resp := f.do(t, call{method: "POST", path: "/v1/auth/register", body: `{"email":"jwt@example.com","password":"correct-horse-battery"}`})
	var signIn struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(resp.Body), &raw)
	_ = json.Unmarshal([]byte(resp.Body), &signIn)
	session, _ := raw["token"].(string)
	if resp.StatusCode != 201 || signIn.AccessToken == "" || signIn.TokenType != "Bearer" || signIn.ExpiresIn != 900 {
		t.Fatalf("register: %d %s", resp.StatusCode, resp.Body)
	}
	c, err := toks.Verify(t.Context(), signIn.AccessToken, "https://id.example.com")
	if err != nil || c.Email != "jwt@example.com" || c.Role != "member" || c.SessionID == "" || len(c.AMR) != 1 || c.AMR[0] != "pwd" {
		t.Fatalf("the access token verifies as %+v, %v", c, err)
	}

	steps := []struct {
		name       string
		call       call
		wantStatus int
		wantCode   string
		wantBody   string
	}{
		{"GET /v1/me with the access token", call{method: "GET", path: "/v1/me", headers: bearer(signIn.AccessToken)}, 200, "", `"email":"jwt@example.com"`},
		{"sessions with the access token", call{method: "GET", path: "/v1/me/sessions", headers: bearer(signIn.AccessToken)}, 200, "", `"current":true`},
		// expires_in is the lifetime as minted, exp - iat, on every token.
		{"token as JSON", call{method: "POST", path: "/v1/auth/token", body: `{"token":"` + session + `"}`}, 200, "", `"token_type":"Bearer","expires_in":900`},
		{"token as JSON again", call{method: "POST", path: "/v1/auth/token", body: `{"token":"` + session + `"}`}, 200, "", `"expires_in":900`},
		{"token as an OAuth refresh grant", call{method: "POST", path: "/v1/auth/token",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:    url.Values{"grant_type": {"refresh_token"}, "refresh_token": {session}, "client_id": {"spa"}}.Encode()}, 200, "", `"expires_in":900`},
		{"an access token does not mint", call{method: "POST", path: "/v1/auth/token", body: `{"token":"` + signIn.AccessToken + `"}`}, 401, "unauthenticated", `"detail":"The session token is unknown, expired or revoked: sign in again.","request_id":"req-1","error":"invalid_grant"`},
		{"no token", call{method: "POST", path: "/v1/auth/token", body: `{}`}, 400, "validation_failed", `"error":"invalid_request"`},
		{"another grant", call{method: "POST", path: "/v1/auth/token", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "grant_type=password&refresh_token=x"}, 400, "validation_failed", `"error":"unsupported_grant_type"`},
		{"a form member the service does not use is ignored", call{method: "POST", path: "/v1/auth/token", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "grant_type=refresh_token&refresh_token=x&client_secret=y"}, 401, "unauthenticated", ""},
		{"a compressed form", call{method: "POST", path: "/v1/auth/token", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"},
			body: "grant_type=refresh_token&refresh_token=x"}, 415, "unsupported_media_type", `"error":"invalid_request"`},
		{"a broken form", call{method: "POST", path: "/v1/auth/token", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "grant_type=refresh_token&refresh_token=%zz"}, 400, "malformed_json", `"detail":"The request body is not a valid form`},
		{"a form member sent twice", call{method: "POST", path: "/v1/auth/token", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "grant_type=refresh_token&refresh_token=x&refresh_token=y"}, 400, "validation_failed", ""},
		{"a token of another issuer", call{method: "GET", path: "/v1/me", headers: bearer(mintFor(t, toks, "https://evil.example", c))}, 401, "unauthenticated", ""},
		{"a token of another audience", call{method: "GET", path: "/v1/me", headers: bearer(mintAud(t, toks, c))}, 401, "unauthenticated", ""},
		{"a tampered token", call{method: "GET", path: "/v1/me", headers: bearer(tamper(signIn.AccessToken))}, 401, "unauthenticated", ""},
		{"alg none", call{method: "GET", path: "/v1/me", headers: bearer(algNone(signIn.AccessToken))}, 401, "unauthenticated", ""},
		{"logout with the access token", call{method: "POST", path: "/v1/auth/logout", headers: bearer(signIn.AccessToken)}, 204, "", ""},
		{"the access token after its session ended", call{method: "GET", path: "/v1/me", headers: bearer(signIn.AccessToken)}, 401, "unauthenticated", ""},
		{"no refresh after the session ended", call{method: "POST", path: "/v1/auth/token", body: `{"token":"` + session + `"}`}, 401, "unauthenticated", `"detail":"The session token is unknown, expired or revoked: sign in again.","request_id":"req-1","error":"invalid_grant"`},
	}
	for _, s := range steps {
		resp := f.do(t, s.call)
		if resp.StatusCode != s.wantStatus || !strings.Contains(resp.Body, s.wantBody) {
			t.Fatalf("%s: %d %s, want %d with %s", s.name, resp.StatusCode, resp.Body, s.wantStatus, s.wantBody)
		}
		if s.wantCode != "" && !strings.Contains(resp.Body, `"code":"`+s.wantCode+`"`) {
			t.Errorf("%s: body %s, want code %s", s.name, resp.Body, s.wantCode)
		}
	}
}

func mintFor(t *testing.T, toks *keys.Tokens, iss string, c *jwt.Claims) string {
	t.Helper()
	cc := *c
	cc.Issuer, cc.ID = iss, ""
	tok, _, err := toks.Mint(t.Context(), cc)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mintAud(t *testing.T, toks *keys.Tokens, c *jwt.Claims) string {
	t.Helper()
	cc := *c
	cc.Audience, cc.ID = "another-api", ""
	tok, _, err := toks.Mint(t.Context(), cc)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tamper changes one character of the payload: the signature no longer holds.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	p := []byte(parts[1])
	if p[5] == 'A' {
		p[5] = 'B'
	} else {
		p[5] = 'A'
	}
	return parts[0] + "." + string(p) + "." + parts[2]
}

// algNone is tok's claims under an unsigned header.
func algNone(tok string) string {
	parts := strings.Split(tok, ".")
	return "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
}

// FuzzTokenRequest feeds the token route's two decoders (JSON and the OAuth form) whatever
// body: it answers a problem or a token, never a panic or a 500.
func FuzzTokenRequest(f *testing.F) {
	f.Add(false, `{"token":"x"}`)
	f.Add(true, "grant_type=refresh_token&refresh_token=abc&client_id=spa")
	f.Add(true, "grant_type=%zz&=&&;")
	f.Add(true, strings.Repeat("a=b&", 5000))
	f.Fuzz(func(t *testing.T, form bool, body string) {
		svc := user.NewService(memstore.New(), auth.Hasher{MemoryKiB: 8, Iterations: 1, Parallelism: 1}, time.Now, user.Options{})
		h := httpapi.Route("auth-token", httpapi.Token(svc))
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		resp, err := h(t.Context(), eventFor("POST", "/v1/auth/token", ct, body))
		if err != nil || resp.StatusCode >= 500 {
			t.Fatalf("body %q (%s): %d %v %s", body, ct, resp.StatusCode, err, resp.Body)
		}
	})
}

// eventFor is a REST proxy event with a body of content type ct.
func eventFor(method, path, ct, body string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{HTTPMethod: method, Path: path, Body: body,
		Headers: map[string]string{"Content-Type": ct},
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1", DomainName: "id.example.com", Stage: "prod",
			Identity: events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1"}}}
}
