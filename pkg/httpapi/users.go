package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

type createUserRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
	profileFields
	SponsorID       string          `json:"sponsor_id"`
	ConfirmationURL string          `json:"confirmation_url"`
	Active          json.RawMessage `json:"active"`
	EmailVerified   json.RawMessage `json:"email_verified"`
}

type createdView struct {
	User              userView `json:"user"`
	GeneratedPassword string   `json:"generated_password,omitempty"`
}

// adminReadOnly are the user members an admin cannot set either: ReadOnlyUserFields but
// role, active and email_verified.
var adminReadOnly = []string{"id", "pending_email", "avatar_url", "mfa_enabled", "created_at", "updated_at"}

// adminPatchReadOnly are those an admin's change cannot set: the sponsor is set at creation.
var adminPatchReadOnly = []string{"id", "pending_email", "avatar_url", "mfa_enabled", "created_at",
	"updated_at", "sponsor_id"}

// CreateUser serves POST /v1/users.
func CreateUser(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in createUserRequest
		if err := DecodeJSON(r, &in, adminReadOnly...); err != nil {
			return nil, err
		}
		var errs apperr.Fields
		active := rawBool(in.Active, "active", &errs)
		verified := rawBool(in.EmailVerified, "email_verified", &errs)
		if err := errs.Err(); err != nil {
			return nil, err
		}
		u, generated, err := svc.CreateUser(ctx, p, user.AdminCreate{Email: in.Email, Password: in.Password, Role: in.Role,
			Profile: in.profile(), SponsorID: in.SponsorID, ConfirmationURL: in.ConfirmationURL,
			Active: active, EmailVerified: verified}, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusCreated, createdView{User: view(ctx, svc, u), GeneratedPassword: generated}), nil
	})
}

// GetUser serves GET /v1/users/{id}.
func GetUser(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, _ *user.Principal) (*Response, error) {
		u, err := svc.GetUser(ctx, r.Event.PathParameters["id"])
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, view(ctx, svc, u)), nil
	})
}

type existsView struct {
	Exists bool `json:"exists"`
}

// UserExists serves GET /v1/users/exists?login=.
func UserExists(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, _ *user.Principal) (*Response, error) {
		ok, err := svc.Exists(ctx, r.Query("login"))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, existsView{Exists: ok}), nil
	})
}

// adminPatchRequest is PATCH /v1/me's body plus the members only an admin writes.
type adminPatchRequest struct {
	patchRequest
	Role          json.RawMessage `json:"role"`
	Active        json.RawMessage `json:"active"`
	EmailVerified json.RawMessage `json:"email_verified"`
}

// UpdateUser serves PATCH /v1/users/{id}.
func UpdateUser(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in adminPatchRequest
		if err := DecodeJSON(r, &in, adminPatchReadOnly...); err != nil {
			return nil, err
		}
		if in.CurrentPassword != nil {
			// PATCH /v1/me's proof: an admin's change needs none, and a member that would be
			// ignored must not look accepted.
			return nil, &apperr.Error{Code: apperr.UnknownField, Fields: []apperr.FieldError{apperr.Field("current_password", apperr.FieldUnknown)}}
		}
		patch, err := in.patch()
		var errs apperr.Fields
		patch.Role = rawString(in.Role, "role", &errs)
		patch.Active = rawBool(in.Active, "active", &errs)
		patch.EmailVerified = rawBool(in.EmailVerified, "email_verified", &errs)
		if err == nil {
			err = errs.Err()
		} else if e, ok := apperr.As(err); ok && e.Code == apperr.ValidationFailed {
			err = apperr.Invalid(append(e.Fields, errs...)...)
		}
		id := r.Event.PathParameters["id"]
		if err != nil {
			if cur, gerr := svc.GetUser(ctx, id); gerr == nil {
				err = withValueErrors(err, svc.CheckPatch(ctx, cur, patch, true))
			}
			return nil, err
		}
		u, err := svc.AdminUpdate(ctx, p, id, patch, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, view(ctx, svc, u)), nil
	})
}

// rawBool is nil for an absent member; null or a non-boolean is invalid.
func rawBool(raw json.RawMessage, field string, errs *apperr.Fields) *bool {
	if raw == nil {
		return nil
	}
	var b bool
	if isNull(raw) || json.Unmarshal(raw, &b) != nil {
		errs.Add(field, apperr.FieldInvalidFormat)
		return nil
	}
	return &b
}

// DeleteUser serves DELETE /v1/users/{id}; ?with_data=true also deletes what the user owns.
func DeleteUser(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		var withData bool
		switch strings.ToLower(r.Query("with_data")) { // True and TRUE, as some clients spell it
		case "", "false", "0":
		case "true", "1":
			withData = true
		default:
			return nil, apperr.Invalid(apperr.Field("with_data", apperr.FieldInvalidChoice))
		}
		if err := svc.DeleteUser(ctx, p, r.Event.PathParameters["id"], withData); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}

type setPasswordRequest struct {
	NewPassword string `json:"new_password"`
}

// SetUserPassword serves PUT /v1/users/{id}/password.
func SetUserPassword(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in setPasswordRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		if err := svc.SetPassword(ctx, p, r.Event.PathParameters["id"], in.NewPassword, client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}

// ConfirmUserEmail serves POST /v1/users/{id}/email/confirm.
func ConfirmUserEmail(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		u, err := svc.ForceConfirmEmail(ctx, p, r.Event.PathParameters["id"], client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, view(ctx, svc, u)), nil
	})
}

// UserEvents serves GET /v1/users/{id}/events.
func UserEvents(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, _ *user.Principal) (*Response, error) {
		page, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		events, err := svc.UserEvents(ctx, r.Event.PathParameters["id"])
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, eventsPage(events, page)), nil
	})
}

// SearchUsers serves GET /v1/users: q, sort, downline_of and paging.
func SearchUsers(svc *user.Service) Handler {
	return WithAdmin(svc, func(ctx context.Context, r *Request, _ *user.Principal) (*Response, error) {
		pg, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		res, err := svc.SearchUsers(ctx, user.SearchParams{Q: r.Query("q"), Sort: r.Query("sort"),
			DownlineOf: r.Query("downline_of"), Page: pg.Number, PerPage: pg.Size})
		if err != nil {
			return nil, err
		}
		items := make([]userView, len(res.Users))
		for i, u := range res.Users {
			items[i] = view(ctx, svc, u)
		}
		return JSON(http.StatusOK, listOf(items, res.Total, pg)), nil
	})
}
