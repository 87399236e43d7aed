package httpapi

import (
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
	for _, s := range []string{`{}`, `{"email":"a"}`, `{"count":1.5}`, `{"profile":{"b":1}}`, `[1]`, `{"email":"a"} x`, `{"id":1}`, "\xff", `{"attrs":{"k":[1,{"x":null}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
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
