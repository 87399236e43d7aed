package profilefields

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/locales"
)

func mustParse(t *testing.T, doc string) *Set {
	t.Helper()
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: got %v, want nil", err)
	}
	return s
}

func TestValidate(t *testing.T) {
	s := mustParse(t, example)
	fe := func(field, code string) apperr.FieldError { return apperr.FieldError{Field: field, Code: code} }
	for _, tc := range []struct {
		name    string
		attrs   map[string]any
		admin   bool
		partial bool
		want    map[string]any
		errs    []apperr.FieldError
	}{
		{name: "nothing, partial", attrs: nil, partial: true, want: map[string]any{}},
		{name: "user sets editable fields", partial: true,
			attrs: map[string]any{"company": "  Acme  ", "homepage": "https://example.com/a b", "seats": 3.0, "nickname": "Mo"},
			want:  map[string]any{"company": "Acme", "homepage": "https://example.com/a%20b", "seats": int64(3), "nickname": "Mo"}},
		{name: "admin sets every type", admin: true, partial: true,
			attrs: map[string]any{"tier": "gold", "age_verified": false, "score": 99.5, "signup_date": "2024-02-29", "seats": json.Number("7")},
			want:  map[string]any{"tier": "gold", "age_verified": false, "score": 99.5, "signup_date": "2024-02-29", "seats": int64(7)}},
		{name: "unknown attribute", partial: true, admin: true,
			attrs: map[string]any{"nope": 1, "company": "x"},
			errs:  []apperr.FieldError{fe("attributes.nope", apperr.FieldUnknown)}},
		{name: "user writes admin-only fields", partial: true,
			attrs: map[string]any{"tier": "gold", "age_verified": nil, "score": 1.0},
			errs: []apperr.FieldError{fe("attributes.age_verified", apperr.FieldReadOnly),
				fe("attributes.score", apperr.FieldReadOnly), fe("attributes.tier", apperr.FieldReadOnly)}},
		{name: "wrong JSON types", admin: true, partial: true,
			attrs: map[string]any{"company": 5.0, "age_verified": "true", "score": "5", "seats": true, "signup_date": 20240101.0, "tier": []any{"gold"}, "homepage": map[string]any{}},
			errs: []apperr.FieldError{fe("attributes.age_verified", apperr.FieldInvalidFormat), fe("attributes.company", apperr.FieldInvalidFormat),
				fe("attributes.homepage", apperr.FieldInvalidFormat), fe("attributes.score", apperr.FieldInvalidFormat),
				fe("attributes.seats", apperr.FieldInvalidFormat), fe("attributes.signup_date", apperr.FieldInvalidFormat),
				fe("attributes.tier", apperr.FieldInvalidFormat)}},
		{name: "bad values", admin: true, partial: true,
			attrs: map[string]any{"tier": "bronze", "signup_date": "2024-02-30", "homepage": "http://example.com", "nickname": "a\x00b", "seats": 1.5},
			errs: []apperr.FieldError{fe("attributes.homepage", apperr.FieldInvalidURL), fe("attributes.nickname", apperr.FieldInvalidFormat),
				fe("attributes.seats", apperr.FieldInvalidFormat), fe("attributes.signup_date", apperr.FieldInvalidFormat),
				fe("attributes.tier", apperr.FieldInvalidChoice)}},
		{name: "dates must be YYYY-MM-DD", admin: true, partial: true,
			attrs: map[string]any{"signup_date": "2024-2-01"},
			errs:  []apperr.FieldError{fe("attributes.signup_date", apperr.FieldInvalidFormat)}},
		{name: "urls need a host and no credentials", partial: true,
			attrs: map[string]any{"homepage": "https://user:pw@example.com"},
			errs:  []apperr.FieldError{fe("attributes.homepage", apperr.FieldInvalidURL)}},
		{name: "too long", partial: true,
			attrs: map[string]any{"company": strings.Repeat("é", 101)},
			errs:  []apperr.FieldError{{Field: "attributes.company", Code: apperr.FieldTooLong, Params: map[string]any{"max": 100}}}},
		{name: "exactly max length", partial: true,
			attrs: map[string]any{"company": strings.Repeat("é", 100)},
			want:  map[string]any{"company": strings.Repeat("é", 100)}},
		{name: "multi-line text is fine", partial: true,
			attrs: map[string]any{"nickname": "a\n\tb"},
			want:  map[string]any{"nickname": "a\n\tb"}},
		{name: "number out of range", admin: true, partial: true,
			attrs: map[string]any{"score": 100.5, "seats": 0.0},
			errs: []apperr.FieldError{
				{Field: "attributes.score", Code: apperr.FieldInvalidFormat, Params: map[string]any{"min": 0.0, "max": 100.0}},
				{Field: "attributes.seats", Code: apperr.FieldInvalidFormat, Params: map[string]any{"min": int64(1)}}}},
		{name: "integer beyond 2^53", partial: true,
			attrs: map[string]any{"seats": 9007199254740992.0},
			errs:  []apperr.FieldError{fe("attributes.seats", apperr.FieldInvalidFormat)}},
		{name: "null and blank clear", partial: true,
			attrs: map[string]any{"company": nil, "nickname": "   ", "homepage": ""},
			want:  map[string]any{"company": nil, "nickname": nil, "homepage": nil}},
		{name: "required cannot be cleared", partial: true,
			attrs: map[string]any{"seats": nil},
			errs:  []apperr.FieldError{fe("attributes.seats", apperr.FieldRequired)}},
		{name: "full write misses a required field",
			attrs: map[string]any{"company": "Acme"},
			errs:  []apperr.FieldError{fe("attributes.seats", apperr.FieldRequired)}},
		{name: "full write with the required field",
			attrs: map[string]any{"seats": 2.0},
			want:  map[string]any{"seats": int64(2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := s.Validate(tc.attrs, tc.admin, tc.partial)
			if diff := cmp.Diff(tc.errs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("clean (-want +got):\n%s", diff)
			}
		})
	}
}

// A user cannot be held to a required field only an admin may write; an admin can.
func TestValidateRequiredAdminOnly(t *testing.T) {
	s := mustParse(t, `{"fields": [{"name": "employee_id", "type": "string", "required": true}]}`)
	if _, errs := s.Validate(map[string]any{}, false, false); len(errs) != 0 {
		t.Errorf("user: got %v, want no errors", errs)
	}
	_, errs := s.Validate(map[string]any{}, true, false)
	if want := []apperr.FieldError{{Field: "attributes.employee_id", Code: apperr.FieldRequired}}; !cmp.Equal(want, errs) {
		t.Errorf("admin: got %v, want %v", errs, want)
	}
}

func TestNoCustomFields(t *testing.T) {
	s := mustParse(t, "")
	_, errs := s.Validate(map[string]any{"anything": "x"}, true, true)
	if want := []apperr.FieldError{{Field: "attributes.anything", Code: apperr.FieldUnknown}}; !cmp.Equal(want, errs) {
		t.Errorf("got %v, want %v", errs, want)
	}
	clean, errs := s.Validate(nil, false, false)
	if len(errs) != 0 || len(clean) != 0 {
		t.Errorf("got (%v, %v), want nothing", clean, errs)
	}
}

func TestBuiltIn(t *testing.T) {
	b := BuiltIn()
	var names []string
	for _, f := range b {
		names = append(names, f.Name)
		if !slices.Contains(reserved, f.Name) {
			t.Errorf("built-in %q is not reserved, want it reserved", f.Name)
		}
		if (f.Type == TypeChoice) != (len(f.Choices) > 0) {
			t.Errorf("%s: type %s with %d choices", f.Name, f.Type, len(f.Choices))
		}
		if !f.UserEditable {
			t.Errorf("%s: got user_editable false, want true", f.Name)
		}
	}
	want := []string{"first_name", "last_name", "email", "phone", "language", "currency", "timezone", "gender", "birth_date", "address", "social"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	byName := func(n string) Field { return b[slices.IndexFunc(b, func(f Field) bool { return f.Name == n })] }
	if f := byName("first_name"); f.MaxLength == nil || *f.MaxLength != 255 {
		t.Errorf("first_name: got max_length %v, want 255", f.MaxLength)
	}
	if f := byName("email"); f.MaxLength == nil || *f.MaxLength != 254 || !f.Required {
		t.Errorf("email: got %+v, want required, max 254", f)
	}
	for _, tc := range []struct {
		name  string
		valid func(string) bool
		n     int
	}{
		{"language", locales.ValidLanguage, len(locales.Languages())},
		{"currency", locales.ValidCurrency, len(locales.Currencies())},
		{"timezone", locales.ValidTimezone, len(locales.Timezones())},
	} {
		f := byName(tc.name)
		if len(f.Choices) != tc.n {
			t.Errorf("%s: got %d choices, want %d as /v1/locales", tc.name, len(f.Choices), tc.n)
		}
		for _, c := range f.Choices {
			if !tc.valid(c) {
				t.Errorf("%s: choice %q is not valid", tc.name, c)
			}
		}
	}
	if got := byName("gender").Choices; !cmp.Equal(got, Genders()) {
		t.Errorf("gender: got %v, want %v", got, Genders())
	}
}

func TestFieldJSON(t *testing.T) {
	s := mustParse(t, `{"fields": [{"name": "flag", "type": "boolean", "user_editable": true}, {"name": "tier", "type": "choice", "choices": ["a"]}]}`)
	got, err := json.Marshal(s.Fields())
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"name":"flag","type":"boolean","required":false,"max_length":null,"choices":null,"user_editable":true},` +
		`{"name":"tier","type":"choice","required":false,"max_length":null,"choices":["a"],"user_editable":false}]`
	if string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	all := s.All()
	if n := len(all); n != len(BuiltIn())+2 || all[n-1].Name != "tier" {
		t.Errorf("All: got %d fields ending %q, want built-ins then custom", n, all[n-1].Name)
	}
}
