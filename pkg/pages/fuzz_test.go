package pages_test

import (
	"regexp"
	"strings"
	"testing"
)

// href is an href attribute and its value.
var href = regexp.MustCompile(`href="([^"]*)"`)

// blankHrefs is the page with every href's value removed.
func blankHrefs(page string) string { return href.ReplaceAllString(page, `href=""`) }

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
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], "text/html") {
			return
		}
		// The query reaches the page only inside the language links' href attributes, percent-
		// encoded: with the hrefs blanked, the page is the one a request without a code gets,
		// and no href holds a character that could end its attribute or open a tag.
		base := serve(t, request{path: "/account/" + page, query: map[string]string{"lang": lang},
			headers: map[string]string{"Accept-Language": accept}})
		if blankHrefs(resp.Body) != blankHrefs(base.Body) {
			t.Fatalf("the code %q changed the page outside its links", code)
		}
		for _, m := range href.FindAllStringSubmatch(resp.Body, -1) {
			if strings.ContainsAny(m[1], "<>'") {
				t.Fatalf("the code %q reached an href unescaped: %s", code, m[1])
			}
		}
	})
}
