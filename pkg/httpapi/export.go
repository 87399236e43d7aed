package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/user"
)

// exportView is everything held about a user. Credentials are never in it: no password
// hash, no token hash, no TOTP secret, no recovery code hash.
type exportView struct {
	ExportedAt     string            `json:"exported_at"`
	Profile        userView          `json:"profile"`
	Sessions       []sessionItemView `json:"sessions"`
	Wishlist       []wishView        `json:"wishlist"`
	SecurityEvents []eventView       `json:"security_events"`
	MFA            mfaView           `json:"mfa"`
	Passkeys       []passkeyView     `json:"passkeys"`
	Avatar         *avatarURLs       `json:"avatar"`
}

type mfaView struct {
	Enabled                bool `json:"enabled"`
	EnrollmentPending      bool `json:"enrollment_pending"`
	RecoveryCodesRemaining int  `json:"recovery_codes_remaining"`
}

type avatarURLs struct {
	ImageURL     string `json:"image_url"`
	ThumbnailURL string `json:"thumbnail_url"`
}

// Export serves GET /v1/me/export, as a download.
func Export(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		tok := BearerToken(r)
		if tok == "" {
			return nil, user.ErrUnauthenticated
		}
		p, d, err := svc.Export(ctx, tok)
		if err != nil {
			return nil, err
		}
		r.UserID, r.Lang = p.User.ID, i18n.Pick(p.User.Language, r.Header("Accept-Language"))
		out := exportView{ExportedAt: timestamp(time.Now()), Profile: view(ctx, svc, d.User),
			Sessions: []sessionItemView{}, Wishlist: []wishView{}, SecurityEvents: []eventView{}, Passkeys: []passkeyView{}}
		for _, se := range d.Sessions {
			out.Sessions = append(out.Sessions, sessionItemView{ID: se.ID, CreatedAt: timestamp(se.CreatedAt),
				LastSeenAt: timestamp(se.LastSeenAt), ExpiresAt: timestamp(se.ExpiresAt), UserAgent: se.UserAgent,
				IP: se.IP, Current: se.ID == p.Session.ID})
		}
		for _, w := range d.Wishes {
			out.Wishlist = append(out.Wishlist, viewWish(w))
		}
		for _, e := range d.Events {
			out.SecurityEvents = append(out.SecurityEvents, viewEvent(e))
		}
		for _, pk := range d.Passkeys {
			out.Passkeys = append(out.Passkeys, viewPasskey(pk))
		}
		out.MFA.Enabled = d.User.MFAEnabled
		if d.MFA != nil {
			out.MFA.EnrollmentPending, out.MFA.RecoveryCodesRemaining = d.MFA.Pending, len(d.MFA.Recovery)
		}
		if img, thumb := svc.AvatarURLs(ctx, d.User); img != "" {
			out.Avatar = &avatarURLs{ImageURL: img, ThumbnailURL: thumb}
		}
		return &Response{Status: http.StatusOK, Body: out, Headers: map[string]string{
			"Content-Disposition": `attachment; filename="export-` + d.User.ID + `.json"`,
		}}, nil
	}
}
