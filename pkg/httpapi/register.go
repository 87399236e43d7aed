package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	profileFields
	SponsorID       string `json:"sponsor_id"`
	ConfirmationURL string `json:"confirmation_url"`
}

// Register serves POST /v1/auth/register.
func Register(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in registerRequest
		if err := DecodeJSON(r, &in, ReadOnlyUserFields...); err != nil {
			return nil, err
		}
		a, err := svc.Register(ctx, user.Registration{
			Email: in.Email, Password: in.Password, Profile: in.profile(), SponsorID: in.SponsorID,
			ConfirmationURL: in.ConfirmationURL, Client: client(r),
		})
		if err != nil {
			return nil, err
		}
		r.UserID = a.User.ID
		return JSON(http.StatusCreated, viewAuth(ctx, svc, a)), nil
	}
}
