package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

type fixture struct {
	svc    *user.Service
	store  *memstore.Store
	routes map[string]httpapi.Lambda
	// lastBody is the body of the last answer, for a step that reads what the one before it
	// returned.
	lastBody string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := memstore.New()
	svc := user.NewService(st, auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, time.Now,
		user.Options{AllowConfirmationURL: func(u *url.URL) bool { return u.Hostname() == "localhost" }, Secrets: testSecrets{}})
	return &fixture{svc: svc, store: st, routes: map[string]httpapi.Lambda{
		"POST /v1/auth/register":       httpapi.Route("auth-register", httpapi.Register(svc)),
		"POST /v1/auth/login":          httpapi.Route("auth-login", httpapi.Login(svc)),
		"POST /v1/auth/logout":         httpapi.Route("auth-logout", httpapi.Logout(svc)),
		"GET /v1/auth/session":         httpapi.Route("auth-session", httpapi.Session(svc)),
		"GET /v1/me":                   httpapi.Route("me-get", httpapi.Me(svc)),
		"PATCH /v1/me":                 httpapi.Route("me-update", httpapi.UpdateMe(svc)),
		"DELETE /v1/me":                httpapi.Route("me-delete", httpapi.DeleteMe(svc)),
		"PUT /v1/me/password":          httpapi.Route("me-password", httpapi.ChangePassword(svc)),
		"POST /v1/me/mfa/totp":         httpapi.Route("me-mfa-totp-begin", httpapi.BeginTOTP(svc)),
		"DELETE /v1/me/mfa/totp":       httpapi.Route("me-mfa-totp-delete", httpapi.DisableTOTP(svc)),
		"POST /v1/auth/reauthenticate": httpapi.Route("auth-reauthenticate", httpapi.Reauthenticate(svc)),
		"POST /v1/auth/email/confirm":  httpapi.Route("auth-email-confirm", httpapi.ConfirmEmail(svc)),
		"POST /v1/auth/email/revert":   httpapi.Route("auth-email-revert", httpapi.RevertEmail(svc)),

		"POST /v1/auth/admin/login":           httpapi.Route("auth-admin-login", httpapi.AdminLogin(svc)),
		"POST /v1/auth/mfa":                   httpapi.Route("auth-mfa", httpapi.CompleteMFA(svc)),
		"POST /v1/auth/password/forgot":       httpapi.Route("auth-password-forgot", httpapi.ForgotPassword(svc)),
		"POST /v1/auth/password/reset":        httpapi.Route("auth-password-reset", httpapi.ResetPassword(svc)),
		"POST /v1/auth/email/verification":    httpapi.Route("auth-email-verification", httpapi.ResendVerification(svc)),
		"PUT /v1/me/language":                 httpapi.Route("me-language", httpapi.SetLanguage(svc)),
		"POST /v1/me/mfa/totp/confirm":        httpapi.Route("me-mfa-totp-confirm", httpapi.ConfirmTOTP(svc)),
		"GET /v1/me/events":                   httpapi.Route("me-events", httpapi.MyEvents(svc)),
		"GET /v1/me/sessions":                 httpapi.Route("me-sessions-list", httpapi.ListSessions(svc)),
		"DELETE /v1/me/sessions/{session_id}": httpapi.Route("me-sessions-delete", httpapi.RevokeSession(svc)),
		"GET /v1/me/wishlist":                 httpapi.Route("me-wishlist-list", httpapi.ListWishlist(svc)),
		"PUT /v1/me/wishlist/{product_id}":    httpapi.Route("me-wishlist-put", httpapi.PutWish(svc)),
		"DELETE /v1/me/wishlist/{product_id}": httpapi.Route("me-wishlist-delete", httpapi.DeleteWish(svc)),
		"GET /v1/me/export":                   httpapi.Route("me-export", httpapi.Export(svc)),
		"POST /v1/users":                      httpapi.Route("users-create", httpapi.CreateUser(svc)),
		"GET /v1/users":                       httpapi.Route("users-search", httpapi.SearchUsers(svc)),
		"GET /v1/users/exists":                httpapi.Route("users-exists", httpapi.UserExists(svc)),
		"GET /v1/users/{id}":                  httpapi.Route("users-get", httpapi.GetUser(svc)),
		"PATCH /v1/users/{id}":                httpapi.Route("users-update", httpapi.UpdateUser(svc)),
		"DELETE /v1/users/{id}":               httpapi.Route("users-delete", httpapi.DeleteUser(svc)),
		"PUT /v1/users/{id}/password":         httpapi.Route("users-password", httpapi.SetUserPassword(svc)),
		"POST /v1/users/{id}/email/confirm":   httpapi.Route("users-email-confirm", httpapi.ConfirmUserEmail(svc)),
		"GET /v1/users/{id}/events":           httpapi.Route("users-events", httpapi.UserEvents(svc)),
	}}
}

type call struct {
	method, path string
	headers      map[string]string
	query        map[string]string
	params       map[string]string // path parameters: {id}, {product_id}...
	body         string
	base64       bool
}

func (f *fixture) do(t *testing.T, c call) events.APIGatewayProxyResponse {
	t.Helper()
	h, ok := f.routes[c.method+" "+c.path]
	if !ok {
		t.Fatalf("no route %s %s", c.method, c.path)
	}
	headers := map[string]string{"Content-Type": "application/json"}
	for k, v := range c.headers {
		headers[k] = v
	}
	body := c.body
	if c.base64 {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: c.method, Path: c.path, Headers: headers, QueryStringParameters: c.query, PathParameters: c.params,
		Body: body, IsBase64Encoded: c.base64,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1",
			Identity: events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: "test"}},
	})
	if err != nil {
		t.Fatalf("Lambda error %v: handlers must always answer", err)
	}
	f.lastBody = resp.Body
	if resp.Headers["X-Request-Id"] != "req-1" {
		t.Errorf("X-Request-Id = %q, want req-1", resp.Headers["X-Request-Id"])
	}
	return resp
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// signUp registers an account and returns its token.
func (f *fixture) signUp(t *testing.T, email string) string {
	t.Helper()
	resp := f.do(t, call{method: "POST", path: "/v1/auth/register", body: `{"email":"` + email + `","password":"correct-horse-battery"}`})
	if resp.StatusCode != 201 {
		t.Fatalf("register %s: %d %s", email, resp.StatusCode, resp.Body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

func TestScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "scenario@example.com")
	big := `{"email":"` + strings.Repeat("a", httpapi.MaxJSONBody) + `"}`
	runScenarios(t, f, []scenario{
		{"register", call{method: "POST", path: "/v1/auth/register", body: `{"email":"New@Example.com","password":"correct-horse-battery","first_name":"Ann","language":"ru"}`},
			201, "", []string{`"email":"new@example.com"`, `"token":"`, `"first_name":"Ann"`, `"phone":null`, `"role":"member"`}, []string{"password", "hash"}},
		{"register in base64", call{method: "POST", path: "/v1/auth/register", body: `{"email":"b64@example.com","password":"correct-horse-battery"}`, base64: true},
			201, "", nil, nil},
		{"register an internationalized domain", call{method: "POST", path: "/v1/auth/register", body: `{"email":"idn@bücher.example","password":"correct-horse-battery"}`},
			201, "", []string{`"email":"idn@xn--bcher-kva.example"`}, nil},
		{"register a non-ASCII local part, which SES cannot mail", call{method: "POST", path: "/v1/auth/register", body: `{"email":"josé@example.com","password":"correct-horse-battery"}`},
			400, "validation_failed", []string{`"field":"email","code":"invalid_email"`}, nil},
		{"duplicate email any case", call{method: "POST", path: "/v1/auth/register", body: `{"email":"SCENARIO@example.COM","password":"correct-horse-battery"}`},
			409, "email_taken", nil, nil},
		{"malformed json", call{method: "POST", path: "/v1/auth/register", body: `{"email":`}, 400, "malformed_json", nil, nil},
		{"not an object", call{method: "POST", path: "/v1/auth/register", body: `["x"]`}, 400, "malformed_json", nil, nil},
		{"trailing data", call{method: "POST", path: "/v1/auth/register", body: `{} {}`}, 400, "malformed_json", nil, nil},
		{"empty body", call{method: "POST", path: "/v1/auth/register", body: ``}, 400, "malformed_json", nil, nil},
		{"unknown field", call{method: "POST", path: "/v1/auth/register", body: `{"email":"x@example.com","password":"correct-horse-battery","nickname":"x","EMAIL":"y"}`},
			400, "unknown_field", []string{`"field":"nickname"`, `"field":"EMAIL"`}, nil},
		{"unknown nested field", call{method: "POST", path: "/v1/auth/register", body: `{"email":"x@example.com","password":"correct-horse-battery","address":{"planet":"Mars"}}`},
			400, "unknown_field", []string{`"field":"address.planet"`}, nil},
		// Names are exact in objects too (Go's decoder alone would take any case), and an
		// error names its member by its JSON path, not a Go type's.
		{"nested field in another case", call{method: "POST", path: "/v1/auth/register", body: `{"email":"x@example.com","password":"correct-horse-battery","address":{"COUNTRY":"IR"}}`},
			400, "unknown_field", []string{`"field":"address.COUNTRY"`}, nil},
		{"profile field of the wrong type", call{method: "POST", path: "/v1/auth/register", body: `{"email":"x@example.com","password":"correct-horse-battery","first_name":5}`},
			400, "validation_failed", []string{`"field":"first_name","code":"invalid_format"`}, []string{"profileFields"}},
		{"nested member of the wrong type", call{method: "POST", path: "/v1/auth/register", body: `{"email":"x@example.com","password":"correct-horse-battery","social":{"website":5}}`},
			400, "validation_failed", []string{`"field":"social.website","code":"invalid_format"`}, nil},
		{"read-only field", call{method: "POST", path: "/v1/auth/register", body: `{"email":"x@example.com","password":"correct-horse-battery","role":"admin"}`},
			400, "read_only", []string{`"field":"role"`}, nil},
		{"wrong types, every one named", call{method: "POST", path: "/v1/auth/register", body: `{"email":5,"password":7,"social":{"website":1},"first_name":"ok"}`},
			400, "validation_failed", []string{`"field":"email","code":"invalid_format"`, `"field":"password","code":"invalid_format"`,
				`"field":"social.website","code":"invalid_format"`}, []string{`"field":"first_name"`}},
		{"wrong type", call{method: "POST", path: "/v1/auth/register", body: `{"email":5,"password":"correct-horse-battery"}`},
			400, "validation_failed", []string{`"field":"email","code":"invalid_format"`}, nil},
		{"oversized", call{method: "POST", path: "/v1/auth/register", body: big}, 413, "payload_too_large", nil, nil},
		{"another charset", call{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, body: `{}`},
			415, "unsupported_media_type", nil, nil},
		{"not UTF-8", call{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Content-Type": "application/json; charset=UTF-8"},
			body: "{\"email\":\"x@example.com\",\"password\":\"correct-horse-battery\",\"first_name\":\"Jos\xe9\"}"}, 400, "malformed_json", nil, nil},
		{"wrong content type", call{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Content-Type": "text/plain"}, body: `{}`},
			415, "unsupported_media_type", nil, nil},
		{"weak password, localized", call{method: "POST", path: "/v1/auth/register", headers: map[string]string{"Accept-Language": "ru"}, body: `{"email":"w@example.com","password":"qwerty123"}`},
			400, "validation_failed", []string{`"code":"password_breached"`, `Ошибка проверки данных`}, []string{"qwerty123"}},
		{"short password", call{method: "POST", path: "/v1/auth/register", body: `{"email":"w@example.com","password":"abc"}`},
			400, "validation_failed", []string{`"code":"too_short"`, "at least 8"}, nil},
		{"confirmation url not allowed", call{method: "POST", path: "/v1/auth/register", body: `{"email":"u@example.com","password":"correct-horse-battery","confirmation_url":"https://evil.example/{{code}}"}`},
			400, "invalid_confirmation_url", nil, nil},
		{"confirmation url with a broken percent-encoding", call{method: "POST", path: "/v1/auth/register", body: `{"email":"u@example.com","password":"correct-horse-battery","confirmation_url":"http://localhost:5173/c?x=%zz&c={{code}}"}`},
			400, "invalid_confirmation_url", nil, nil},
		{"confirmation url with percent-encoded text", call{method: "POST", path: "/v1/auth/register", body: `{"email":"pct@example.com","password":"correct-horse-battery","confirmation_url":"http://localhost:5173/c?x=%D0%A1%20b&c={{code}}"}`},
			201, "", nil, nil},
		{"login", call{method: "POST", path: "/v1/auth/login", body: `{"login":"scenario@example.com","password":"correct-horse-battery"}`},
			200, "", []string{`"token":"`, `"email":"scenario@example.com"`}, nil},
		{"login wrong password", call{method: "POST", path: "/v1/auth/login", body: `{"login":"scenario@example.com","password":"nope-nope-nope"}`},
			401, "invalid_credentials", nil, nil},
		{"login unknown", call{method: "POST", path: "/v1/auth/login", body: `{"login":"ghost@example.com","password":"nope-nope-nope"}`},
			401, "invalid_credentials", nil, nil},
		{"me", call{method: "GET", path: "/v1/me", headers: bearer(tok)}, 200, "", []string{`"email":"scenario@example.com"`, `"avatar_url":null`}, []string{"hash"}},
		{"me without token", call{method: "GET", path: "/v1/me"}, 401, "unauthenticated", nil, nil},
		{"me with unknown token", call{method: "GET", path: "/v1/me", headers: bearer("01abcdefghjkmnpqrstvwxyz01.01abcdefghjkmnpqrstvwxyz01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}, 401, "unauthenticated", nil, nil},
		{"me with basic auth", call{method: "GET", path: "/v1/me", headers: map[string]string{"Authorization": "Basic " + tok}}, 401, "unauthenticated", nil, nil},
		{"session", call{method: "GET", path: "/v1/auth/session", headers: bearer(tok)}, 200, "", []string{`"logged_in":true`, `"role":"member"`}, nil},
		{"logout bad all", call{method: "POST", path: "/v1/auth/logout", headers: bearer(tok), query: map[string]string{"all": "maybe"}}, 400, "validation_failed", nil, nil},
		{"logout with a member", call{method: "POST", path: "/v1/auth/logout", headers: bearer(tok), body: `{"all":true}`}, 400, "unknown_field", []string{`"field":"all"`}, nil},
		{"logout bad all, unknown token", call{method: "POST", path: "/v1/auth/logout", headers: bearer("01abcdefghjkmnpqrstvwxyz01.01abcdefghjkmnpqrstvwxyz01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), query: map[string]string{"all": "maybe"}}, 401, "unauthenticated", nil, nil},
		{"logout with a member, unknown token", call{method: "POST", path: "/v1/auth/logout", headers: bearer("01abcdefghjkmnpqrstvwxyz01.01abcdefghjkmnpqrstvwxyz01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), body: `{"all":true}`}, 401, "unauthenticated", nil, nil},
	})
}

// scenario is one request to a route and what it must answer (pocketbase's ApiScenario):
// the scenarios of a table run in order over one fixture, so a step may rely on the ones
// before it (the table's setup is the code before it, over the fixture's memstore).
type scenario struct {
	name       string
	call       call
	wantStatus int
	wantCode   string   // problem code, for errors
	wantBody   []string // fragments the body must hold
	notBody    []string // fragments it must not
}

// runScenarios runs each scenario as a subtest and checks its status, its problem (code,
// media type, request id, status, WWW-Authenticate on a 401) and its body fragments.
func runScenarios(t *testing.T, f *fixture, scenarios []scenario) {
	t.Helper()
	for _, tt := range scenarios {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.do(t, tt.call)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantCode != "" {
				var prob map[string]any
				_ = json.Unmarshal([]byte(resp.Body), &prob)
				if prob["code"] != tt.wantCode || resp.Headers["Content-Type"] != "application/problem+json" || prob["request_id"] != "req-1" || prob["status"] != float64(tt.wantStatus) {
					t.Errorf("got problem %s (%s), want code %s", resp.Body, resp.Headers["Content-Type"], tt.wantCode)
				}
				if tt.wantStatus == 401 && resp.Headers["WWW-Authenticate"] != "Bearer" {
					t.Errorf("401 without WWW-Authenticate: Bearer")
				}
				if lang := resp.Headers["Content-Language"]; lang != "en" && lang != "fa" && lang != "ru" {
					t.Errorf("problem with Content-Language %q, want the language of its texts", lang)
				}
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(resp.Body, w) {
					t.Errorf("body %s lacks %s", resp.Body, w)
				}
			}
			for _, w := range tt.notBody {
				if strings.Contains(resp.Body, w) {
					t.Errorf("body %s holds %s", resp.Body, w)
				}
			}
		})
	}
}

func TestLogoutRevokesAtOnce(t *testing.T) {
	f := newFixture(t)
	a := f.signUp(t, "out@example.com")
	if r := f.do(t, call{method: "POST", path: "/v1/auth/logout", headers: bearer(a)}); r.StatusCode != 204 || r.Body != "" {
		t.Fatalf("logout: %d %s, want 204 and no body", r.StatusCode, r.Body)
	}
	for _, c := range []call{{method: "GET", path: "/v1/me", headers: bearer(a)}, {method: "POST", path: "/v1/auth/logout", headers: bearer(a)}} {
		if r := f.do(t, c); r.StatusCode != 401 {
			t.Errorf("%s %s after logout: %d, want 401", c.method, c.path, r.StatusCode)
		}
	}
}

// A session revoked by a password change elsewhere cannot log out either: its token is
// dead, and a logout answers 401 as every route does, recording nothing.
func TestLogoutOfARevokedSessionIs401(t *testing.T) {
	f := newFixture(t)
	a := f.signUp(t, "revoked-out@example.com")
	other := f.login(t, "revoked-out@example.com")
	if r := f.do(t, call{method: "PUT", path: "/v1/me/password", headers: bearer(a),
		body: `{"current_password":"correct-horse-battery","new_password":"another-horse-battery","confirm_password":"another-horse-battery"}`}); r.StatusCode != 204 {
		t.Fatalf("password change: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, call{method: "POST", path: "/v1/auth/logout", headers: bearer(other)}); r.StatusCode != 401 {
		t.Errorf("logout of a session the password change revoked: %d %s, want 401", r.StatusCode, r.Body)
	}
}

// A session idle past its limit is dead to logout too: 401, the session left to expire.
func TestLogoutOfAnIdleSessionIs401(t *testing.T) {
	f := newFixture(t)
	a := f.signUp(t, "idle-out@example.com")
	uid, rest, _ := strings.Cut(a, ".")
	sid, _, _ := strings.Cut(rest, ".")
	if err := f.store.TouchSession(t.Context(), uid, sid, time.Now().Add(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r := f.do(t, call{method: "POST", path: "/v1/auth/logout", headers: bearer(a)}); r.StatusCode != 401 || r.Headers["WWW-Authenticate"] != "Bearer" {
		t.Errorf("logout of a session idle for 8 days: %d %v %s, want 401 with WWW-Authenticate", r.StatusCode, r.Headers, r.Body)
	}
}

func TestPanicIsA500WithRequestID(t *testing.T) {
	h := httpapi.Route("boom", func(context.Context, *httpapi.Request) (*httpapi.Response, error) { panic("secret-ish detail") })
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r9"}})
	if err != nil || resp.StatusCode != 500 || !strings.Contains(resp.Body, `"request_id":"r9"`) || strings.Contains(resp.Body, "secret-ish") {
		t.Errorf("got %d %s %v; want a 500 problem with the request id and no cause", resp.StatusCode, resp.Body, err)
	}
}

// Every route the API serves has scenarios here: those of newFixture's table, and those
// served by fixtures of their own (the test that holds them is named beside each).
func TestEveryRouteHasScenarios(t *testing.T) {
	elsewhere := map[string]string{
		"GET /.well-known/jwks.json":             "wellknown_test.go",
		"GET /.well-known/openid-configuration":  "wellknown_test.go",
		"GET /account":                           "pkg/pages",
		"POST /account/qr":                       "pkg/pages",
		"GET /account/{proxy+}":                  "pkg/pages",
		"POST /v1/auth/token":                    "token_test.go",
		"POST /v1/auth/passkey":                  "passkeys_test.go",
		"POST /v1/auth/passkey/options":          "passkeys_test.go",
		"POST /v1/auth/email/code":               "passkeys_test.go",
		"POST /v1/auth/email/code/verify":        "passkeys_test.go",
		"GET /v1/me/passkeys":                    "passkeys_test.go",
		"POST /v1/me/passkeys":                   "passkeys_test.go",
		"POST /v1/me/passkeys/options":           "passkeys_test.go",
		"DELETE /v1/me/passkeys/{id}":            "passkeys_test.go",
		"PUT /v1/me/avatar":                      "avatar_test.go",
		"DELETE /v1/me/avatar":                   "avatar_test.go",
		"GET /v1/locales":                        "locales_test.go",
		"GET /v1/profile-fields":                 "profile_test.go",
		"DELETE /v1/users/{id}/mail-suppression": "mailsuppression_test.go",
	}
	f := newFixture(t)
	for path, methods := range httpapi.APIRoutes() {
		for _, m := range methods {
			key := m + " " + path
			if _, ok := f.routes[key]; !ok && elsewhere[key] == "" {
				t.Errorf("%s has no scenarios: add it to newFixture and a scenario table", key)
			}
		}
	}
}
