package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

// Me serves GET /v1/me.
func Me(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, _ *Request, p *user.Principal) (*Response, error) {
		return JSON(http.StatusOK, view(ctx, svc, p.User)), nil
	})
}

type deleteMeRequest struct {
	Password string `json:"password"`
}

// DeleteMe serves DELETE /v1/me.
func DeleteMe(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in deleteMeRequest
		if err := DecodeOptionalJSON(r, &in); err != nil {
			return nil, err
		}
		if err := svc.DeleteAccount(ctx, p, in.Password, client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}
