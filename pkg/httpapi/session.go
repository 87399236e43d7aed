package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type sessionView struct {
	LoggedIn  bool   `json:"logged_in"`
	UserID    string `json:"user_id"`
	Role      string `json:"role"`
	ExpiresAt string `json:"expires_at"`
	SessionID string `json:"session_id"`
}

// Session serves GET /v1/auth/session.
func Session(svc *user.Service) Handler {
	return WithAuth(svc, func(_ context.Context, _ *Request, p *user.Principal) (*Response, error) {
		return JSON(http.StatusOK, sessionView{
			LoggedIn: true, UserID: p.User.ID, Role: p.User.Role, ExpiresAt: timestamp(p.Session.ExpiresAt), SessionID: p.Session.ID,
		}), nil
	})
}
