package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// The local stack runs with CorsAllowedOrigins http://localhost:* and http://127.0.0.1:*
// (localstack.LocalParameters), as `make local` does.
const (
	allowedOrigin = "http://localhost:5173"
	foreignOrigin = "https://evil.example"
	exposed       = "X-Request-Id, Retry-After, ETag, Content-Disposition"
)

var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Credentials",
}

// wantCORS checks the CORS headers of an answer to origin: the origin echoed, Vary and the
// exposed headers for an allowed one (and, for a preflight, its own headers with methods);
// nothing for any other.
func wantCORS(t *testing.T, r *resp, origin string, allowed bool, preflightMethods string) {
	t.Helper()
	if !strings.Contains(r.Header.Get("Vary"), "Origin") {
		t.Errorf("Vary %q, want Origin", r.Header.Get("Vary"))
	}
	if r.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("Access-Control-Allow-Credentials sent: no credentials mode")
	}
	if !allowed {
		for _, h := range corsHeaders {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("%s: %q to origin %q, want no CORS header at all", h, v, origin)
			}
		}
		return
	}
	want := map[string]string{"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": exposed}
	if preflightMethods != "" {
		want["Access-Control-Allow-Methods"] = preflightMethods
		want["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Accept-Language, X-Api-Key"
		want["Access-Control-Max-Age"] = "7200"
	}
	for h, v := range want {
		if got := r.Header.Get(h); got != v {
			t.Errorf("%s %q, want %q", h, got, v)
		}
	}
	if preflightMethods == "" && r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("Access-Control-Allow-Methods on an answer that is not a preflight")
	}
}

func preflight(origin, method string) map[string]string {
	return map[string]string{"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization,content-type"}
}

func TestCORSPreflight(t *testing.T) {
	for _, c := range []struct {
		name, path, origin string
		allowed            bool
		status             int
		methods            string // the path's methods, "" for a 404
	}{
		{"allowed origin", "/v1/me", allowedOrigin, true, 204, "DELETE, GET, PATCH"},
		{"another allowed host and port", "/v1/auth/login", "http://127.0.0.1:8080", true, 204, "POST"},
		{"path parameter", "/v1/users/01hzx3q2v1k8m4n6p8r0s2t4v6", allowedOrigin, true, 204, "DELETE, GET, PATCH"},
		{"literal beside a parameter", "/v1/users/exists", allowedOrigin, true, 204, "GET"},
		{"foreign origin", "/v1/me", foreignOrigin, false, 204, "DELETE, GET, PATCH"},
		{"allowed host, wrong scheme", "/v1/me", "https://localhost:5173", false, 204, "DELETE, GET, PATCH"},
		{"unknown path, allowed origin", "/v1/nothing-here", allowedOrigin, true, 404, ""},
		{"unknown path, foreign origin", "/v1/nothing-here", foreignOrigin, false, 404, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, req{method: http.MethodOptions, path: c.path, headers: preflight(c.origin, "PATCH"), undocumented: true})
			if c.status == 404 {
				want(t, r, 404, "not_found")
				wantCORS(t, r, c.origin, c.allowed, "")
				return
			}
			if r.Status != 204 || len(r.Body) != 0 {
				t.Fatalf("got %d %s, want 204 and no body", r.Status, r.Body)
			}
			if got := r.Header.Get("Allow"); got != c.methods+", OPTIONS" {
				t.Errorf("Allow %q, want %q", got, c.methods+", OPTIONS")
			}
			wantCORS(t, r, c.origin, c.allowed, c.methods)
		})
	}
}

func TestCORSActualRequests(t *testing.T) {
	for _, origin := range []string{allowedOrigin, foreignOrigin} {
		allowed := origin == allowedOrigin
		t.Run(origin, func(t *testing.T) {
			t.Run("success", func(t *testing.T) {
				r := do(t, req{method: "GET", path: "/v1/locales", headers: map[string]string{"Origin": origin}})
				want(t, r, 200, "")
				wantCORS(t, r, origin, allowed, "")
			})
			t.Run("problem", func(t *testing.T) {
				r := do(t, req{method: "GET", path: "/v1/me", headers: map[string]string{"Origin": origin}})
				want(t, r, 401, "unauthenticated")
				wantCORS(t, r, origin, allowed, "")
			})
			t.Run("method the path lacks", func(t *testing.T) {
				r := do(t, req{method: "PUT", path: "/v1/me", headers: map[string]string{"Origin": origin}, undocumented: true})
				want(t, r, 405, "method_not_allowed")
				if got := r.Header.Get("Allow"); got != "DELETE, GET, PATCH, OPTIONS" {
					t.Errorf("Allow %q", got)
				}
				wantCORS(t, r, origin, allowed, "")
			})
			t.Run("unknown path", func(t *testing.T) {
				r := do(t, req{method: "POST", path: "/v2/anything/at/all", headers: map[string]string{"Origin": origin}, undocumented: true})
				want(t, r, 404, "not_found")
				wantCORS(t, r, origin, allowed, "")
			})
			// API Gateway's own 413 cannot test the allow-list: it echoes every Origin.
			t.Run("gateway error", func(t *testing.T) {
				body := bytes.Repeat([]byte(" "), 10<<20+1)
				r := do(t, req{method: "POST", path: "/v1/auth/login", body: body, headers: map[string]string{"Origin": origin}, gateway: true})
				want(t, r, http.StatusRequestEntityTooLarge, "payload_too_large")
				if r.Header.Get("Content-Type") != "application/problem+json" || r.Header.Get("X-Amzn-Requestid") == "" ||
					!strings.Contains(string(r.Body), `"request_id":"`+r.Header.Get("X-Amzn-Requestid")+`"`) {
					t.Errorf("got %v %s, want problem+json with API Gateway's request id", r.Header, r.Body)
				}
				wantCORS(t, r, origin, true, "")
			})
		})
	}
}

// A method a literal path lacks is the fallback's 405 there, not a call of its {id}
// sibling's function with id "exists".
func TestMethodNotAllowedBesideAParameter(t *testing.T) {
	admin := adminToken(t)
	for _, m := range []string{"PATCH", "DELETE", "POST"} {
		r := do(t, req{method: m, path: "/v1/users/exists", token: admin, body: `{}`, undocumented: true})
		want(t, r, 405, "method_not_allowed")
		if got := r.Header.Get("Allow"); got != "GET, OPTIONS" {
			t.Errorf("%s: Allow %q, want GET, OPTIONS", m, got)
		}
	}
	// HEAD is not GET.
	want(t, do(t, req{method: "HEAD", path: "/v1/locales", undocumented: true}), 405, "")
}
