package pages_test

import (
	"strings"
	"testing"
)

// FuzzPage feeds the page route any path, language, code and Accept-Language: it answers a
// page, a redirect or a 404, and whatever the query holds reaches the HTML escaped.
func FuzzPage(f *testing.F) {
	f.Add("verify", "fa", "abc.def", "ru")
	f.Add("", "en", `"><script>alert(1)</script>`, "")
	f.Add("assets/app.js", "xx", "", "fa;q=0.5,en")
	f.Add("sign-in/../profile", "ru", "a&b=c", "*")
	f.Fuzz(func(t *testing.T, page, lang, code, accept string) {
		resp := serve(t, request{path: "/account/" + page, query: map[string]string{"lang": lang, "code": code},
			headers: map[string]string{"Accept-Language": accept}})
		switch resp.StatusCode {
		case 200, 302, 404:
		default:
			t.Fatalf("/account/%q: status %d", page, resp.StatusCode)
		}
		if resp.StatusCode == 200 && strings.HasPrefix(resp.Headers["Content-Type"], "text/html") {
			for _, raw := range []string{lang, code} {
				if strings.ContainsAny(raw, `<>"'&`) && strings.Contains(resp.Body, raw) {
					t.Fatalf("the query value %q is in the page unescaped", raw)
				}
			}
		}
	})
}
