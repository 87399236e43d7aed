package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

// Me serves GET /v1/me.
func Me(svc *user.Service) Handler {
	return WithAuth(svc, func(_ context.Context, _ *Request, p *user.Principal) (*Response, error) {
		return JSON(http.StatusOK, viewUser(p.User)), nil
	})
}
