package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type reauthRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
	passkeyRequest
}

type reauthView struct {
	ReauthenticatedUntil string `json:"reauthenticated_until"`
}

// Reauthenticate serves POST /v1/auth/reauthenticate: the password (and a TOTP or recovery
// code when MFA is on), or a passkey's assertion (challenge_id and credential), opens this
// session's re-authentication window.
func Reauthenticate(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in reauthRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		until, err := svc.Reauthenticate(ctx, p, user.ReauthInput{Password: in.Password, Code: in.Code, Passkey: in.input()}, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, reauthView{ReauthenticatedUntil: timestamp(until)}), nil
	})
}
