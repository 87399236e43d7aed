package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

var documents = []string{
	`{}`, `[]`, `null`, `true`, `false`, `"a"`, `"\u00e9\n\"\\"`, "\"\xff\"", `0`, `-0`, `1.5e+3`, `-12.25E-2`,
	` {"a" : [1, {"b": null}, "c"], "d": {}} `, `{"a":1,}`, `[1,]`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
	`tru`, `nul`, `"a`, "\"a\tb\"", `"\x"`, `{"a"}`, `{a:1}`, `[1 2]`, `{} {}`, ``, ` `,
}

// Skip takes exactly what encoding/json takes as one document.
func TestSkipAsValid(t *testing.T) {
	for _, d := range documents {
		s := New([]byte(d))
		if got, want := s.Skip() && s.End(), json.Valid([]byte(d)); got != want {
			t.Errorf("%q: Skip %v, json.Valid %v", d, got, want)
		}
	}
}

// String gives what encoding/json gives a string, and fails where it fails.
func TestStringAsUnmarshal(t *testing.T) {
	for _, d := range documents {
		if strings.TrimSpace(d) == "null" {
			continue // encoding/json leaves a string as it was; String reads strings only
		}
		var want string
		err := json.Unmarshal([]byte(d), &want)
		s := New([]byte(d))
		got, ok := s.String()
		ok = ok && s.End()
		if ok != (err == nil) || ok && got != want {
			t.Errorf("%q: String %q %v, encoding/json %q %v", d, got, ok, want, err)
		}
	}
}

func FuzzSkip(f *testing.F) {
	for _, d := range documents {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		if len(d) > 5000 {
			return // encoding/json also limits nesting to 10,000 levels
		}
		s := New([]byte(d))
		if got, want := s.Skip() && s.End(), json.Valid([]byte(d)); got != want {
			t.Errorf("%q: Skip %v, json.Valid %v", d, got, want)
		}
		if strings.TrimSpace(d) == "null" {
			return
		}
		var str string
		err := json.Unmarshal([]byte(d), &str)
		s = New([]byte(d))
		got, ok := s.String()
		ok = ok && s.End()
		if ok != (err == nil) || ok && got != str {
			t.Errorf("%q: String %q %v, encoding/json %q %v", d, got, ok, str, err)
		}
	})
}
