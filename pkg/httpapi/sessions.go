package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/user"
)

type sessionItemView struct {
	ID         string `json:"id"`
	CreatedAt  string `json:"created_at"`
	LastSeenAt string `json:"last_seen_at"`
	ExpiresAt  string `json:"expires_at"`
	UserAgent  string `json:"user_agent"`
	IP         string `json:"ip"`
	Current    bool   `json:"current"`
}

// ListSessions serves GET /v1/me/sessions: one Query both authenticates and lists.
func ListSessions(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		tok := BearerToken(r)
		if tok == "" {
			return nil, user.ErrUnauthenticated
		}
		l, err := svc.Sessions(ctx, tok)
		if err != nil {
			return nil, err
		}
		r.UserID = l.Principal.User.ID
		r.Lang = i18n.Pick(l.Principal.User.Language, r.Header("Accept-Language"))
		page, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		items := make([]sessionItemView, len(l.Sessions))
		for i, se := range l.Sessions {
			items[i] = sessionItemView{ID: se.ID, CreatedAt: timestamp(se.CreatedAt), LastSeenAt: timestamp(se.LastSeenAt),
				ExpiresAt: timestamp(se.ExpiresAt), UserAgent: se.UserAgent, IP: se.IP, Current: se.ID == l.Principal.Session.ID}
		}
		return JSON(http.StatusOK, pageOf(items, page)), nil
	}
}

// RevokeSession serves DELETE /v1/me/sessions/{session_id}.
func RevokeSession(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		if err := svc.RevokeSession(ctx, p, r.Event.PathParameters["session_id"], client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}
