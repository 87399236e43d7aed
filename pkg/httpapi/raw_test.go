package httpapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/httpapi"
)

// A Raw body goes out as it is, with the handler's Content-Type.
func TestRawBody(t *testing.T) {
	h := httpapi.Route("raw", func(ctx context.Context, r *httpapi.Request) (*httpapi.Response, error) {
		return &httpapi.Response{Status: 200, Headers: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			Body: httpapi.Raw("<p>hi</p>")}, nil
	})
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r1"}})
	if err != nil || resp.StatusCode != 200 || resp.Body != "<p>hi</p>" || resp.Headers["Content-Type"] != "text/html; charset=utf-8" {
		t.Errorf("got %d %q %v %v, want 200 <p>hi</p> as text/html", resp.StatusCode, resp.Body, resp.Headers, err)
	}
}
