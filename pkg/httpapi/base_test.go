package httpapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/site"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name, domain, path, fullPath, proto, want string
	}{
		{"execute-api with its stage", "abc.execute-api.eu-west-1.amazonaws.com", "/v1/me", "/prod/v1/me", "https", "https://abc.execute-api.eu-west-1.amazonaws.com/prod"},
		{"custom domain at its root", "id.example.com", "/account/sign-in", "/account/sign-in", "https", "https://id.example.com"},
		{"the local stack", "127.0.0.1:3000", "/v1/me", "/v1/me", "http", "http://127.0.0.1:3000"},
		{"the local stack by name", "localhost:3000", "/v1/me", "/v1/me", "", "http://localhost:3000"},
		{"a forwarded header does not make AWS http", "abc.example.com", "/v1/me", "/v1/me", "http", "https://abc.example.com"},
		{"no domain", "", "/v1/me", "/prod/v1/me", "", ""},
		{"a domain that is not one", "evil.example/x", "/v1/me", "/v1/me", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := events.APIGatewayProxyRequest{Path: tt.path, Headers: map[string]string{"X-Forwarded-Proto": tt.proto},
				RequestContext: events.APIGatewayProxyRequestContext{DomainName: tt.domain, Path: tt.fullPath}}
			if got := httpapi.BaseURL(&ev); got != tt.want {
				t.Errorf("BaseURL = %q, want %q", got, tt.want)
			}
		})
	}
}

// The handler's context carries the base URL, for the service's mail links; a Raw body goes
// out as it is.
func TestRouteCarriesTheBaseAndRawBodies(t *testing.T) {
	var seen string
	h := httpapi.Route("raw", func(ctx context.Context, r *httpapi.Request) (*httpapi.Response, error) {
		seen = site.Base(ctx)
		return &httpapi.Response{Status: 200, Headers: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			Body: httpapi.Raw("<p>hi</p>")}, nil
	})
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{Path: "/account/x",
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r1", DomainName: "id.example.com", Path: "/prod/account/x"}})
	if err != nil || resp.StatusCode != 200 || resp.Body != "<p>hi</p>" || resp.Headers["Content-Type"] != "text/html; charset=utf-8" {
		t.Errorf("got %d %q %v %v, want 200 <p>hi</p> as text/html", resp.StatusCode, resp.Body, resp.Headers, err)
	}
	if seen != "https://id.example.com/prod" {
		t.Errorf("site.Base(ctx) = %q, want https://id.example.com/prod", seen)
	}
}
