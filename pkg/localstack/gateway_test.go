package localstack

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/samtemplate"
)

func TestGatewayNoRoute(t *testing.T) {
	custom := &samtemplate.API{StageName: "v1", GatewayResponses: map[string]samtemplate.GatewayResponse{
		"MISSING_AUTHENTICATION_TOKEN": {
			StatusCode: 404,
			Headers:    map[string]string{"Content-Type": "application/problem+json", "X-Extra": "1"},
			Templates:  map[string]string{"application/json": `{"code":"route_not_found","detail":$context.error.messageString,"request_id":"$context.requestId"}`},
		},
	}}
	fallback := &samtemplate.API{StageName: "v1", GatewayResponses: map[string]samtemplate.GatewayResponse{
		"DEFAULT_4XX": {Headers: map[string]string{"Access-Control-Allow-Origin": "*"}},
	}}
	cases := []struct {
		name        string
		api         *samtemplate.API
		wantStatus  int
		wantType    string
		wantBody    string
		wantHeaders map[string]string
	}{
		{"built in", &samtemplate.API{StageName: "Prod"}, 403, "application/json", `{"message":"Missing Authentication Token"}`,
			map[string]string{"X-Amzn-Errortype": "MissingAuthenticationTokenException"}},
		{"template's own", custom, 404, "application/problem+json", `{"code":"route_not_found","detail":"Missing Authentication Token","request_id":"REQ"}`,
			map[string]string{"X-Extra": "1"}},
		{"DEFAULT_4XX", fallback, 403, "application/json", `{"message":"Missing Authentication Token"}`,
			map[string]string{"Access-Control-Allow-Origin": "*"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &gateway{router: newRouter(nil), defaultAPI: c.api, log: &bytes.Buffer{}, now: time.Now}
			w := httptest.NewRecorder()
			g.ServeHTTP(w, httptest.NewRequest("GET", "/nowhere", nil))
			reqID := w.Header().Get("X-Amzn-Requestid")
			if reqID == "" {
				t.Error("no X-Amzn-Requestid")
			}
			body := strings.ReplaceAll(w.Body.String(), reqID, "REQ")
			if w.Code != c.wantStatus || w.Header().Get("Content-Type") != c.wantType || body != c.wantBody {
				t.Errorf("got %d %q %s, want %d %q %s", w.Code, w.Header().Get("Content-Type"), body, c.wantStatus, c.wantType, c.wantBody)
			}
			for k, v := range c.wantHeaders {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s: got %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestWriteProxyResponse(t *testing.T) {
	api := &samtemplate.API{BinaryMediaTypes: []string{"image/png"}}
	cases := []struct {
		name       string
		out        string
		accept     string
		wantErr    bool
		wantStatus int
		wantBody   string
		wantHeader map[string][]string
	}{
		{name: "plain", out: `{"statusCode":201,"headers":{"X-A":"1"},"body":"{}"}`, wantStatus: 201, wantBody: "{}",
			wantHeader: map[string][]string{"X-A": {"1"}, "Content-Type": {"application/json"}}},
		{name: "multi-value wins", out: `{"statusCode":200,"headers":{"Set-Cookie":"x"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":""}`, wantStatus: 200,
			wantHeader: map[string][]string{"Set-Cookie": {"a=1", "b=2"}}},
		{name: "base64 for a binary type", out: `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"aGk=","isBase64Encoded":true}`, wantStatus: 200, wantBody: "hi"},
		{name: "base64 accepted as binary", out: `{"statusCode":200,"headers":{"Content-Type":"text/plain"},"body":"aGk=","isBase64Encoded":true}`, accept: "image/png", wantStatus: 200, wantBody: "hi"},
		{name: "base64 for a text type stays text", out: `{"statusCode":200,"headers":{"Content-Type":"text/plain"},"body":"aGk=","isBase64Encoded":true}`, wantStatus: 200, wantBody: "aGk="},
		{name: "not JSON", out: `"hello"`, wantErr: true},
		{name: "no status", out: `{"body":"x"}`, wantErr: true},
		{name: "bad base64", out: `{"statusCode":200,"body":"%%%","isBase64Encoded":true}`, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if c.accept != "" {
				r.Header.Set("Accept", c.accept)
			}
			w := httptest.NewRecorder()
			status, err := writeProxyResponse(w, r, []byte(c.out), api)
			if c.wantErr {
				if err == nil {
					t.Fatalf("got status %d, want an error", status)
				}
				if w.Body.Len() != 0 {
					t.Errorf("wrote %q before failing, want nothing", w.Body.String())
				}
				return
			}
			if err != nil || w.Code != c.wantStatus || w.Body.String() != c.wantBody {
				t.Errorf("got %d %q (%v), want %d %q", w.Code, w.Body.String(), err, c.wantStatus, c.wantBody)
			}
			for k, want := range c.wantHeader {
				if got := w.Header().Values(k); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("header %s: got %v, want %v", k, got, want)
				}
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	api := &samtemplate.API{Properties: map[string]any{"Cors": map[string]any{
		"AllowOrigin": "'http://localhost:5173'", "AllowHeaders": "'Content-Type,Authorization'", "MaxAge": "'600'",
	}}}
	get, _ := newRoute("GET", "/v1/me", api, &function{})
	patch, _ := newRoute("PATCH", "/v1/me", api, &function{})
	routes := []*route{get, patch}
	g := &gateway{router: newRouter(append(routes, corsMocks(api, routes)...)), defaultAPI: api, log: &bytes.Buffer{}, now: time.Now}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest(http.MethodOptions, "/v1/me", nil))
	want := map[string]string{
		"Access-Control-Allow-Origin":  "http://localhost:5173",
		"Access-Control-Allow-Methods": "GET,PATCH,OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type,Authorization",
		"Access-Control-Max-Age":       "600",
	}
	if w.Code != 200 {
		t.Errorf("status: got %d, want 200", w.Code)
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}

	plain := &samtemplate.API{}
	get.api = plain
	noCors := &gateway{router: newRouter(append([]*route{get}, corsMocks(plain, []*route{get})...)), defaultAPI: plain, log: &bytes.Buffer{}, now: time.Now}
	w = httptest.NewRecorder()
	noCors.ServeHTTP(w, httptest.NewRequest(http.MethodOptions, "/v1/me", nil))
	if w.Code != http.StatusForbidden {
		t.Errorf("OPTIONS without Cors: got %d, want 403", w.Code)
	}
}

// Gateway responses as the template writes them: static and mapped headers, the body
// template, and the status each response type ends with.
func TestGatewayResponses(t *testing.T) {
	problem := func(code string) map[string]string {
		return map[string]string{"application/json": `{"code":"` + code + `","request_id":"$context.requestId","detail":$context.error.messageString}`}
	}
	cors := map[string]string{"Access-Control-Allow-Origin": "method.request.header.Origin", "X-Id": "method.request.path.id", "X-Q": "method.request.querystring.q", "X-Stage": "stageVariables.v"}
	api := &samtemplate.API{StageName: "v1", GatewayResponses: map[string]samtemplate.GatewayResponse{
		"REQUEST_TOO_LARGE": {StatusCode: 413, Headers: map[string]string{"Content-Type": "application/problem+json", "Vary": "Origin"}, Mapped: cors, Templates: problem("payload_too_large")},
		"THROTTLED":         {Headers: map[string]string{"Retry-After": "1"}, Templates: problem("rate_limited")},
		"DEFAULT_4XX":       {Headers: map[string]string{"Content-Type": "application/problem+json"}, Mapped: cors, Templates: problem("bad_request")},
		"DEFAULT_5XX":       {Templates: problem("internal")},
	}}
	forced := &samtemplate.API{GatewayResponses: map[string]samtemplate.GatewayResponse{
		"DEFAULT_4XX":                  {StatusCode: 400},
		"MISSING_AUTHENTICATION_TOKEN": {StatusCode: 404},
		"THROTTLED":                    {},
	}}
	cases := []struct {
		name       string
		api        *samtemplate.API
		typ        string
		status     int
		origin     string
		wantStatus int
		wantBody   string
		want       map[string]string // "" for a header that must be absent
	}{
		{"own entry, origin echoed", api, "REQUEST_TOO_LARGE", 413, "http://localhost:5173", 413,
			`{"code":"payload_too_large","request_id":"REQ","detail":"Request Too Long"}`,
			map[string]string{"Content-Type": "application/problem+json", "Vary": "Origin", "Access-Control-Allow-Origin": "http://localhost:5173", "X-Id": "42", "X-Q": "b", "X-Stage": ""}},
		{"no Origin, no header", api, "REQUEST_TOO_LARGE", 413, "", 413, "",
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"own entry without a status keeps the type's", api, "THROTTLED", 429, "", 429, "",
			map[string]string{"Retry-After": "1", "Content-Type": "application/json"}},
		{"DEFAULT_4XX for a type without an entry, status kept", api, "INVALID_API_KEY", 403, "https://a.example", 403,
			`{"code":"bad_request","request_id":"REQ","detail":"Forbidden"}`,
			map[string]string{"Access-Control-Allow-Origin": "https://a.example", "Content-Type": "application/problem+json"}},
		{"DEFAULT_5XX, status kept", api, "DEFAULT_5XX", 502, "https://a.example", 502,
			`{"code":"internal","request_id":"REQ","detail":"Internal server error"}`,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"a DEFAULT status replaces the class's", forced, "INVALID_API_KEY", 403, "", 400, `{"message":"Forbidden"}`, nil},
		{"and the status of an entry without one", forced, "THROTTLED", 429, "", 400, "", nil},
		{"but not one the type sets", forced, "MISSING_AUTHENTICATION_TOKEN", 403, "", 404, "", nil},
		{"nor another class", forced, "INTEGRATION_TIMEOUT", 504, "", 504, "", nil},
	}
	messages := map[int]string{413: "Request Too Long", 429: "Too Many Requests", 403: "Forbidden", 502: "Internal server error", 504: "Endpoint request timed out"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/users/42?q=a&q=b", nil)
			if c.origin != "" {
				r.Header.Set("Origin", c.origin)
			}
			w := httptest.NewRecorder()
			got := gatewayResponder{w: w, r: r, api: c.api, params: map[string]string{"id": "42"}, requestID: "REQ"}.write(c.typ, c.status, messages[c.status])
			if got != c.wantStatus || w.Code != c.wantStatus {
				t.Errorf("status: returned %d, wrote %d, want %d", got, w.Code, c.wantStatus)
			}
			if c.wantBody != "" && w.Body.String() != c.wantBody {
				t.Errorf("body: got %s, want %s", w.Body, c.wantBody)
			}
			for k, v := range c.want {
				if _, present := w.Header()[http.CanonicalHeaderKey(k)]; v == "" && present {
					t.Errorf("header %s: got %q, want none", k, w.Header().Get(k))
				} else if got := w.Header().Get(k); v != "" && got != v {
					t.Errorf("header %s: got %q, want %q", k, got, v)
				}
			}
		})
	}
}

// A body over API Gateway's 10 MB is its own 413, before any function runs.
func TestGatewayBodyTooLarge(t *testing.T) {
	api := &samtemplate.API{GatewayResponses: map[string]samtemplate.GatewayResponse{
		"REQUEST_TOO_LARGE": {StatusCode: 413, Mapped: map[string]string{"Access-Control-Allow-Origin": "method.request.header.Origin"}},
	}}
	post, _ := newRoute("POST", "/v1/x", api, &function{id: "XFunction"})
	g := &gateway{router: newRouter([]*route{post}), defaultAPI: api, log: &bytes.Buffer{}, now: time.Now}
	r := httptest.NewRequest("POST", "/v1/x", bytes.NewReader(make([]byte, maxRequestBody+1)))
	r.Header.Set("Origin", "http://evil.example")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != 413 || w.Header().Get("Access-Control-Allow-Origin") != "http://evil.example" || w.Header().Get("X-Amzn-Errortype") != "RequestTooLargeException" {
		t.Errorf("got %d %v, want 413 with the Origin echoed", w.Code, w.Header())
	}
}
