package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type suppressionView struct {
	// Cleared says whether there was a mark to clear.
	Cleared bool `json:"cleared"`
}

// ClearMailSuppression serves DELETE /v1/users/{id}/mail-suppression: mail may reach the
// user's addresses again after SES reported a bounce or a complaint.
func ClearMailSuppression(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		cleared, err := svc.ClearMailSuppression(ctx, p, r.Event.PathParameters["id"], client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, suppressionView{Cleared: cleared}), nil
	})
}
