package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/httpapi"
)

const allowed = "http://localhost:5173"

// corsRoutes builds the routes under test with the allow-list `make local` uses, as the
// template passes it.
func corsRoutes(t *testing.T) map[string]httpapi.Lambda {
	t.Helper()
	t.Setenv("CORS_ALLOWED_ORIGINS", "http://localhost:*,http://127.0.0.1:*")
	f := newFixture(t)
	return map[string]httpapi.Lambda{
		"me":       f.routes["GET /v1/me"],
		"locales":  httpapi.Route("locales", httpapi.Locales()),
		"fallback": httpapi.Route("api-fallback", httpapi.Fallback()),
	}
}

// send calls a route with the resource API Gateway matched and an optional Origin.
func send(t *testing.T, h httpapi.Lambda, method, resource, origin string) events.APIGatewayProxyResponse {
	t.Helper()
	headers := map[string]string{}
	if origin != "" {
		headers["origin"] = origin // API Gateway keeps the client's case
	}
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: method, Resource: resource, Path: strings.ReplaceAll(resource, "{proxy+}", "nowhere"), Headers: headers,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1"},
	})
	if err != nil {
		t.Fatalf("Lambda error %v", err)
	}
	return resp
}

var corsHeaderNames = []string{
	"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Credentials",
}

func TestCORS(t *testing.T) {
	routes := corsRoutes(t)
	tests := []struct {
		name             string
		route            string
		method, resource string
		origin           string
		wantStatus       int
		wantCode         string
		want             map[string]string // headers that must be there, with their values
		preflight        bool              // a preflight's own CORS headers are due
	}{
		{"success, allowed origin", "locales", "GET", "/v1/locales", allowed, 200, "", nil, false},
		{"success, other port of an allowed host", "locales", "GET", "/v1/locales", "http://127.0.0.1:8080", 200, "", nil, false},
		{"success, foreign origin", "locales", "GET", "/v1/locales", "https://evil.example", 200, "", nil, false},
		{"success, no origin", "locales", "GET", "/v1/locales", "", 200, "", nil, false},
		{"problem, allowed origin", "me", "GET", "/v1/me", allowed, 401, "unauthenticated", map[string]string{"WWW-Authenticate": "Bearer"}, false},
		{"problem, foreign origin", "me", "GET", "/v1/me", "http://localhost.evil.example", 401, "unauthenticated", nil, false},
		{"preflight, allowed origin", "fallback", "OPTIONS", "/v1/me", allowed, 204, "",
			map[string]string{"Allow": "DELETE, GET, PATCH, OPTIONS", "Access-Control-Allow-Methods": "DELETE, GET, PATCH",
				"Access-Control-Allow-Headers": "Authorization, Content-Type, Accept-Language, X-Api-Key", "Access-Control-Max-Age": "7200"}, true},
		{"preflight with a path parameter", "fallback", "OPTIONS", "/v1/users/{id}", allowed, 204, "",
			map[string]string{"Access-Control-Allow-Methods": "DELETE, GET, PATCH"}, true},
		{"preflight, foreign origin", "fallback", "OPTIONS", "/v1/me", "https://evil.example", 204, "",
			map[string]string{"Allow": "DELETE, GET, PATCH, OPTIONS"}, false},
		{"preflight, unknown path", "fallback", "OPTIONS", "/{proxy+}", allowed, 404, "not_found", nil, false},
		{"preflight, the root", "fallback", "OPTIONS", "/", allowed, 404, "not_found", nil, false},
		{"method the path lacks, allowed origin", "fallback", "POST", "/v1/me", allowed, 405, "method_not_allowed",
			map[string]string{"Allow": "DELETE, GET, PATCH, OPTIONS"}, false},
		{"method the path lacks, foreign origin", "fallback", "PUT", "/v1/users/exists", "https://evil.example", 405, "method_not_allowed",
			map[string]string{"Allow": "GET, OPTIONS"}, false},
		{"HEAD is not GET", "fallback", "HEAD", "/v1/locales", allowed, 405, "method_not_allowed", map[string]string{"Allow": "GET, OPTIONS"}, false},
		{"unknown path, allowed origin", "fallback", "GET", "/{proxy+}", allowed, 404, "not_found", nil, false},
		{"unknown path, foreign origin", "fallback", "DELETE", "/{proxy+}", "null", 404, "not_found", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := send(t, routes[tt.route], tt.method, tt.resource, tt.origin)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantCode != "" {
				var p struct{ Code string }
				_ = json.Unmarshal([]byte(resp.Body), &p)
				if p.Code != tt.wantCode || resp.Headers["Content-Type"] != "application/problem+json" {
					t.Errorf("got %s %s, want a problem with code %s", resp.Headers["Content-Type"], resp.Body, tt.wantCode)
				}
			}
			if tt.wantStatus == 204 && resp.Body != "" {
				t.Errorf("204 with a body %q", resp.Body)
			}
			// Every answer: HSTS, and Vary: Origin since an allow-list is configured.
			if got := resp.Headers["Strict-Transport-Security"]; got != "max-age=63072000; includeSubDomains" {
				t.Errorf("Strict-Transport-Security %q", got)
			}
			if got := resp.Headers["Vary"]; got != "Origin" {
				t.Errorf("Vary %q, want Origin", got)
			}
			isAllowed := tt.origin == allowed || tt.origin == "http://127.0.0.1:8080"
			for _, name := range corsHeaderNames {
				got, present := resp.Headers[name]
				switch {
				case name == "Access-Control-Allow-Credentials" && present:
					t.Errorf("%s %q: no credentials mode", name, got)
				case !isAllowed && present:
					t.Errorf("%s: %q for origin %q, want no CORS header at all", name, got, tt.origin)
				case isAllowed && name == "Access-Control-Allow-Origin" && got != tt.origin:
					t.Errorf("%s %q, want the origin %q", name, got, tt.origin)
				case isAllowed && name == "Access-Control-Expose-Headers" && got != "X-Request-Id, Retry-After, ETag, Content-Disposition":
					t.Errorf("%s %q", name, got)
				case isAllowed && name != "Access-Control-Allow-Credentials" && (strings.HasPrefix(name, "Access-Control-Allow-") && name != "Access-Control-Allow-Origin" || name == "Access-Control-Max-Age") && present != tt.preflight:
					t.Errorf("%s %q present: %v, want %v (only a preflight has it)", name, got, present, tt.preflight)
				}
			}
			for k, v := range tt.want {
				if got := resp.Headers[k]; got != v {
					t.Errorf("%s %q, want %q", k, got, v)
				}
			}
		})
	}
}

// Without an allow-list nothing varies on the Origin and no origin gets CORS headers.
func TestNoCORSConfigured(t *testing.T) {
	t.Setenv("CORS_ALLOWED_ORIGINS", "")
	h := httpapi.Route("api-fallback", httpapi.Fallback())
	resp := send(t, h, http.MethodOptions, "/v1/me", allowed)
	if resp.StatusCode != 204 || resp.Headers["Vary"] != "" || resp.Headers["Access-Control-Allow-Origin"] != "" || resp.Headers["Access-Control-Allow-Methods"] != "" {
		t.Errorf("got %d %v, want a 204 without Vary or CORS headers", resp.StatusCode, resp.Headers)
	}
	if resp.Headers["Strict-Transport-Security"] == "" {
		t.Error("no Strict-Transport-Security")
	}
}
