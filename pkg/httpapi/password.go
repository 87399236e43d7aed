package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type forgotRequest struct {
	Email           string `json:"email"`
	ConfirmationURL string `json:"confirmation_url"`
}

// accepted is the one body of POST /v1/auth/password/forgot, whoever asks.
type accepted struct {
	Status string `json:"status"`
}

// ForgotPassword serves POST /v1/auth/password/forgot.
func ForgotPassword(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in forgotRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		if err := svc.ForgotPassword(ctx, user.ForgotInput{Email: in.Email, ConfirmationURL: in.ConfirmationURL, Client: client(r)}); err != nil {
			return nil, err
		}
		return JSON(http.StatusAccepted, accepted{Status: "accepted"}), nil
	}
}

type resetRequest struct {
	Code        string `json:"code"`
	NewPassword string `json:"new_password"`
}

// ResetPassword serves POST /v1/auth/password/reset.
func ResetPassword(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in resetRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		if err := svc.ResetPassword(ctx, in.Code, in.NewPassword, client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	}
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	ConfirmPassword string `json:"confirm_password"`
}

// ChangePassword serves PUT /v1/me/password.
func ChangePassword(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in passwordRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		err := svc.ChangePassword(ctx, p, user.PasswordChange{Current: in.CurrentPassword, New: in.NewPassword, Confirm: in.ConfirmPassword}, client(r))
		if err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}
