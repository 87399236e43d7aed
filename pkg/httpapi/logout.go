package httpapi

import (
	"context"
	"strings"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/i18n"
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
		bad := NoBody(r)
		var all bool
		switch strings.ToLower(r.Query("all")) {
		case "", "false", "0":
		case "true", "1":
			all = true
		default:
			if bad == nil {
				bad = apperr.Invalid(apperr.Field("all", apperr.FieldInvalidChoice))
			}
		}
		if bad != nil {
			// The token is checked first, as on every route: with a dead one the answer is
			// 401, and a live one's user reads the problem in their own language.
			p, err := svc.Authenticate(ctx, tok)
			if err != nil {
				return nil, err
			}
			r.Lang = i18n.Pick(p.User.Language, r.Header("Accept-Language"))
			return nil, bad
		}
		if err := svc.Logout(ctx, tok, all, client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	}
}
