package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

// patchRequest holds each member raw, so that an absent member (no change) and a null one
// (clear it) can be told apart.
type patchRequest struct {
	FirstName  json.RawMessage `json:"first_name"`
	LastName   json.RawMessage `json:"last_name"`
	Phone      json.RawMessage `json:"phone"`
	Language   json.RawMessage `json:"language"`
	Currency   json.RawMessage `json:"currency"`
	Timezone   json.RawMessage `json:"timezone"`
	Gender     json.RawMessage `json:"gender"`
	BirthDate  json.RawMessage `json:"birth_date"`
	Address    json.RawMessage `json:"address"`
	Social     json.RawMessage `json:"social"`
	Attributes json.RawMessage `json:"attributes"`
	Email      json.RawMessage `json:"email"`
	// CurrentPassword is the proof an email or phone change needs outside a
	// re-authenticated session.
	CurrentPassword json.RawMessage `json:"current_password"`
}

// patchOf turns a decoded body into a domain patch; each member's type is checked on its
// own, so an error names its field.
func (in *patchRequest) patch() (user.Patch, error) {
	var (
		p    user.Patch
		errs apperr.Fields
	)
	p.FirstName = rawString(in.FirstName, "first_name", &errs)
	p.LastName = rawString(in.LastName, "last_name", &errs)
	p.Phone = rawString(in.Phone, "phone", &errs)
	p.Language = rawString(in.Language, "language", &errs)
	p.Currency = rawString(in.Currency, "currency", &errs)
	p.Timezone = rawString(in.Timezone, "timezone", &errs)
	p.Gender = rawString(in.Gender, "gender", &errs)
	p.BirthDate = rawString(in.BirthDate, "birth_date", &errs)
	p.Email = rawString(in.Email, "email", &errs)
	if pw := rawString(in.CurrentPassword, "current_password", &errs); pw != nil {
		p.CurrentPassword = *pw
	}
	if in.Email != nil && p.Email != nil && *p.Email == "" {
		errs.Add("email", apperr.FieldRequired) // the email can change, never go
	}
	if in.Address != nil {
		p.Address = &user.Address{}
		if err := rawObject(in.Address, "address", p.Address, &errs); err != nil {
			return p, err
		}
	}
	if in.Social != nil {
		p.Social = &user.Social{}
		if err := rawObject(in.Social, "social", p.Social, &errs); err != nil {
			return p, err
		}
	}
	if in.Attributes != nil {
		p.AttributesSet = true
		if !isNull(in.Attributes) {
			if err := json.Unmarshal(in.Attributes, &p.Attributes); err != nil || p.Attributes == nil {
				errs.Add("attributes", apperr.FieldInvalidFormat)
			}
		}
	}
	return p, errs.Err()
}

func (in *patchRequest) empty() bool {
	return in.FirstName == nil && in.LastName == nil && in.Phone == nil && in.Language == nil &&
		in.Currency == nil && in.Timezone == nil && in.Gender == nil && in.BirthDate == nil &&
		in.Address == nil && in.Social == nil && in.Attributes == nil && in.Email == nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// rawString is nil for an absent member, "" for null, else the string.
func rawString(raw json.RawMessage, field string, errs *apperr.Fields) *string {
	if raw == nil {
		return nil
	}
	s := ""
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &s); err != nil {
			errs.Add(field, apperr.FieldInvalidFormat)
			return nil
		}
	}
	return &s
}

// withValueErrors adds to a body's type errors (err) the value errors of its members that
// had the right type (more), so a client hears of every bad field at once, each once.
func withValueErrors(err error, more apperr.Fields) error {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.ValidationFailed || len(more) == 0 {
		return err
	}
	fields := slices.Clone(e.Fields)
	for _, f := range more {
		if !slices.ContainsFunc(fields, func(g apperr.FieldError) bool { return g.Field == f.Field }) {
			fields = append(fields, f)
		}
	}
	return apperr.Invalid(fields...)
}

// rawObject decodes an object member strictly into the struct dst, member by member: a
// name dst does not have, exactly as spelt, is unknown_field; a member of the wrong type is
// added to errs by its path (address.country). null leaves dst empty, which clears it.
func rawObject(raw json.RawMessage, field string, dst any, errs *apperr.Fields) error {
	if isNull(raw) {
		return nil
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		errs.Add(field, apperr.FieldInvalidFormat)
		return nil
	}
	v := reflect.ValueOf(dst).Elem()
	if unknown := unknownNames(members, field, v.Type()); len(unknown) > 0 {
		return &apperr.Error{Code: apperr.UnknownField, Fields: unknown}
	}
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		m, ok := members[name]
		if !ok || isNull(m) {
			continue
		}
		if json.Unmarshal(m, v.Field(i).Addr().Interface()) != nil {
			errs.Add(field+"."+name, apperr.FieldInvalidFormat)
		}
	}
	return nil
}

// patchReadOnly are the user members PATCH /v1/me cannot set: ReadOnlyUserFields and the
// sponsor, set at sign-up. This list and the admin's two are written out, not derived at
// package init, which a cold start would pay for (TestReadOnlyLists keeps them in step).
var patchReadOnly = []string{"id", "email_verified", "pending_email", "role", "active",
	"avatar_url", "mfa_enabled", "created_at", "updated_at", "sponsor_id"}

// UpdateMe serves PATCH /v1/me.
func UpdateMe(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in patchRequest
		if err := DecodeJSON(r, &in, patchReadOnly...); err != nil {
			return nil, err
		}
		patch, err := in.patch()
		if err != nil {
			return nil, withValueErrors(err, svc.CheckPatch(ctx, p.User, patch, false))
		}
		if in.empty() {
			// Nothing to change (a current_password alone proves nothing is wanted).
			return JSON(http.StatusOK, view(ctx, svc, p.User)), nil
		}
		u, err := svc.UpdateProfile(ctx, p, patch, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, view(ctx, svc, u)), nil
	})
}

type languageRequest struct {
	Language string `json:"language"`
}

// SetLanguage serves PUT /v1/me/language.
func SetLanguage(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in languageRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		u, err := svc.SetLanguage(ctx, p, in.Language, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, view(ctx, svc, u)), nil
	})
}
