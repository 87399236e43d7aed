package httpapi

import (
	"context"
	"time"

	"github.com/userbase/userbase/pkg/user"
)

// userView is the user resource of docs/api.md. Optional fields are null when unset, never
// absent, so clients see one shape.
type userView struct {
	ID            string         `json:"id"`
	Email         string         `json:"email"`
	EmailVerified bool           `json:"email_verified"`
	PendingEmail  *string        `json:"pending_email"`
	Phone         *string        `json:"phone"`
	FirstName     *string        `json:"first_name"`
	LastName      *string        `json:"last_name"`
	Role          string         `json:"role"`
	Active        bool           `json:"active"`
	Language      *string        `json:"language"`
	Currency      *string        `json:"currency"`
	Timezone      *string        `json:"timezone"`
	Gender        *string        `json:"gender"`
	BirthDate     *string        `json:"birth_date"`
	Address       *user.Address  `json:"address"`
	Social        *user.Social   `json:"social"`
	Attributes    map[string]any `json:"attributes"`
	AvatarURL     *string        `json:"avatar_url"`
	SponsorID     *string        `json:"sponsor_id"`
	MFAEnabled    bool           `json:"mfa_enabled"`
	CreatedAt     string         `json:"created_at"`
	UpdatedAt     string         `json:"updated_at"`
}

// view is the user resource of u, its avatar URL signed fresh.
func view(ctx context.Context, svc *user.Service, u *user.User) userView {
	v := viewUser(u)
	v.AvatarURL = opt(svc.AvatarURL(ctx, u))
	return v
}

func viewUser(u *user.User) userView {
	attrs := u.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	return userView{
		ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified, PendingEmail: opt(u.PendingEmail),
		Phone: opt(u.Phone), FirstName: opt(u.FirstName), LastName: opt(u.LastName), Role: u.Role,
		Active: u.Active, Language: opt(u.Language), Currency: opt(u.Currency), Timezone: opt(u.Timezone),
		Gender: opt(u.Gender), BirthDate: opt(u.BirthDate), Address: u.Address, Social: u.Social,
		Attributes: attrs, SponsorID: opt(u.SponsorID), MFAEnabled: u.MFAEnabled,
		CreatedAt: timestamp(u.CreatedAt), UpdatedAt: timestamp(u.UpdatedAt),
	}
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// timestamp is RFC 3339 in UTC, to the second.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// authView is the answer of every route that signs a user in: the session token (the
// long-lived credential, kept like a refresh token) and an access token of it.
type authView struct {
	User      userView `json:"user"`
	Token     string   `json:"token"`
	ExpiresAt string   `json:"expires_at"`
	accessView
}

// accessView is an access token as OAuth 2.0 (RFC 6749, section 5.1) answers one.
type accessView struct {
	AccessToken string `json:"access_token,omitempty"`
	TokenType   string `json:"token_type,omitempty"`
	ExpiresIn   int64  `json:"expires_in,omitempty"`
}

func viewAccess(at *user.AccessToken) accessView {
	if at == nil {
		return accessView{}
	}
	// The lifetime as minted (exp - iat), not what is left of it a moment later: with iat
	// a whole second, that would be one second short about half the time.
	return accessView{AccessToken: at.Token, TokenType: "Bearer", ExpiresIn: max(int64(at.Lifetime/time.Second), 1)}
}

func viewAuth(ctx context.Context, svc *user.Service, a *user.Auth) authView {
	return authView{User: view(ctx, svc, a.User), Token: a.Token, ExpiresAt: timestamp(a.ExpiresAt), accessView: viewAccess(a.Access)}
}
