package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// Login serves POST /v1/auth/login.
func Login(svc *user.Service) Handler { return login(svc, svc.Login) }

// AdminLogin serves POST /v1/auth/admin/login.
func AdminLogin(svc *user.Service) Handler { return login(svc, svc.AdminLogin) }

func login(svc *user.Service, fn func(context.Context, user.LoginInput) (*user.Auth, error)) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in loginRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		a, err := fn(ctx, user.LoginInput{Login: in.Login, Password: in.Password, Client: client(r)})
		if err != nil {
			return nil, err
		}
		r.UserID = a.User.ID
		return JSON(http.StatusOK, viewAuth(ctx, svc, a)), nil
	}
}
