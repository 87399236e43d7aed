package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// DELETE /v1/users/{id}/mail-suppression: admins only; clears the marks of the user's
// addresses, records it, and says whether there was one.
func TestClearMailSuppression(t *testing.T) {
	st := memstore.New()
	marks := memstore.NewSuppressions(st)
	svc := user.NewService(st, auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, time.Now,
		user.Options{AllowConfirmationURL: func(*url.URL) bool { return false }, MailSuppressions: marks})
	f := &fixture{svc: svc, store: st, routes: map[string]httpapi.Lambda{
		"POST /v1/auth/register":    httpapi.Route("auth-register", httpapi.Register(svc)),
		"POST /v1/auth/admin/login": httpapi.Route("auth-admin-login", httpapi.AdminLogin(svc)),
	}}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "admin@example.com", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	resp := f.do(t, call{method: "POST", path: "/v1/auth/admin/login", body: `{"login":"admin@example.com","password":"correct-horse-battery"}`})
	var login struct{ Token string }
	if err := json.Unmarshal([]byte(resp.Body), &login); err != nil || login.Token == "" {
		t.Fatalf("admin login: %d %s", resp.StatusCode, resp.Body)
	}
	admin := login.Token
	member := f.signUp(t, "bounced@example.com")
	u, err := svc.UserByLogin(ctx, "bounced@example.com")
	if err != nil {
		t.Fatal(err)
	}
	marks.Suppress("bounced@example.com")

	h := httpapi.Route("users-mail-suppression-delete", httpapi.ClearMailSuppression(svc))
	for _, tt := range []struct {
		name       string
		id, token  string
		wantStatus int
		wantBody   string // the body, or the problem code
	}{
		{"no token", u.ID, "", 401, "unauthenticated"},
		{"a member", u.ID, member, 403, "forbidden"},
		{"unknown user", "0123456789abcdefghijklmnop", admin, 404, "not_found"},
		{"not an id", "x", admin, 404, "not_found"},
		{"cleared", u.ID, admin, 200, `{"cleared":true}`},
		{"nothing left to clear", u.ID, admin, 200, `{"cleared":false}`},
	} {
		headers := map[string]string{}
		if tt.token != "" {
			headers["Authorization"] = "Bearer " + tt.token
		}
		resp, _ := h(ctx, events.APIGatewayProxyRequest{HTTPMethod: "DELETE", Path: "/v1/users/" + tt.id + "/mail-suppression",
			Headers: headers, PathParameters: map[string]string{"id": tt.id},
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1",
				Identity: events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1"}}})
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.wantStatus, resp.Body)
			continue
		}
		got := resp.Body
		if tt.wantStatus != 200 {
			var p struct{ Code string }
			_ = json.Unmarshal([]byte(resp.Body), &p)
			got = p.Code
		}
		if got != tt.wantBody {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.wantBody)
		}
	}
	if marks.Suppressed("bounced@example.com") {
		t.Error("the address is still marked")
	}
	evs, _ := svc.UserEvents(ctx, u.ID)
	n := 0
	for _, e := range evs {
		if e.Type == user.EventMailSuppressionCleared && e.Detail["by"] != "" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d mail_suppression_cleared events by the admin, want 1 (the second call cleared nothing)", n)
	}
}
