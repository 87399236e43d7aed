package authorizer_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/authorizer"
)

// FuzzHandle feeds the authorizer arbitrary events (the shapes it knows, mangled): it must
// never panic, answer only with a refusal, an unknown-event error or an allow, and allow
// only an event that carries the one live access token.
func FuzzHandle(f *testing.F) {
	fx := newFixture(f)
	_, tok := fx.signIn(f)
	for _, s := range shapes {
		f.Add(s.event("Bearer " + tok))
		f.Add(s.event("Bearer " + tok[:len(tok)-2]))
		f.Add(s.event(""))
	}
	f.Add(`{"type":"REQUEST","methodArn":"` + methodArn + `","headers":{"AUTHORIZATION":"bearer ` + tok + `","authorization":"x"}}`)
	f.Add(`{"version":"2.0","type":"REQUEST","routeArn":"r","headers":{"authorization":"Bearer\t` + tok + `"}}`)
	f.Fuzz(func(t *testing.T, ev string) {
		res, err := fx.authz.Handle(t.Context(), json.RawMessage(ev))
		if err != nil {
			if !errors.Is(err, authorizer.ErrUnauthorized) && !errors.Is(err, authorizer.ErrUnknownEvent) {
				t.Fatalf("%q: error %v, want a refusal or an unknown event", ev, err)
			}
			return
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		allowed := strings.Contains(string(b), `"Effect":"Allow"`) || strings.Contains(string(b), `"isAuthorized":true`)
		if allowed && !strings.Contains(ev, tok) && !strings.Contains(unescape(ev), tok) {
			t.Fatalf("%q allowed without the token: %s", ev, b)
		}
	})
}

// unescape decodes the JSON string escapes an event may write the token with.
func unescape(ev string) string {
	var v any
	if json.Unmarshal([]byte(ev), &v) != nil {
		return ev
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
