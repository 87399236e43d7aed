package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/logging"
)

// The request line names the problem code of every error answer.
func TestRequestLineCarriesTheCode(t *testing.T) {
	tests := []struct {
		name      string
		h         Handler
		status    int
		code      string // "" for no code member
		wantLevel string
	}{
		{"success", func(context.Context, *Request) (*Response, error) { return NoContent(), nil }, 204, "", "INFO"},
		{"problem", func(context.Context, *Request) (*Response, error) { return nil, apperr.New(apperr.NotFound) }, 404, "not_found", "INFO"},
		{"rate limited", func(context.Context, *Request) (*Response, error) { return nil, apperr.Limited(0) }, 429, "rate_limited", "INFO"},
		{"not allowed", func(context.Context, *Request) (*Response, error) { return nil, apperr.NotAllowed("GET") }, 405, "method_not_allowed", "INFO"},
		{"failure", func(context.Context, *Request) (*Response, error) { return nil, errors.New("disk on fire") }, 500, "internal", "ERROR"},
		{"unencodable body", func(context.Context, *Request) (*Response, error) { return JSON(200, func() {}), nil }, 500, "internal", "INFO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := route("test-route", tt.h, &config.HTTP{}, logging.New(&buf, slog.LevelInfo))
			resp, _ := h(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r1"}})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			var line map[string]any
			for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
				var m map[string]any
				if err := json.Unmarshal(l, &m); err != nil {
					t.Fatalf("log line %q is not JSON: %v", l, err)
				}
				if m["msg"] == "request" {
					line = m
				}
			}
			if line == nil {
				t.Fatalf("no request line in %q", buf.String())
			}
			got, has := line["code"]
			if tt.code == "" && has || tt.code != "" && got != tt.code {
				t.Errorf("code member %v (present %v), want %q", got, has, tt.code)
			}
			if line["status"] != float64(tt.status) || line["route"] != "test-route" || line["request_id"] != "r1" || line["level"] != tt.wantLevel {
				t.Errorf("request line %v", line)
			}
		})
	}
}

// Route applies LOG_LEVEL to the one logger every package writes with.
func TestRouteAppliesLogLevel(t *testing.T) {
	defer logging.SetLevel(slog.LevelInfo)
	ctx := context.Background()
	t.Setenv("LOG_LEVEL", "error")
	Route("x", Fallback())
	if logging.Logger().Enabled(ctx, slog.LevelInfo) || !logging.Logger().Enabled(ctx, slog.LevelError) {
		t.Error("LOG_LEVEL=error: the logger still writes info, or not errors")
	}
	t.Setenv("LOG_LEVEL", "debug")
	Route("x", Fallback())
	if !logging.Logger().Enabled(ctx, slog.LevelDebug) {
		t.Error("LOG_LEVEL=debug: the logger does not write debug")
	}
}

func TestFallbackStaleTable(t *testing.T) {
	h := route("api-fallback", fallback([]apiRoute{{"/v1/me", []string{"GET"}}}), &config.HTTP{}, logging.New(&bytes.Buffer{}, slog.LevelInfo))
	resp, _ := h(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/v1/me"})
	if resp.StatusCode != 500 {
		t.Errorf("GET a function serves, at the fallback: %d, want 500 (the table is stale)", resp.StatusCode)
	}
}
