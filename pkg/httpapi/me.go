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
