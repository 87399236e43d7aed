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
		if err := DecodeOptionalJSON(r, &in); err != nil {
			return nil, err
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

// ConfirmEmail serves POST /v1/auth/email/confirm. No token is needed; a caller signed in
// as the same user keeps its session when a new address ends the others.
func ConfirmEmail(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in confirmRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		var by *user.Principal
		if tok := BearerToken(r); tok != "" {
			by, _ = svc.Authenticate(ctx, tok) // a dead token only means nobody to keep
		}
		u, err := svc.ConfirmEmail(ctx, in.Code, by, client(r))
		if err != nil {
			return nil, err
		}
		r.UserID = u.ID
		return JSON(http.StatusOK, userEnvelope{User: view(ctx, svc, u)}), nil
	}
}

// RevertEmail serves POST /v1/auth/email/revert: the code mailed to the old address of an
// email change restores it and ends every session.
func RevertEmail(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in confirmRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		u, err := svc.RevertEmail(ctx, in.Code, client(r))
		if err != nil {
			return nil, err
		}
		r.UserID = u.ID
		return JSON(http.StatusOK, userEnvelope{User: view(ctx, svc, u)}), nil
	}
}
