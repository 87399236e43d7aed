package profilefields

import (
	"encoding/json"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/userbase/userbase/pkg/apperr"
)

// maxSafeInt is the largest integer a float64, and so a JavaScript client, holds exactly.
const maxSafeInt = 1<<53 - 1

// Validate checks the attributes of one write against the custom fields and returns them
// cleaned (trimmed strings, https URLs normalized, integers as int64, numbers as float64), or
// every problem, each on field "attributes.<name>":
//
//   - a name no field declares: unknown_field
//   - a field that is not user-editable, written by a user (byAdmin false): read_only
//   - a value of the wrong JSON type, a bad date, a number outside min..max (Params "min",
//     "max"), a string with control characters other than tab and newlines: invalid_format
//   - a url field that is not an https URL: invalid_url
//   - a string or url longer than max_length: too_long, Params {"max": n}
//   - a choice not listed: invalid_choice
//   - a required field cleared, or missing from a full write (partial false): required
//
// A JSON null clears an attribute, and so does a blank string in a string, url, date or
// choice field: clean maps its name to nil, and the caller deletes it. A write that is partial (PATCH) leaves unsent attributes alone; a full
// one (create) must send every required field the writer may write. A user is not held to
// required fields only an admin can write. Numbers arrive from encoding/json as float64;
// json.Number and Go integers are accepted too. clean is nil when errs is not empty.
func (s *Set) Validate(attrs map[string]any, byAdmin, partial bool) (clean map[string]any, errs []apperr.FieldError) {
	var fe apperr.Fields
	clean = make(map[string]any, len(attrs))
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		field := "attributes." + name
		sp, ok := s.lookup(name)
		switch {
		case !ok:
			fe.Add(field, apperr.FieldUnknown)
			continue
		case !sp.UserEditable && !byAdmin:
			fe.Add(field, apperr.FieldReadOnly)
			continue
		}
		v, code, params := sp.check(attrs[name])
		switch {
		case code != "":
			fe.AddP(field, code, params)
		case v == nil && sp.Required:
			fe.Add(field, apperr.FieldRequired)
		default:
			clean[name] = v
		}
	}
	if !partial && s != nil {
		for _, sp := range s.specs {
			if _, sent := attrs[sp.Name]; !sent && sp.Required && (byAdmin || sp.UserEditable) {
				fe.Add("attributes."+sp.Name, apperr.FieldRequired)
			}
		}
	}
	if len(fe) > 0 {
		return nil, fe
	}
	return clean, nil
}

// check validates one value; a nil clean value with no code means "clear".
func (sp spec) check(v any) (clean any, code string, params map[string]any) {
	if v == nil {
		return nil, "", nil
	}
	switch sp.Type {
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, "", nil
		}
		return nil, apperr.FieldInvalidFormat, nil
	case TypeNumber, TypeInteger:
		return sp.number(v)
	}

	s, ok := v.(string)
	if !ok {
		return nil, apperr.FieldInvalidFormat, nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", nil
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, badControl) >= 0 {
		return nil, apperr.FieldInvalidFormat, nil
	}
	if sp.MaxLength != nil && utf8.RuneCountInString(s) > *sp.MaxLength {
		return nil, apperr.FieldTooLong, map[string]any{"max": *sp.MaxLength}
	}
	switch sp.Type {
	case TypeString:
		return s, "", nil
	case TypeDate:
		if _, err := time.Parse(time.DateOnly, s); err != nil || len(s) != len(time.DateOnly) {
			return nil, apperr.FieldInvalidFormat, nil
		}
		return s, "", nil
	case TypeChoice:
		if !slices.Contains(sp.Choices, s) {
			return nil, apperr.FieldInvalidChoice, nil
		}
		return s, "", nil
	case TypeURL:
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			return nil, apperr.FieldInvalidURL, nil
		}
		return u.String(), "", nil
	}
	return nil, apperr.FieldInvalidFormat, nil // unreachable: Parse admits no other type
}

func (sp spec) number(v any) (clean any, code string, params map[string]any) {
	f, ok := toFloat(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, apperr.FieldInvalidFormat, nil
	}
	integer := sp.Type == TypeInteger
	if integer && (f != math.Trunc(f) || math.Abs(f) > maxSafeInt) {
		return nil, apperr.FieldInvalidFormat, nil
	}
	if (sp.min != nil && f < *sp.min) || (sp.max != nil && f > *sp.max) {
		params = map[string]any{}
		for k, b := range map[string]*float64{"min": sp.min, "max": sp.max} {
			switch {
			case b == nil:
			case integer:
				params[k] = int64(*b)
			default:
				params[k] = *b
			}
		}
		return nil, apperr.FieldInvalidFormat, params
	}
	if integer {
		return int64(f), "", nil
	}
	return f, "", nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	}
	return 0, false
}

// badControl admits tab and line breaks, which multi-line text fields need.
func badControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}
