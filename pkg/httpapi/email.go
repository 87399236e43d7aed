package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type verificationRequest struct {
	ConfirmationURL string `json:"confirmation_url"`
}

// ResendVerification serves POST /v1/auth/email/verification. The body is optional.
func ResendVerification(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in verificationRequest
		if r.Event.Body != "" {
			if err := DecodeJSON(r, &in); err != nil {
				return nil, err
			}
		}
		if err := svc.ResendVerification(ctx, p, in.ConfirmationURL); err != nil {
			return nil, err
		}
		return JSON(http.StatusAccepted, accepted{Status: "accepted"}), nil
	})
}

type confirmRequest struct {
	Code string `json:"code"`
}

type userEnvelope struct {
	User userView `json:"user"`
}

// ConfirmEmail serves POST /v1/auth/email/confirm.
func ConfirmEmail(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in confirmRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		u, err := svc.ConfirmEmail(ctx, in.Code, client(r))
		if err != nil {
			return nil, err
		}
		r.UserID = u.ID
		return JSON(http.StatusOK, userEnvelope{User: view(ctx, svc, u)}), nil
	}
}
