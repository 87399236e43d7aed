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
	g := &gateway{router: newRouter([]*route{get, patch}), defaultAPI: api, log: &bytes.Buffer{}, now: time.Now}
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

	noCors := &gateway{router: newRouter([]*route{get}), defaultAPI: &samtemplate.API{}, log: &bytes.Buffer{}, now: time.Now}
	get.api = &samtemplate.API{}
	w = httptest.NewRecorder()
	noCors.ServeHTTP(w, httptest.NewRequest(http.MethodOptions, "/v1/me", nil))
	if w.Code != http.StatusForbidden {
		t.Errorf("OPTIONS without Cors: got %d, want 403", w.Code)
	}
}
