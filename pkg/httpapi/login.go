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
func Login(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in loginRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		a, err := svc.Login(ctx, user.LoginInput{Login: in.Login, Password: in.Password, Client: client(r)})
		if err != nil {
			return nil, err
		}
		r.UserID = a.User.ID
		return JSON(http.StatusOK, viewAuth(a)), nil
	}
}
