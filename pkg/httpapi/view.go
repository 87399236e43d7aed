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
	Address       *addressView   `json:"address"`
	Social        *socialView    `json:"social"`
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
		Gender: opt(u.Gender), BirthDate: opt(u.BirthDate), Address: viewAddress(u.Address), Social: viewSocial(u.Social),
		Attributes: attrs, SponsorID: opt(u.SponsorID), MFAEnabled: u.MFAEnabled,
		CreatedAt: timestamp(u.CreatedAt), UpdatedAt: timestamp(u.UpdatedAt),
	}
}

// addressView is an address with every member, null when unset, as the other optional
// fields are.
type addressView struct {
	Country    *string `json:"country"`
	State      *string `json:"state"`
	City       *string `json:"city"`
	District   *string `json:"district"`
	Line       *string `json:"line"`
	PostalCode *string `json:"postal_code"`
}

func viewAddress(a *user.Address) *addressView {
	if a == nil {
		return nil
	}
	return &addressView{Country: opt(a.Country), State: opt(a.State), City: opt(a.City), District: opt(a.District),
		Line: opt(a.Line), PostalCode: opt(a.PostalCode)}
}

// socialView is the social links with every member, null when unset.
type socialView struct {
	Website   *string `json:"website"`
	Instagram *string `json:"instagram"`
	Telegram  *string `json:"telegram"`
	LinkedIn  *string `json:"linkedin"`
	Facebook  *string `json:"facebook"`
	Twitter   *string `json:"twitter"`
}

func viewSocial(s *user.Social) *socialView {
	if s == nil {
		return nil
	}
	return &socialView{Website: opt(s.Website), Instagram: opt(s.Instagram), Telegram: opt(s.Telegram),
		LinkedIn: opt(s.LinkedIn), Facebook: opt(s.Facebook), Twitter: opt(s.Twitter)}
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
