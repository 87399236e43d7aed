//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/user"
)

// benchPassword passes the password policy (not common, not a run, long enough), and so
// does benchPassword2, which a password reset or change sets in its place.
const (
	benchPassword  = "Quiet-lantern 42 orbits"
	benchPassword2 = "Amber-harbour 17 tides"
)

// routes are the real Lambda handlers of the routes the bench calls, wired as their
// functions/<name>/main.go wire them, over one service.
type routes struct {
	register, login, logout, session, me httpapi.Lambda

	adminLogin, forgot, reset, verification, confirmEmail, mfa httpapi.Lambda
	password, deleteMe, sessions, revokeSession, events        httpapi.Lambda
	totpBegin, totpConfirm                                     httpapi.Lambda
	update, wishlist, wishPut                                  httpapi.Lambda
	token, reauth                                              httpapi.Lambda
}

func newRoutes(svc *user.Service) routes {
	return routes{
		register: httpapi.Route("auth-register", httpapi.Register(svc)),
		login:    httpapi.Route("auth-login", httpapi.Login(svc)),
		logout:   httpapi.Route("auth-logout", httpapi.Logout(svc)),
		session:  httpapi.Route("auth-session", httpapi.Session(svc)),
		me:       httpapi.Route("me-get", httpapi.Me(svc)),

		adminLogin:    httpapi.Route("auth-admin-login", httpapi.AdminLogin(svc)),
		forgot:        httpapi.Route("auth-password-forgot", httpapi.ForgotPassword(svc)),
		reset:         httpapi.Route("auth-password-reset", httpapi.ResetPassword(svc)),
		verification:  httpapi.Route("auth-email-verification", httpapi.ResendVerification(svc)),
		confirmEmail:  httpapi.Route("auth-email-confirm", httpapi.ConfirmEmail(svc)),
		mfa:           httpapi.Route("auth-mfa", httpapi.CompleteMFA(svc)),
		password:      httpapi.Route("me-password", httpapi.ChangePassword(svc)),
		deleteMe:      httpapi.Route("me-delete", httpapi.DeleteMe(svc)),
		sessions:      httpapi.Route("me-sessions-list", httpapi.ListSessions(svc)),
		revokeSession: httpapi.Route("me-sessions-delete", httpapi.RevokeSession(svc)),
		events:        httpapi.Route("me-events", httpapi.MyEvents(svc)),
		totpBegin:     httpapi.Route("me-mfa-totp-begin", httpapi.BeginTOTP(svc)),
		totpConfirm:   httpapi.Route("me-mfa-totp-confirm", httpapi.ConfirmTOTP(svc)),
		update:        httpapi.Route("me-update", httpapi.UpdateMe(svc)),
		wishlist:      httpapi.Route("me-wishlist-list", httpapi.ListWishlist(svc)),
		wishPut:       httpapi.Route("me-wishlist-put", httpapi.PutWish(svc)),
		token:         httpapi.Route("auth-token", httpapi.Token(svc)),
		reauth:        httpapi.Route("auth-reauthenticate", httpapi.Reauthenticate(svc)),
	}
}

// benchConfig is config's defaults for table, with cheap argon2 parameters (the hash's
// cost is measured on its own in hashing.go) and no practical registration limit (the
// bench registers thousands of accounts from one address).
func benchConfig(table string) (*config.Config, error) {
	cfg, err := defaultConfig(table)
	if err != nil {
		return nil, err
	}
	cfg.Argon2 = cheapArgon2
	cfg.RegisterLimitPerHour = 1 << 30
	return cfg, nil
}

// cheapArgon2 makes a hash cost microseconds: the least memory argon2 allows, one pass.
var cheapArgon2 = config.Argon2{MemoryKiB: 8, Iterations: 1, Parallelism: 1}

// event is an API Gateway REST proxy event as API Gateway sends it for a route.
func event(method, path, resource, token, body string) events.APIGatewayProxyRequest {
	h := map[string]string{
		"Accept":          "application/json",
		"Accept-Language": "en-GB,en;q=0.8",
		"Host":            "abc123.execute-api.us-east-1.amazonaws.com",
		"User-Agent":      "userbase-bench/1",
	}
	if body != "" {
		h["Content-Type"] = "application/json"
	}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return events.APIGatewayProxyRequest{
		Resource: resource, Path: path, HTTPMethod: method, Headers: h, Body: body,
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: "bench-request", Stage: "prod", HTTPMethod: method, ResourcePath: resource,
			DomainName: "abc123.execute-api.us-east-1.amazonaws.com", DomainPrefix: "abc123",
			Identity: events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "userbase-bench/1"},
		},
	}
}

// browserAgent is a common browser's User-Agent: a sign-up's account_created event carries
// it on the new profile item, whose size its write units follow.
const browserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

func registerEvent(email string) events.APIGatewayProxyRequest {
	ev := event("POST", "/v1/auth/register", "/v1/auth/register", "", jsonBody("email", email, "password", benchPassword))
	ev.Headers["User-Agent"], ev.RequestContext.Identity.UserAgent = browserAgent, browserAgent
	return ev
}

func loginEvent(email string) events.APIGatewayProxyRequest { return loginWith(email, benchPassword) }

func loginWith(email, password string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/login", "/v1/auth/login", "", jsonBody("login", email, "password", password))
}

func adminLoginEvent(email string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/admin/login", "/v1/auth/admin/login", "", jsonBody("login", email, "password", benchPassword))
}

// jsonBody is a JSON object of string members, given as name, value, name, value, ...
func jsonBody(kv ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func forgotEvent(email string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/password/forgot", "/v1/auth/password/forgot", "", jsonBody("email", email))
}

func resetEvent(code, newPassword string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/password/reset", "/v1/auth/password/reset", "", jsonBody("code", code, "new_password", newPassword))
}

func confirmEmailEvent(code string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/email/confirm", "/v1/auth/email/confirm", "", jsonBody("code", code))
}

// verificationEvent has no body: the route takes an empty one.
func verificationEvent(token string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/email/verification", "/v1/auth/email/verification", token, "")
}

func changePasswordEvent(token, current, next string) events.APIGatewayProxyRequest {
	return event("PUT", "/v1/me/password", "/v1/me/password", token,
		jsonBody("current_password", current, "new_password", next, "confirm_password", next))
}

func sessionsEvent(token string) events.APIGatewayProxyRequest {
	return event("GET", "/v1/me/sessions", "/v1/me/sessions", token, "")
}

func revokeSessionEvent(token, sessionID string) events.APIGatewayProxyRequest {
	ev := event("DELETE", "/v1/me/sessions/"+sessionID, "/v1/me/sessions/{session_id}", token, "")
	ev.PathParameters = map[string]string{"session_id": sessionID}
	return ev
}

func eventsEvent(token string) events.APIGatewayProxyRequest {
	return event("GET", "/v1/me/events", "/v1/me/events", token, "")
}

func deleteMeEvent(token, password string) events.APIGatewayProxyRequest {
	return event("DELETE", "/v1/me", "/v1/me", token, jsonBody("password", password))
}

// totpBeginEvent has no body, as the route takes none.
func totpBeginEvent(token string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/me/mfa/totp", "/v1/me/mfa/totp", token, "")
}

func totpConfirmEvent(token, code string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/me/mfa/totp/confirm", "/v1/me/mfa/totp/confirm", token, jsonBody("code", code))
}

func mfaEvent(mfaToken, code string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/mfa", "/v1/auth/mfa", "", jsonBody("mfa_token", mfaToken, "code", code))
}

func logoutEvent(token string, all bool) events.APIGatewayProxyRequest {
	ev := event("POST", "/v1/auth/logout", "/v1/auth/logout", token, "")
	if all {
		ev.QueryStringParameters = map[string]string{"all": "true"}
		ev.MultiValueQueryStringParameters = map[string][]string{"all": {"true"}}
	}
	return ev
}

func sessionEvent(token string) events.APIGatewayProxyRequest {
	return event("GET", "/v1/auth/session", "/v1/auth/session", token, "")
}

func meEvent(token string) events.APIGatewayProxyRequest {
	return event("GET", "/v1/me", "/v1/me", token, "")
}

func tokenEvent(session string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/token", "/v1/auth/token", "", `{"token":"`+session+`"}`)
}

func reauthEvent(token, password string) events.APIGatewayProxyRequest {
	return event("POST", "/v1/auth/reauthenticate", "/v1/auth/reauthenticate", token, `{"password":"`+password+`"}`)
}

// call runs one request through h and checks its status.
func call(ctx context.Context, h httpapi.Lambda, ev events.APIGatewayProxyRequest, want int) (events.APIGatewayProxyResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := h(ctx, ev)
	if err != nil {
		return resp, fmt.Errorf("%s %s: %w", ev.HTTPMethod, ev.Path, err)
	}
	if resp.StatusCode != want {
		return resp, fmt.Errorf("%s %s: status %d, want %d: %s", ev.HTTPMethod, ev.Path, resp.StatusCode, want, resp.Body)
	}
	return resp, nil
}

// token is the session token of a register or login answer.
func token(resp events.APIGatewayProxyResponse) (string, error) {
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("no token in the answer: %s", resp.Body)
	}
	return v.Token, nil
}

// member is a string member of a JSON answer (a problem's mfa_token, say).
func member(resp events.APIGatewayProxyResponse, name string) (string, error) {
	var v map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		return "", fmt.Errorf("answer is not a JSON object: %s", resp.Body)
	}
	s, _ := v[name].(string)
	if s == "" {
		return "", fmt.Errorf("no %s in the answer: %s", name, resp.Body)
	}
	return s, nil
}

// listTotal is meta.total of a list answer.
func listTotal(resp events.APIGatewayProxyResponse) (int, error) {
	var v struct {
		Meta *struct {
			Total int `json:"total"`
		} `json:"meta"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil || v.Meta == nil {
		return 0, fmt.Errorf("not a list answer: %s", resp.Body)
	}
	return v.Meta.Total, nil
}

func updateMeEvent(token string) events.APIGatewayProxyRequest {
	return event("PATCH", "/v1/me", "/v1/me", token, `{"first_name":"Bench","timezone":"Asia/Tehran"}`)
}

func wishlistEvent(token string) events.APIGatewayProxyRequest {
	return event("GET", "/v1/me/wishlist", "/v1/me/wishlist", token, "")
}

func wishPutEvent(token, productID string) events.APIGatewayProxyRequest {
	ev := event("PUT", "/v1/me/wishlist/"+productID, "/v1/me/wishlist/{product_id}", token,
		`{"name":"Lamp","price":12.5,"publish":"1","weight":"2.5","images":["https://shop.example/lamp.png"]}`)
	ev.PathParameters = map[string]string{"product_id": productID}
	return ev
}
