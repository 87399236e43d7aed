package profilefields

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of a custom-field declaration.
const (
	MaxFields        = 100   // custom fields per deployment
	MaxMaxLength     = 10000 // the largest max_length a string or url field may declare
	MaxChoices       = 1000  // choices of one choice field
	MaxChoiceLen     = 255   // characters of one choice
	DefaultStringMax = 255   // max_length of a string field that declares none
	DefaultURLMax    = 2048  // max_length of a url field that declares none
)

// customTypes are the types a custom field may declare.
var customTypes = []string{TypeString, TypeNumber, TypeInteger, TypeBoolean, TypeDate, TypeChoice, TypeURL}

// namePattern is what a custom field's name must look like; validName checks it without a
// regexp, which would be compiled at every cold start of every function.
const namePattern = `^[a-z][a-z0-9_]{0,63}$`

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Problem is one thing wrong with a profile-fields document. Path names where, as in
// "fields[2].choices"; it is empty for the document as a whole.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ParseError lists every problem Parse found in a document.
type ParseError struct {
	Problems []Problem
}

func (e *ParseError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return "profile fields: " + strings.Join(msgs, "; ")
}

// Parse reads a profile-fields document ({"fields": [...]}) and checks it strictly: unknown
// or repeated keys, bad names and types, and options that do not fit the type are all
// reported, together, as a *ParseError. An empty or blank document declares no fields.
//
// A field's keys are name and type (both required), required and user_editable (false when
// absent: a field is admin-only unless it says otherwise), max_length (string and url,
// 1..MaxMaxLength; defaults DefaultStringMax and DefaultURLMax), choices (choice, required),
// and min and max (number and integer, inclusive).
func Parse(doc []byte) (*Set, error) {
	s := &Set{index: map[string]int{}}
	if len(bytes.TrimSpace(doc)) == 0 {
		return s, nil
	}
	var p parser
	top, ok := p.object("", doc)
	if !ok {
		return nil, p.err()
	}
	var list []json.RawMessage
	seen := false
	for _, m := range top {
		switch m.key {
		case "fields":
			seen = true
			if isNull(m.value) || json.Unmarshal(m.value, &list) != nil {
				p.add("fields", "must be an array")
			}
		default:
			p.add(m.key, "unknown key")
		}
	}
	if !seen {
		p.add("fields", "required")
	}
	if len(list) > MaxFields {
		p.add("fields", fmt.Sprintf("at most %d fields", MaxFields))
	}
	names := map[string]bool{}
	for i, raw := range list {
		sp, ok := p.field(fmt.Sprintf("fields[%d]", i), raw)
		if sp.Name != "" && names[sp.Name] {
			p.add(fmt.Sprintf("fields[%d].name", i), fmt.Sprintf("duplicate name %q", sp.Name))
			continue
		}
		names[sp.Name] = true
		if ok {
			s.index[sp.Name] = len(s.specs)
			s.specs = append(s.specs, sp)
		}
	}
	if len(p.problems) > 0 {
		return nil, p.err()
	}
	return s, nil
}

type parser struct {
	problems []Problem
}

func (p *parser) add(path, msg string) { p.problems = append(p.problems, Problem{path, msg}) }

func (p *parser) err() error { return &ParseError{Problems: p.problems} }

type member struct {
	key   string
	value json.RawMessage
}

// object splits a JSON object into its members in order. encoding/json keeps the last of
// repeated keys silently; a configuration that says a thing twice is reported instead.
func (p *parser) object(path string, raw []byte) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		p.add(path, "must be a JSON object")
		return nil, false
	}
	var out []member
	keys := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			p.add(path, "invalid JSON: "+err.Error())
			return nil, false
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			p.add(path, "invalid JSON: "+err.Error())
			return nil, false
		}
		if keys[key] {
			p.add(join(path, key), "repeated key")
			continue
		}
		keys[key] = true
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		p.add(path, "invalid JSON: "+err.Error())
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		p.add(path, "unexpected data after the object")
		return nil, false
	}
	return out, true
}

// field checks one declaration; ok is false when it has problems (already recorded). A key
// whose value has the wrong JSON type is reported once, and the checks that depend on it
// are skipped rather than piling up consequences of the same mistake. sp.Name is set
// whenever the name itself is good, so duplicates are found among faulty fields too.
func (p *parser) field(path string, raw json.RawMessage) (sp spec, ok bool) {
	before := len(p.problems)
	members, ok := p.object(path, raw)
	if !ok {
		return spec{}, false
	}
	keys := p.keys(path, members, &sp)
	p.checkName(path, keys, &sp)
	if !p.checkType(path, keys, &sp) {
		return sp, false // the rest depends on the type
	}
	p.checkLength(path, keys, &sp)
	p.checkChoices(path, keys, &sp)
	p.checkBounds(path, keys, &sp)
	return sp, len(p.problems) == before
}

// fieldKeys records which keys a declaration gave and which of their values did not
// decode, and the max_length given.
type fieldKeys struct {
	present, bad map[string]bool
	maxLen       *float64
}

// keys decodes a declaration's members into sp.
func (p *parser) keys(path string, members []member, sp *spec) fieldKeys {
	k := fieldKeys{present: map[string]bool{}, bad: map[string]bool{}}
	for _, m := range members {
		at := join(path, m.key)
		k.present[m.key] = true
		n := len(p.problems)
		switch m.key {
		case "name":
			p.decode(at, m.value, &sp.Name, "a string")
		case "type":
			p.decode(at, m.value, &sp.Type, "a string")
		case "required":
			p.decode(at, m.value, &sp.Required, "true or false")
		case "user_editable":
			p.decode(at, m.value, &sp.UserEditable, "true or false")
		case "max_length":
			k.maxLen = p.number(at, m.value)
		case "choices":
			var c []string
			if p.decode(at, m.value, &c, "an array of strings") {
				sp.Choices = c
			}
		case "min":
			sp.min = p.number(at, m.value)
		case "max":
			sp.max = p.number(at, m.value)
		default:
			p.add(at, "unknown key")
		}
		k.bad[m.key] = len(p.problems) > n
	}
	return k
}

// checkName clears sp.Name unless it is a good one.
func (p *parser) checkName(path string, k fieldKeys, sp *spec) {
	switch {
	case !k.present["name"]:
		p.add(join(path, "name"), "required")
		sp.Name = ""
	case k.bad["name"]:
		sp.Name = ""
	case !validName(sp.Name):
		p.add(join(path, "name"), fmt.Sprintf("%q must match %s", sp.Name, namePattern))
		sp.Name = ""
	case slices.Contains(reserved, sp.Name):
		p.add(join(path, "name"), fmt.Sprintf("%q is a built-in field", sp.Name))
		sp.Name = ""
	}
}

// checkType reports whether sp has a known type.
func (p *parser) checkType(path string, k fieldKeys, sp *spec) bool {
	switch {
	case !k.present["type"]:
		p.add(join(path, "type"), "required")
		return false
	case k.bad["type"]:
		return false // reported by decode
	case !slices.Contains(customTypes, sp.Type):
		p.add(join(path, "type"), fmt.Sprintf("%q is not one of %s", sp.Type, strings.Join(customTypes, ", ")))
		return false
	}
	return true
}

// checkLength sets the maximum length of a textual field, given or by default.
func (p *parser) checkLength(path string, k fieldKeys, sp *spec) {
	textual := sp.Type == TypeString || sp.Type == TypeURL
	switch maxLen := k.maxLen; {
	case maxLen != nil && !textual:
		p.add(join(path, "max_length"), "only for string and url fields")
	case maxLen != nil && (*maxLen != math.Trunc(*maxLen) || *maxLen < 1 || *maxLen > MaxMaxLength):
		p.add(join(path, "max_length"), fmt.Sprintf("must be a whole number from 1 to %d", MaxMaxLength))
	case maxLen != nil:
		sp.MaxLength = intp(int(*maxLen))
	case sp.Type == TypeString:
		sp.MaxLength = intp(DefaultStringMax)
	case sp.Type == TypeURL:
		sp.MaxLength = intp(DefaultURLMax)
	}
}

// checkChoices holds a choice field's choices to the rules, and others to having none.
func (p *parser) checkChoices(path string, k fieldKeys, sp *spec) {
	switch {
	case k.present["choices"] && sp.Type != TypeChoice:
		p.add(join(path, "choices"), "only for choice fields")
	case sp.Type != TypeChoice:
	case !k.present["choices"] || (sp.Choices != nil && len(sp.Choices) == 0):
		p.add(join(path, "choices"), "required: at least one choice")
	case len(sp.Choices) > MaxChoices:
		p.add(join(path, "choices"), fmt.Sprintf("at most %d choices", MaxChoices))
	default:
		seen := map[string]bool{}
		for i, c := range sp.Choices {
			at := fmt.Sprintf("%s.choices[%d]", path, i)
			switch {
			case strings.TrimSpace(c) != c || c == "":
				p.add(at, "must be non-empty, without surrounding spaces")
			case utf8.RuneCountInString(c) > MaxChoiceLen:
				p.add(at, fmt.Sprintf("longer than %d characters", MaxChoiceLen))
			case seen[c]:
				p.add(at, fmt.Sprintf("duplicate choice %q", c))
			}
			seen[c] = true
		}
	}
}

// checkBounds holds min and max to numeric fields, whole numbers for integers, in order.
func (p *parser) checkBounds(path string, k fieldKeys, sp *spec) {
	numeric := sp.Type == TypeNumber || sp.Type == TypeInteger
	for _, b := range []struct {
		key string
		v   *float64
	}{{"min", sp.min}, {"max", sp.max}} {
		switch {
		case !k.present[b.key]:
		case !numeric:
			p.add(join(path, b.key), "only for number and integer fields")
		case b.v == nil:
		case sp.Type == TypeInteger && (*b.v != math.Trunc(*b.v) || math.Abs(*b.v) > maxSafeInt):
			p.add(join(path, b.key), fmt.Sprintf("must be a whole number within ±%d for an integer field", int64(maxSafeInt)))
		}
	}
	if numeric && sp.min != nil && sp.max != nil && *sp.min > *sp.max {
		p.add(join(path, "min"), "greater than max")
	}
	if !numeric {
		sp.min, sp.max = nil, nil
	}
}

func (p *parser) number(path string, raw json.RawMessage) *float64 {
	var n float64
	if !p.decode(path, raw, &n, "a number") {
		return nil
	}
	return &n
}

// decode reads one value into v, which must not be null: a key that is present says
// something, and null would say nothing.
func (p *parser) decode(path string, raw json.RawMessage, v any, want string) bool {
	if isNull(raw) || json.Unmarshal(raw, v) != nil {
		p.add(path, "must be "+want)
		return false
	}
	return true
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
