package httpapi

import (
	"slices"
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
)

type fuzzTarget struct {
	Email   string `json:"email"`
	Count   int    `json:"count"`
	Profile *struct {
		A string `json:"a"`
	} `json:"profile"`
	Attrs map[string]any `json:"attrs"`
}

// FuzzDecodeJSON: whatever the body, decoding answers nil or a client error with a code.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"email":"a"}`, `{"count":1.5}`, `{"profile":{"b":1}}`, `[1]`, `{"email":"a"} x`, `{"id":1}`, "\xff", `{"attrs":{"k":[1,{"x":null}]}}`, `{"a":1,"a":2}`, `{"a":"\ud800"}`, `{"a":[{"b":1},{"b":2}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		duplicateNames(body) // neither panics nor loops, whatever the body
		loneSurrogate(body)
		var dst fuzzTarget
		err := decodeJSON(body, &dst, ReadOnlyUserFields)
		if err == nil {
			return
		}
		e, ok := apperr.As(err)
		if !ok || apperr.Status(e.Code) != 400 {
			t.Fatalf("decode(%q) = %v, want nil or a 400 problem", body, err)
		}
	})
}

// duplicateNames and loneSurrogate on the shapes that matter.
func TestDuplicateNamesAndLoneSurrogates(t *testing.T) {
	for body, want := range map[string]bool{
		`{"a":1,"a":2}`: true, `{"a":{"b":1,"b":2}}`: true, `{"a":[{"b":1},{"b":2}]}`: false,
		`{"a":{"a":1}}`: false, `[{"x":1,"x":1}]`: true, `{"a":"a","b":"a"}`: false, `{"a":[1,"a"],"a2":{}}`: false,
		`{"a":[],"a":{}}`: true, `{"k":{"x":[1,2]},"x":3}`: false,
	} {
		if got := duplicateNames([]byte(body)); got != want {
			t.Errorf("duplicateNames(%s) = %v, want %v", body, got, want)
		}
	}
	for body, want := range map[string]bool{
		`"\ud800"`: true, `"\udc00"`: true, `"\ud800\udc00"`: false, `"\\ud800"`: false, `"\ud800x"`: true, `"\ud800\n"`: true, `"\u0041"`: false,
	} {
		if got := loneSurrogate([]byte(body)); got != want {
			t.Errorf("loneSurrogate(%s) = %v, want %v", body, got, want)
		}
	}
}

// TestReadOnlyLists keeps the written-out read-only lists in step with ReadOnlyUserFields.
func TestReadOnlyLists(t *testing.T) {
	without := func(list []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(f string) bool { return slices.Contains(drop, f) })
	}
	admin := without(ReadOnlyUserFields, "role", "active", "email_verified")
	for _, tt := range []struct {
		name      string
		got, want []string
	}{
		{"patchReadOnly", patchReadOnly, append(slices.Clone(ReadOnlyUserFields), "sponsor_id")},
		{"adminReadOnly", adminReadOnly, admin},
		{"adminPatchReadOnly", adminPatchReadOnly, append(slices.Clone(admin), "sponsor_id")},
	} {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
