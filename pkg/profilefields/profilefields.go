// Package profilefields describes the profile fields of a user, built-in and custom, for
// GET /v1/profile-fields, and enforces the custom ones on every write of `attributes`.
//
// Custom fields are declared in configuration, one JSON document:
//
//	{"fields": [
//	  {"name": "company", "type": "string", "max_length": 100, "user_editable": true},
//	  {"name": "tier", "type": "choice", "choices": ["gold", "silver"]},
//	  {"name": "score", "type": "number", "min": 0, "max": 100}
//	]}
//
// Parse checks the document strictly at init and reports every problem at once, so a bad
// deployment fails before it serves a request rather than on the first write.
package profilefields

import (
	"slices"

	"github.com/userbase/userbase/pkg/locales"
)

// Field types. Custom fields may use the first seven; email, phone and object describe
// built-in fields only.
const (
	TypeString  = "string"
	TypeNumber  = "number"
	TypeInteger = "integer"
	TypeBoolean = "boolean"
	TypeDate    = "date" // YYYY-MM-DD
	TypeChoice  = "choice"
	TypeURL     = "url" // https only

	TypeEmail  = "email"
	TypePhone  = "phone" // E.164
	TypeObject = "object"
)

// Limits of the built-in fields.
const (
	MaxNameLen  = 255 // first_name, last_name
	MaxEmailLen = 254 // RFC 5321 path limit
)

// Field describes one profile field as GET /v1/profile-fields lists it. MaxLength is nil
// and Choices nil for types they do not apply to.
type Field struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	Required     bool     `json:"required"`
	MaxLength    *int     `json:"max_length"`
	Choices      []string `json:"choices"`
	UserEditable bool     `json:"user_editable"`
}

// Genders are the values of the built-in gender field.
func Genders() []string {
	return []string{"female", "male", "non_binary", "other", "prefer_not_to_say"}
}

// BuiltIn describes the built-in profile fields of the user resource. The choices of
// language, currency and timezone are the keys GET /v1/locales lists.
func BuiltIn() []Field {
	keys := func(es []locales.Entry) []string {
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = e.Key
		}
		return out
	}
	return []Field{
		{Name: "first_name", Type: TypeString, MaxLength: intp(MaxNameLen), UserEditable: true},
		{Name: "last_name", Type: TypeString, MaxLength: intp(MaxNameLen), UserEditable: true},
		{Name: "email", Type: TypeEmail, Required: true, MaxLength: intp(MaxEmailLen), UserEditable: true},
		{Name: "phone", Type: TypePhone, UserEditable: true},
		{Name: "language", Type: TypeChoice, Choices: keys(locales.Languages()), UserEditable: true},
		{Name: "currency", Type: TypeChoice, Choices: keys(locales.Currencies()), UserEditable: true},
		{Name: "timezone", Type: TypeChoice, Choices: keys(locales.Timezones()), UserEditable: true},
		{Name: "gender", Type: TypeChoice, Choices: Genders(), UserEditable: true},
		{Name: "birth_date", Type: TypeDate, UserEditable: true},
		{Name: "address", Type: TypeObject, UserEditable: true},
		{Name: "social", Type: TypeObject, UserEditable: true},
	}
}

// reserved are the member names of the user resource (and of a registration body): a custom
// field may not take one, so that no client confuses attributes.x with x.
var reserved = []string{
	"id", "email", "email_verified", "pending_email", "phone", "first_name", "last_name",
	"role", "active", "language", "currency", "timezone", "gender", "birth_date", "address",
	"social", "attributes", "avatar_url", "sponsor_id", "mfa_enabled", "created_at",
	"updated_at", "password",
}

// Set is the custom fields of a deployment, as Parse validated them. The zero Set and a nil
// *Set have no fields.
type Set struct {
	specs []spec
	index map[string]int
}

// spec is a Field with the rules the listing does not show.
type spec struct {
	Field
	min, max *float64 // number and integer bounds, inclusive
}

// Fields describes the custom fields in their declared order. The result is a copy.
func (s *Set) Fields() []Field {
	if s == nil {
		return nil
	}
	out := make([]Field, len(s.specs))
	for i, sp := range s.specs {
		out[i] = sp.Field.clone()
	}
	return out
}

// All is every profile field: BuiltIn, then the custom fields. It is the item list of
// GET /v1/profile-fields.
func (s *Set) All() []Field { return append(BuiltIn(), s.Fields()...) }

func (s *Set) lookup(name string) (spec, bool) {
	if s == nil {
		return spec{}, false
	}
	i, ok := s.index[name]
	if !ok {
		return spec{}, false
	}
	return s.specs[i], true
}

func (f Field) clone() Field {
	if f.MaxLength != nil {
		f.MaxLength = intp(*f.MaxLength)
	}
	f.Choices = slices.Clone(f.Choices)
	return f
}

func intp(n int) *int { return &n }
