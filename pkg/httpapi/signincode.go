package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type signInCodeRequest struct {
	Email           string `json:"email"`
	ConfirmationURL string `json:"confirmation_url"`
}

// SendSignInCode serves POST /v1/auth/email/code: the same 202 whether or not the address
// has an account.
func SendSignInCode(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in signInCodeRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		if err := svc.SendSignInCode(ctx, user.SignInCodeInput{Email: in.Email, ConfirmationURL: in.ConfirmationURL, Client: client(r)}); err != nil {
			return nil, err
		}
		return JSON(http.StatusAccepted, accepted{Status: "accepted"}), nil
	}
}

type verifySignInCodeRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
}

// SignInWithCode serves POST /v1/auth/email/code/verify.
func SignInWithCode(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in verifySignInCodeRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		a, err := svc.SignInWithCode(ctx, in.Email, in.Code, client(r))
		if err != nil {
			return nil, err
		}
		r.UserID = a.User.ID
		return JSON(http.StatusOK, viewAuth(ctx, svc, a)), nil
	}
}
