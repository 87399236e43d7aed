package app

import (
	"context"
	"errors"

	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/user"
)

// AccessTokens is the domain's port onto keys.Tokens: the issuer is the request's, which
// the HTTP glue puts in the context (jwt.WithIssuer).
func AccessTokens(t *keys.Tokens) user.Tokens { return accessTokens{t: t} }

// accessTokens counts each token it mints in m (nil: not counted).
type accessTokens struct {
	t *keys.Tokens
	m *metrics.Recorder
}

var _ user.Tokens = accessTokens{}

// errNoIssuer is a token asked for outside a request: a wiring mistake.
var errNoIssuer = errors.New("app: no issuer in the context")

func (a accessTokens) Mint(ctx context.Context, c *user.Claims) (*user.AccessToken, error) {
	iss := jwt.IssuerOf(ctx)
	if iss == "" {
		return nil, errNoIssuer
	}
	tok, exp, err := a.t.Mint(ctx, jwt.Claims{Issuer: iss, Subject: c.UserID, SessionID: c.SessionID, Role: c.Role,
		Email: c.Email, EmailVerified: c.EmailVerified, AMR: c.Methods, AuthTime: c.AuthTime})
	if err != nil {
		return nil, err
	}
	a.m.Count(ctx, metrics.TokensMinted, 1)
	return &user.AccessToken{Token: tok, ExpiresAt: exp, Lifetime: a.t.TTL()}, nil
}

func (a accessTokens) Verify(ctx context.Context, token string) (string, string, error) {
	c, err := a.t.Verify(ctx, token, jwt.IssuerOf(ctx))
	if err != nil {
		if errors.Is(err, jwt.ErrInvalid) {
			return "", "", user.ErrUnauthenticated
		}
		return "", "", err
	}
	return c.Subject, c.SessionID, nil
}
