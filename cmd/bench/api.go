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

// benchPassword passes the password policy (not common, not a run, long enough).
const benchPassword = "Quiet-lantern 42 orbits"

// routes are the real Lambda handlers of the routes the bench calls, wired as their
// functions/<name>/main.go wire them, over one service.
type routes struct {
	register, login, logout, session, me httpapi.Lambda
}

func newRoutes(svc *user.Service) routes {
	return routes{
		register: httpapi.Route("auth-register", httpapi.Register(svc)),
		login:    httpapi.Route("auth-login", httpapi.Login(svc)),
		logout:   httpapi.Route("auth-logout", httpapi.Logout(svc)),
		session:  httpapi.Route("auth-session", httpapi.Session(svc)),
		me:       httpapi.Route("me-get", httpapi.Me(svc)),
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
			Identity: events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "userbase-bench/1"},
		},
	}
}

func registerEvent(email string) events.APIGatewayProxyRequest {
	b, _ := json.Marshal(map[string]string{"email": email, "password": benchPassword})
	return event("POST", "/v1/auth/register", "/v1/auth/register", "", string(b))
}

func loginEvent(email string) events.APIGatewayProxyRequest {
	b, _ := json.Marshal(map[string]string{"login": email, "password": benchPassword})
	return event("POST", "/v1/auth/login", "/v1/auth/login", "", string(b))
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
