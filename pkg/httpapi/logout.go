package httpapi

import (
	"context"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

// Logout serves POST /v1/auth/logout; ?all=true ends every session of the user.
func Logout(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		tok := BearerToken(r)
		if tok == "" {
			return nil, user.ErrUnauthenticated
		}
		// No member is taken: one sent (such as "all", which is a query parameter) must not
		// look accepted.
		if err := DecodeOptionalJSON(r, &struct{}{}); err != nil {
			return nil, err
		}
		var all bool
		switch r.Query("all") {
		case "", "false", "0":
		case "true", "1":
			all = true
		default:
			return nil, apperr.Invalid(apperr.Field("all", apperr.FieldInvalidChoice))
		}
		if err := svc.Logout(ctx, tok, all, client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	}
}
