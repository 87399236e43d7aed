package localstack

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/userbase/userbase/pkg/samtemplate"
)

func TestProxyRequest(t *testing.T) {
	api := &samtemplate.API{StageName: "v1", BinaryMediaTypes: []string{"image/*", "multipart/form-data"}}
	rt, err := newRoute("POST", "/v1/users/{id}/avatar", api, &function{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

	r := httptest.NewRequest("POST", "http://127.0.0.1:3000/v1/users/u%201/avatar?size=small&tag=a&tag=b", strings.NewReader("\x89PNG"))
	r.RemoteAddr = "127.0.0.1:51234"
	r.Header.Set("Content-Type", "image/png")
	r.Header.Set("User-Agent", "test-agent")
	r.Header.Add("Accept-Language", "fa")
	r.Header.Add("Accept-Language", "en")
	ev := proxyRequest(r, []byte("\x89PNG"), rt, map[string]string{"id": "u 1"}, "req-1", now)

	if ev.Resource != "/v1/users/{id}/avatar" || ev.Path != "/v1/users/u%201/avatar" || ev.HTTPMethod != "POST" {
		t.Errorf("resource/path/method: got %q %q %q", ev.Resource, ev.Path, ev.HTTPMethod)
	}
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString([]byte("\x89PNG")) {
		t.Errorf("binary body: got base64 %v %q, want base64 of the bytes", ev.IsBase64Encoded, ev.Body)
	}
	if diff := cmp.Diff(map[string]string{"size": "small", "tag": "b"}, ev.QueryStringParameters); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"size": {"small"}, "tag": {"a", "b"}}, ev.MultiValueQueryStringParameters); diff != "" {
		t.Errorf("multi-value query (-want +got):\n%s", diff)
	}
	if got := ev.MultiValueHeaders["Accept-Language"]; !cmp.Equal(got, []string{"fa", "en"}) || ev.Headers["Accept-Language"] != "en" {
		t.Errorf("Accept-Language: got multi %v single %q, want [fa en] and en", got, ev.Headers["Accept-Language"])
	}
	for k, want := range map[string]string{"Host": "127.0.0.1:3000", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Port": "3000", "X-Forwarded-Proto": "http"} {
		if ev.Headers[k] != want {
			t.Errorf("header %s: got %q, want %q", k, ev.Headers[k], want)
		}
	}
	rc := ev.RequestContext
	if rc.RequestID != "req-1" || rc.Stage != "v1" || rc.ResourcePath != "/v1/users/{id}/avatar" ||
		rc.Path != "/v1/v1/users/u%201/avatar" || rc.HTTPMethod != "POST" || rc.AccountID != samtemplate.LocalAccountID ||
		rc.Identity.SourceIP != "127.0.0.1" || rc.Identity.UserAgent != "test-agent" ||
		rc.RequestTimeEpoch != now.UnixMilli() || rc.RequestTime != "04/Mar/2025:05:06:07 +0000" {
		t.Errorf("request context: got %+v", rc)
	}
}

func TestProxyRequestEmpty(t *testing.T) {
	rt, _ := newRoute("GET", "/health", &samtemplate.API{StageName: "Prod"}, &function{})
	r := httptest.NewRequest("GET", "http://localhost/health", nil)
	ev := proxyRequest(r, nil, rt, nil, "req-2", time.Now())
	if ev.QueryStringParameters != nil || ev.MultiValueQueryStringParameters != nil || ev.PathParameters != nil {
		t.Errorf("got query %v / %v, path params %v; want nil maps, as API Gateway sends null", ev.QueryStringParameters, ev.MultiValueQueryStringParameters, ev.PathParameters)
	}
	if ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("got body %q base64 %v, want empty", ev.Body, ev.IsBase64Encoded)
	}
}

func TestIsBinary(t *testing.T) {
	types := []string{"image/png", "application/*", "multipart/form-data"}
	for ct, want := range map[string]bool{
		"image/png":                         true,
		"IMAGE/PNG":                         true,
		"image/jpeg":                        false,
		"application/octet-stream":          true,
		"multipart/form-data; boundary=abc": true,
		"text/plain":                        false,
		"":                                  false,
	} {
		if got := isBinary(ct, types); got != want {
			t.Errorf("isBinary(%q): got %v, want %v", ct, got, want)
		}
	}
	if !isBinary("text/plain", []string{"*/*"}) {
		t.Error("isBinary with */*: got false, want true")
	}
	if isBinary("image/png", nil) {
		t.Error("isBinary without binary types: got true, want false")
	}
}
