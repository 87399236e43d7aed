// Package apperr is the catalogue of problem codes every route may answer with, and the
// error type that carries one from the domain to the HTTP edge.
//
// The domain returns *Error values (or wraps them); the HTTP glue turns them into RFC 9457
// problem details. Anything else that reaches the edge is an internal error.
package apperr

import (
	"errors"
	"time"

	"github.com/userbase/userbase/pkg/lazy"
)

// Code is a stable, documented problem code. Clients branch on it; never rename one.
type Code string

// The problem codes, with their HTTP status in Status below. docs/openapi.yaml lists the same.
const (
	ValidationFailed         Code = "validation_failed"
	MalformedJSON            Code = "malformed_json"
	UnknownField             Code = "unknown_field"
	ReadOnly                 Code = "read_only"
	PayloadTooLarge          Code = "payload_too_large"
	UnsupportedMediaType     Code = "unsupported_media_type"
	Unauthenticated          Code = "unauthenticated"
	Forbidden                Code = "forbidden"
	NotFound                 Code = "not_found"
	MethodNotAllowed         Code = "method_not_allowed"
	EmailTaken               Code = "email_taken"
	PhoneTaken               Code = "phone_taken"
	InvalidCredentials       Code = "invalid_credentials"
	AccountDisabled          Code = "account_disabled"
	MFARequired              Code = "mfa_required"
	InvalidCode              Code = "invalid_code"
	InvalidConfirmationURL   Code = "invalid_confirmation_url"
	RateLimited              Code = "rate_limited"
	Conflict                 Code = "conflict"
	LastAdmin                Code = "last_admin"
	ReauthenticationRequired Code = "reauthentication_required"
	PasswordExpired          Code = "password_expired"
	InvalidPasskey           Code = "invalid_passkey"
	Internal                 Code = "internal"

	// API Gateway answers these itself (template.yaml's GatewayResponses); no function does.
	BadRequest     Code = "bad_request"
	InvalidAPIKey  Code = "invalid_api_key"
	QuotaExceeded  Code = "quota_exceeded"
	GatewayTimeout Code = "gateway_timeout"
)

// status is each code's HTTP status, built on the first error answered.
var status = lazy.Value[map[Code]int]{New: statuses}

func statuses() map[Code]int {
	return map[Code]int{
		ValidationFailed:         400,
		MalformedJSON:            400,
		UnknownField:             400,
		ReadOnly:                 400,
		InvalidCode:              400,
		InvalidConfirmationURL:   400,
		InvalidPasskey:           400,
		Unauthenticated:          401,
		InvalidCredentials:       401,
		MFARequired:              401,
		Forbidden:                403,
		AccountDisabled:          403,
		ReauthenticationRequired: 403,
		PasswordExpired:          403,
		NotFound:                 404,
		MethodNotAllowed:         405,
		EmailTaken:               409,
		PhoneTaken:               409,
		Conflict:                 409,
		LastAdmin:                409,
		PayloadTooLarge:          413,
		UnsupportedMediaType:     415,
		RateLimited:              429,
		Internal:                 500,
		BadRequest:               400,
		InvalidAPIKey:            403,
		QuotaExceeded:            429,
		GatewayTimeout:           504,
	}
}

// Status is the HTTP status of a code; 500 for a code missing from the catalogue.
func Status(c Code) int {
	if s, ok := status.Get()[c]; ok {
		return s
	}
	return 500
}

// Codes lists every code of the catalogue, for documentation checks.
func Codes() []Code {
	all := status.Get()
	out := make([]Code, 0, len(all))
	for c := range all {
		out = append(out, c)
	}
	return out
}

// Field codes name what is wrong with one field of a request.
const (
	FieldRequired         = "required"
	FieldInvalidEmail     = "invalid_email"
	FieldInvalidPhone     = "invalid_phone"
	FieldTooLong          = "too_long"
	FieldTooShort         = "too_short"
	FieldInvalidChoice    = "invalid_choice"
	FieldInvalidFormat    = "invalid_format"
	FieldInvalidURL       = "invalid_url"
	FieldNotFound         = "not_found"
	FieldPasswordWeak     = "password_too_weak"
	FieldPasswordBreached = "password_breached"
	FieldMismatch         = "mismatch"
	FieldInvalidPassword  = "invalid_password"
	FieldInvalidImage     = "invalid_image"
	FieldTooLarge         = "too_large"
	FieldUnknown          = "unknown_field"
	FieldReadOnly         = "read_only"
	// FieldExclusive is a field given together with another proof it excludes.
	FieldExclusive = "exclusive"
)

// FieldError says what is wrong with one field. Params feed the localized message
// (for example {"max": 255} for too_long).
type FieldError struct {
	Field  string
	Code   string
	Params map[string]any
}

// Error is a problem the client caused or must know about.
type Error struct {
	Code Code
	// Detail names a more specific detail text than the code's own ("detail.<Code>.<Detail>"
	// in pkg/i18n), where the code alone would mislead: a conflict no retry resolves.
	Detail     string
	Fields     []FieldError
	RetryAfter time.Duration  // for rate_limited
	Allow      []string       // for method_not_allowed: the methods the path takes
	Extra      map[string]any // extra problem members, such as mfa_token
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return string(e.Code) + ": " + e.Fields[0].Field + " " + e.Fields[0].Code
	}
	return string(e.Code)
}

// Is makes errors.Is match two *Error values by code, so sentinels compare by meaning.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code && t.Detail == e.Detail && len(t.Fields) == 0
	}
	return false
}

// New is an error with a code and nothing else.
func New(c Code) *Error { return &Error{Code: c} }

// Invalid is a validation_failed error naming the bad fields.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: ValidationFailed, Fields: fields}
}

// Field is a shorthand for one FieldError.
func Field(field, code string) FieldError { return FieldError{Field: field, Code: code} }

// Limited is a rate_limited error that says when to come back.
func Limited(retryAfter time.Duration) *Error {
	return &Error{Code: RateLimited, RetryAfter: retryAfter}
}

// NotAllowed is a method_not_allowed error listing the methods the path does take.
func NotAllowed(methods ...string) *Error {
	return &Error{Code: MethodNotAllowed, Allow: methods}
}

// As returns the *Error inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects field errors; its Err is nil when there are none.
type Fields []FieldError

// Add records a field error.
func (f *Fields) Add(field, code string) { *f = append(*f, FieldError{Field: field, Code: code}) }

// AddP records a field error with message parameters.
func (f *Fields) AddP(field, code string, params map[string]any) {
	*f = append(*f, FieldError{Field: field, Code: code, Params: params})
}

// Err is a validation_failed error with the collected fields, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f...)
}
