package httpapi

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"slices"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

type tokenRequest struct {
	Token string `json:"token"`
}

// Token serves POST /v1/auth/token: a fresh access token for the live session of a session
// token, sent as JSON {"token": …} or as OAuth 2.0's refresh grant
// (grant_type=refresh_token&refresh_token=…, form-encoded), so OAuth client libraries can
// refresh with it.
func Token(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		tok, err := sessionTokenOf(r)
		if err != nil {
			return nil, oauthError(err)
		}
		p, at, err := svc.RefreshAccess(ctx, tok)
		if err != nil {
			return nil, oauthError(err)
		}
		r.UserID = p.User.ID
		return JSON(http.StatusOK, viewAccess(at)), nil
	}
}

// oauthError adds OAuth 2.0's error code (RFC 6749 §5.2) to a client error of the token
// route: invalid_grant for a session token that is not live, unsupported_grant_type for a
// grant other than refresh_token, invalid_request for any other bad request. Limits and
// the service's own failures pass as they are.
func oauthError(err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	code := "invalid_request"
	switch {
	case e.Code == apperr.Unauthenticated:
		code = "invalid_grant"
	case apperr.Status(e.Code) >= 500 || e.Code == apperr.RateLimited:
		return err
	case slices.ContainsFunc(e.Fields, func(f apperr.FieldError) bool {
		return f.Field == "grant_type" && f.Code == apperr.FieldInvalidChoice
	}):
		code = "unsupported_grant_type"
	}
	out := *e
	out.Extra = map[string]any{"error": code}
	if e.Code == apperr.Unauthenticated {
		out.Detail = "session_token" // the token came in the body, not a header
	}
	return &out
}

// sessionTokenOf reads the session token of a token request in either form.
func sessionTokenOf(r *Request) (string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		var in tokenRequest
		if err := DecodeJSON(r, &in); err != nil {
			return "", err
		}
		if in.Token == "" {
			return "", apperr.Invalid(apperr.Field("token", apperr.FieldRequired))
		}
		return in.Token, nil
	}
	if EncodedBody(r) {
		return "", apperr.New(apperr.UnsupportedMediaType)
	}
	body, err := r.Body()
	if err != nil || len(body) > MaxJSONBody {
		return "", apperr.New(apperr.PayloadTooLarge)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", &apperr.Error{Code: apperr.MalformedJSON, Detail: "form"}
	}
	var errs apperr.Fields
	switch gt := form.Get("grant_type"); gt {
	case "refresh_token":
	case "":
		errs.Add("grant_type", apperr.FieldRequired)
	default:
		errs.Add("grant_type", apperr.FieldInvalidChoice)
	}
	tok := form.Get("refresh_token")
	if tok == "" {
		errs.Add("refresh_token", apperr.FieldRequired)
	}
	// OAuth's rules for the form (RFC 6749 §3.2): parameters the server does not know are
	// ignored (client_id, scope, client_secret), and none may be sent twice.
	for _, k := range []string{"grant_type", "refresh_token"} {
		if len(form[k]) > 1 {
			errs.Add(k, apperr.FieldInvalidFormat)
		}
	}
	return tok, errs.Err()
}
