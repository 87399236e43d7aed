package profilefields

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const example = `{"fields": [
	{"name": "company", "type": "string", "required": false, "max_length": 100, "user_editable": true},
	{"name": "tier", "type": "choice", "choices": ["gold","silver"], "user_editable": false},
	{"name": "age_verified", "type": "boolean"},
	{"name": "score", "type": "number", "min": 0, "max": 100},
	{"name": "signup_date", "type": "date"},
	{"name": "homepage", "type": "url", "user_editable": true},
	{"name": "seats", "type": "integer", "required": true, "min": 1, "user_editable": true},
	{"name": "nickname", "type": "string", "user_editable": true}
]}`

func TestParseExample(t *testing.T) {
	s, err := Parse([]byte(example))
	if err != nil {
		t.Fatalf("Parse: got %v, want nil", err)
	}
	want := []Field{
		{Name: "company", Type: TypeString, MaxLength: intp(100), UserEditable: true},
		{Name: "tier", Type: TypeChoice, Choices: []string{"gold", "silver"}},
		{Name: "age_verified", Type: TypeBoolean},
		{Name: "score", Type: TypeNumber},
		{Name: "signup_date", Type: TypeDate},
		{Name: "homepage", Type: TypeURL, MaxLength: intp(DefaultURLMax), UserEditable: true},
		{Name: "seats", Type: TypeInteger, Required: true, UserEditable: true},
		{Name: "nickname", Type: TypeString, MaxLength: intp(DefaultStringMax), UserEditable: true},
	}
	if diff := cmp.Diff(want, s.Fields()); diff != "" {
		t.Errorf("Fields (-want +got):\n%s", diff)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, doc := range []string{"", "  \n\t", `{"fields": []}`} {
		s, err := Parse([]byte(doc))
		if err != nil {
			t.Errorf("Parse(%q): got %v, want nil", doc, err)
			continue
		}
		if got := s.Fields(); len(got) != 0 {
			t.Errorf("Parse(%q): got %d fields, want none", doc, len(got))
		}
	}
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   string
		paths []string // every problem, in order
	}{
		{"not JSON", `{"fields": [`, []string{""}},
		{"not an object", `[]`, []string{""}},
		{"trailing data", `{"fields": []} {}`, []string{""}},
		{"null document", `null`, []string{""}},
		{"no fields key", `{}`, []string{"fields"}},
		{"fields not an array", `{"fields": {}}`, []string{"fields"}},
		{"fields null", `{"fields": null}`, []string{"fields"}},
		{"unknown top-level key", `{"fields": [], "extra": 1}`, []string{"extra"}},
		{"repeated top-level key", `{"fields": [], "fields": []}`, []string{"fields"}},
		{"field not an object", `{"fields": [1]}`, []string{"fields[0]"}},
		{"unknown field key", `{"fields": [{"name": "a", "type": "string", "maxlength": 5}]}`, []string{"fields[0].maxlength"}},
		{"repeated field key", `{"fields": [{"name": "a", "name": "b", "type": "string"}]}`, []string{"fields[0].name"}},
		{"missing name and type", `{"fields": [{}]}`, []string{"fields[0].name", "fields[0].type"}},
		{"bad names", `{"fields": [
			{"name": "Company", "type": "string"},
			{"name": "1st", "type": "string"},
			{"name": "with-dash", "type": "string"},
			{"name": "a2345678901234567890123456789012345678901234567890123456789012345", "type": "string"},
			{"name": "", "type": "string"}]}`,
			[]string{"fields[0].name", "fields[1].name", "fields[2].name", "fields[3].name", "fields[4].name"}},
		{"64-char name is fine", `{"fields": [{"name": "a234567890123456789012345678901234567890123456789012345678901234", "type": "string"}]}`, nil},
		{"built-in names", `{"fields": [{"name": "email", "type": "string"}, {"name": "first_name", "type": "string"}, {"name": "role", "type": "string"}]}`,
			[]string{"fields[0].name", "fields[1].name", "fields[2].name"}},
		{"duplicate names", `{"fields": [{"name": "a", "type": "string"}, {"name": "a", "type": "date"}]}`, []string{"fields[1].name"}},
		{"duplicate names among faulty fields", `{"fields": [{"name": "a", "type": "strng"}, {"name": "a", "type": "date", "choices": ["x"]}]}`,
			[]string{"fields[0].type", "fields[1].choices", "fields[1].name"}},
		{"unknown type", `{"fields": [{"name": "a", "type": "object"}]}`, []string{"fields[0].type"}},
		{"wrong JSON types", `{"fields": [{"name": 1, "type": true, "required": "yes", "user_editable": 1, "max_length": "5"}]}`,
			[]string{"fields[0].name", "fields[0].type", "fields[0].required", "fields[0].user_editable", "fields[0].max_length"}},
		{"type typo skips type checks", `{"fields": [{"name": "a", "type": "strng", "max_length": 5}]}`, []string{"fields[0].type"}},
		{"empty name", `{"fields": [{"name": "", "type": "string", "required": 1}]}`, []string{"fields[0].required", "fields[0].name"}},
		{"null option", `{"fields": [{"name": "a", "type": "string", "required": null}]}`, []string{"fields[0].required"}},
		{"choice without choices", `{"fields": [{"name": "a", "type": "choice"}, {"name": "b", "type": "choice", "choices": []}]}`,
			[]string{"fields[0].choices", "fields[1].choices"}},
		{"choices on a string", `{"fields": [{"name": "a", "type": "string", "choices": ["x"]}]}`, []string{"fields[0].choices"}},
		{"bad choices", `{"fields": [{"name": "a", "type": "choice", "choices": ["x", "x", "", " y", null, 3]}]}`, []string{"fields[0].choices"}},
		{"bad choice values", `{"fields": [{"name": "a", "type": "choice", "choices": ["x", "x", "", " y", null]}]}`,
			[]string{"fields[0].choices[1]", "fields[0].choices[2]", "fields[0].choices[3]", "fields[0].choices[4]"}},
		{"max_length on a number", `{"fields": [{"name": "a", "type": "number", "max_length": 5}]}`, []string{"fields[0].max_length"}},
		{"max_length out of range", `{"fields": [
			{"name": "a", "type": "string", "max_length": 10001},
			{"name": "b", "type": "string", "max_length": 0},
			{"name": "c", "type": "url", "max_length": 2.5},
			{"name": "d", "type": "string", "max_length": 10000}]}`,
			[]string{"fields[0].max_length", "fields[1].max_length", "fields[2].max_length"}},
		{"min and max", `{"fields": [
			{"name": "a", "type": "string", "min": 1},
			{"name": "b", "type": "number", "min": 5, "max": 1},
			{"name": "c", "type": "integer", "min": 0.5},
			{"name": "d", "type": "number", "min": -0.5, "max": 0.5}]}`,
			[]string{"fields[0].min", "fields[1].min", "fields[2].min"}},
		{"every problem at once", `{"fields": [{"name": "A", "type": "x"}, {"name": "ok", "type": "string", "bad": 1}], "more": 2}`,
			[]string{"more", "fields[0].name", "fields[0].type", "fields[1].bad"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.doc))
			if len(tc.paths) == 0 {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if s != nil {
				t.Errorf("got a set, want nil with the error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want a *ParseError", err)
			}
			var got []string
			for _, p := range pe.Problems {
				got = append(got, p.Path)
				if p.Message == "" {
					t.Errorf("problem at %q has no message", p.Path)
				}
			}
			got = slices.Compact(got)
			if diff := cmp.Diff(slices.Compact(slices.Clone(tc.paths)), got); diff != "" {
				t.Errorf("problem paths (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestParseTooManyFields(t *testing.T) {
	type decl struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	var d struct {
		Fields []decl `json:"fields"`
	}
	for i := range MaxFields + 1 {
		d.Fields = append(d.Fields, decl{Name: "f" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Type: TypeBoolean})
	}
	doc, _ := json.Marshal(d)
	if _, err := Parse(doc); err == nil {
		t.Errorf("got nil, want an error for %d fields", MaxFields+1)
	}
	d.Fields = d.Fields[:MaxFields]
	doc, _ = json.Marshal(d)
	if _, err := Parse(doc); err != nil {
		t.Errorf("got %v, want nil for %d fields", err, MaxFields)
	}
}

func TestFieldsAreCopies(t *testing.T) {
	s, err := Parse([]byte(example))
	if err != nil {
		t.Fatal(err)
	}
	f := s.Fields()
	*f[0].MaxLength = 1
	f[1].Choices[0] = "changed"
	g := s.Fields()
	if *g[0].MaxLength != 100 || g[1].Choices[0] != "gold" {
		t.Error("got shared state, want a copy per call")
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	if got := s.Fields(); got != nil {
		t.Errorf("got %v, want nil", got)
	}
	if got, want := len(s.All()), len(BuiltIn()); got != want {
		t.Errorf("All: got %d fields, want %d", got, want)
	}
	_, errs := s.Validate(map[string]any{"x": 1}, true, false)
	if len(errs) != 1 || errs[0].Code != "unknown_field" {
		t.Errorf("got %v, want one unknown_field", errs)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		example, "", "{}", `{"fields": []}`, `{"fields": [{"name": "a", "type": "choice", "choices": ["x"]}]}`,
		`{"fields": [{"name": "a", "name": "a"}]}`, `{"fields": [{"name": "n", "type": "integer", "min": -1e300, "max": 1e300}]}`,
		`{"fields": [{"name": "u", "type": "url", "max_length": 1}]}`, `[`, `{"fields": [null]}`,
	} {
		f.Add([]byte(seed))
	}
	values := []any{nil, "", " x ", "https://example.com/a", "2024-02-29", "gold", true, 1.5, 3.0, -1e308, []any{}, map[string]any{}}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := Parse(doc)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 || s != nil {
				t.Fatalf("got (%v, %v), want nil and a *ParseError with problems", s, err)
			}
			return
		}
		names := map[string]bool{}
		for _, fd := range s.Fields() {
			if !regexp.MustCompile(namePattern).MatchString(fd.Name) || !validName(fd.Name) || names[fd.Name] || slices.Contains(reserved, fd.Name) {
				t.Fatalf("accepted bad or repeated name %q", fd.Name)
			}
			names[fd.Name] = true
			if (fd.Type == TypeChoice) != (len(fd.Choices) > 0) {
				t.Fatalf("field %q: type %s with %d choices", fd.Name, fd.Type, len(fd.Choices))
			}
			if textual := fd.Type == TypeString || fd.Type == TypeURL; textual != (fd.MaxLength != nil) {
				t.Fatalf("field %q: type %s with max_length %v", fd.Name, fd.Type, fd.MaxLength)
			}
			if fd.MaxLength != nil && (*fd.MaxLength < 1 || *fd.MaxLength > MaxMaxLength) {
				t.Fatalf("field %q: max_length %d", fd.Name, *fd.MaxLength)
			}
			for _, v := range values {
				for _, admin := range []bool{false, true} {
					clean, errs := s.Validate(map[string]any{fd.Name: v}, admin, true)
					if (clean == nil) == (len(errs) == 0) {
						t.Fatalf("field %q value %v: got clean %v and errors %v, want exactly one", fd.Name, v, clean, errs)
					}
				}
			}
		}
		if _, err := json.Marshal(s.All()); err != nil {
			t.Fatalf("marshal fields: %v", err)
		}
	})
}
