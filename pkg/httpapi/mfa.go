package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type enrollmentView struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// BeginTOTP serves POST /v1/me/mfa/totp.
func BeginTOTP(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		e, err := svc.BeginTOTP(ctx, p)
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, enrollmentView{Secret: e.Secret, OTPAuthURL: e.OTPAuthURL}), nil
	})
}

type codeRequest struct {
	Code string `json:"code"`
}

type recoveryView struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// ConfirmTOTP serves POST /v1/me/mfa/totp/confirm.
func ConfirmTOTP(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in codeRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		codes, err := svc.ConfirmTOTP(ctx, p, in.Code, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, recoveryView{RecoveryCodes: codes}), nil
	})
}

type disableMFARequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// DisableTOTP serves DELETE /v1/me/mfa/totp.
func DisableTOTP(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in disableMFARequest
		if err := DecodeOptionalJSON(r, &in); err != nil {
			return nil, err
		}
		if err := svc.DisableTOTP(ctx, p, in.Password, in.Code, client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}

type mfaRequest struct {
	MFAToken string `json:"mfa_token"`
	Code     string `json:"code"`
}

// CompleteMFA serves POST /v1/auth/mfa.
func CompleteMFA(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in mfaRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		a, err := svc.CompleteMFA(ctx, in.MFAToken, in.Code, client(r))
		if err != nil {
			return nil, err
		}
		r.UserID = a.User.ID
		return JSON(http.StatusOK, viewAuth(ctx, svc, a)), nil
	}
}
