package httpapi

import (
	"context"
	"strings"

	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/user"
)

// Authenticator resolves bearer tokens (user.Service).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*user.Principal, error)
}

// BearerToken is the token of an "Authorization: Bearer <token>" header, or "".
func BearerToken(r *Request) string {
	h := r.Header("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// Authed is a handler that needs a signed-in caller.
type Authed func(ctx context.Context, r *Request, p *user.Principal) (*Response, error)

// WithAuth authenticates the bearer token before h runs; from then on texts are in the
// user's language.
func WithAuth(a Authenticator, h Authed) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		tok := BearerToken(r)
		if tok == "" {
			return nil, user.ErrUnauthenticated
		}
		p, err := a.Authenticate(ctx, tok)
		if err != nil {
			return nil, err
		}
		r.UserID = p.User.ID
		r.Lang = i18n.Pick(p.User.Language, r.Header("Accept-Language"))
		return h(ctx, r, p)
	}
}

// ClientOf is what the domain records about the caller of r.
func ClientOf(r *Request) user.Client { return client(r) }

// client is what the domain records about the caller.
func client(r *Request) user.Client {
	return user.Client{IP: r.ClientIP(), UserAgent: r.UserAgent(), AcceptLanguage: r.Header("Accept-Language"),
		Domain: r.Event.RequestContext.DomainName}
}

// WithAdmin authenticates the bearer token and requires an admin (403 forbidden otherwise).
func WithAdmin(svc *user.Service, h Authed) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := user.RequireAdmin(p); err != nil {
			return nil, err
		}
		return h(ctx, r, p)
	})
}
