package pages_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/net/html"

	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/pages"
	"github.com/userbase/userbase/pkg/site"
)

const imageOrigin = "https://avatars-1.s3.eu-west-1.amazonaws.com"

var handler = httpapi.Route("account-pages", pages.Handler(pages.Options{AppName: "Acme", ImageOrigin: imageOrigin}))

type request struct {
	method, resource, path string
	query, headers         map[string]string
	body                   string
}

func serve(t *testing.T, rq request) events.APIGatewayProxyResponse {
	t.Helper()
	return serveProxy(t, rq, "")
}

// serveProxy is serve with the {proxy+} parameter given (when not ""), as a gateway may
// pass it trimmed of a trailing slash.
func serveProxy(t *testing.T, rq request, proxy string) events.APIGatewayProxyResponse {
	t.Helper()
	if rq.method == "" {
		rq.method = "GET"
	}
	if rq.resource == "" {
		rq.resource = "/account/{proxy+}"
	}
	ev := events.APIGatewayProxyRequest{HTTPMethod: rq.method, Resource: rq.resource, Path: rq.path,
		QueryStringParameters: rq.query, Headers: rq.headers, Body: rq.body,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1", DomainName: "id.example.com", Path: "/prod" + rq.path}}
	if p, ok := strings.CutPrefix(rq.path, "/account/"); ok && rq.resource == "/account/{proxy+}" {
		ev.PathParameters = map[string]string{"proxy": p}
	}
	if proxy != "" {
		ev.PathParameters = map[string]string{"proxy": proxy}
	}
	resp, err := handler(context.Background(), ev)
	if err != nil {
		t.Fatalf("Lambda error %v: handlers must always answer", err)
	}
	return resp
}

// Every page renders in every language, with lang and dir set, the pages' own headers, and
// no script or style the Content-Security-Policy would have to allow inline.
func TestEveryPageInEveryLanguage(t *testing.T) {
	wantCSP := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: " + imageOrigin +
		"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; require-trusted-types-for 'script'"
	for _, name := range pages.Names() {
		for _, lang := range []string{"en", "fa", "ru"} {
			t.Run(name+"/"+lang, func(t *testing.T) {
				resp := serve(t, request{path: "/account/" + name, query: map[string]string{"lang": lang}})
				if resp.StatusCode != 200 {
					t.Fatalf("status %d, want 200: %s", resp.StatusCode, resp.Body)
				}
				for k, want := range map[string]string{
					"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": wantCSP,
					"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
					"X-Content-Type-Options": "nosniff", "Content-Language": lang, "Cross-Origin-Opener-Policy": "same-origin",
				} {
					if got := resp.Headers[k]; got != want {
						t.Errorf("%s: got %q, want %q", k, got, want)
					}
				}
				doc, err := html.Parse(strings.NewReader(resp.Body))
				if err != nil {
					t.Fatal(err)
				}
				root := find(doc, func(n *html.Node) bool { return n.Data == "html" })
				wantDir := "ltr"
				if lang == "fa" {
					wantDir = "rtl"
				}
				if attr(root, "lang") != lang || attr(root, "dir") != wantDir {
					t.Errorf("<html lang=%q dir=%q>, want lang=%q dir=%q", attr(root, "lang"), attr(root, "dir"), lang, wantDir)
				}
				checkNoInline(t, doc)
				checkLabels(t, doc)
				if h1 := find(doc, func(n *html.Node) bool { return n.Data == "h1" }); h1 == nil || strings.TrimSpace(textOf(h1)) == "" {
					t.Error("no <h1> with text")
				}
				if title := find(doc, func(n *html.Node) bool { return n.Data == "title" }); !strings.HasSuffix(textOf(title), " · Acme") {
					t.Errorf("title %q does not end with the app name", textOf(title))
				}
				if len(resp.Body) > 100<<10 {
					t.Errorf("page is %d bytes, over 100 kB", len(resp.Body))
				}
			})
		}
	}
}

// checkNoInline fails on any script without src or with a body, any event handler
// attribute, any style element or attribute, and any javascript: URL.
func checkNoInline(t *testing.T, doc *html.Node) {
	t.Helper()
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script":
			if attr(n, "src") == "" || strings.TrimSpace(textOf(n)) != "" {
				t.Errorf("inline script: %s", render(n))
			}
		case "style":
			t.Errorf("inline <style>: %s", render(n))
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" || strings.HasPrefix(strings.TrimSpace(strings.ToLower(a.Val)), "javascript:") {
				t.Errorf("<%s %s=%q>: inline code or style", n.Data, a.Key, a.Val)
			}
		}
	})
}

// checkLabels fails on a form control without a label, and on an id used twice.
func checkLabels(t *testing.T, doc *html.Node) {
	t.Helper()
	labelled := map[string]bool{}
	ids := map[string]int{}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "label" {
			labelled[attr(n, "for")] = true
		}
		if id := attr(n, "id"); id != "" {
			ids[id]++
		}
	})
	for id, c := range ids {
		if c > 1 {
			t.Errorf("id %q used %d times", id, c)
		}
	}
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode || (n.Data != "input" && n.Data != "select" && n.Data != "textarea") {
			return
		}
		if attr(n, "type") == "hidden" {
			return
		}
		if !labelled[attr(n, "id")] && attr(n, "aria-label") == "" {
			t.Errorf("<%s name=%q id=%q> has no label", n.Data, attr(n, "name"), attr(n, "id"))
		}
	})
}

func TestLanguageChoice(t *testing.T) {
	tests := []struct {
		name   string
		query  map[string]string
		accept string
		want   string
	}{
		{"Accept-Language", nil, "ru-RU,ru;q=0.9,en;q=0.5", "ru"},
		{"?lang= wins", map[string]string{"lang": "fa"}, "ru", "fa"},
		{"an unknown ?lang= is ignored", map[string]string{"lang": "xx"}, "fa-IR", "fa"},
		{"English by default", nil, "", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := serve(t, request{path: "/account/sign-in", query: tt.query, headers: map[string]string{"Accept-Language": tt.accept}})
			if !strings.Contains(resp.Body, `<html lang="`+tt.want+`"`) || resp.Headers["Content-Language"] != tt.want {
				t.Errorf("got Content-Language %q, want %s", resp.Headers["Content-Language"], tt.want)
			}
		})
	}
}

// A link's code is only read by the page's script when the person presses the button:
// rendering the page calls nothing, and the code is only ever in the links to the same
// page in the other languages.
func TestLinkCodeIsNotUsed(t *testing.T) {
	for _, name := range []string{"verify", "reset", "revert"} {
		resp := serve(t, request{path: "/account/" + name, query: map[string]string{"code": "abc.def", "lang": "en"}})
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", name, resp.StatusCode)
		}
		doc, _ := html.Parse(strings.NewReader(resp.Body))
		walk(doc, func(n *html.Node) {
			for _, a := range n.Attr {
				if strings.Contains(a.Val, "abc.def") && !(n.Data == "a" && a.Key == "href" && strings.HasPrefix(a.Val, name+"?code=abc.def&lang=")) {
					t.Errorf("%s: the code is in <%s %s=%q>", name, n.Data, a.Key, a.Val)
				}
			}
		})
		if !strings.Contains(resp.Body, `<form id="`+name+`-form" method="post"`) {
			t.Errorf("%s: no form to confirm with", name)
		}
	}
}

func TestRedirect(t *testing.T) {
	tests := []struct {
		resource, path string
		query          map[string]string
		want           string
	}{
		{"/account", "/account", nil, "account/sign-in"},
		{"/account", "/account/", nil, "sign-in"},
		{"/account", "/account", map[string]string{"lang": "fa"}, "account/sign-in?lang=fa"},
	}
	for _, tt := range tests {
		resp := serve(t, request{resource: tt.resource, path: tt.path, query: tt.query})
		if resp.StatusCode != 302 || resp.Headers["Location"] != tt.want || resp.Body != "" {
			t.Errorf("GET %s: %d Location %q body %q, want 302 to %q", tt.path, resp.StatusCode, resp.Headers["Location"], resp.Body, tt.want)
		}
	}
	// A page with a trailing slash would resolve its relative links under it: it moves to
	// its own address, whether the gateway keeps the slash in {proxy+} or not.
	slash := request{path: "/account/sign-in/", query: map[string]string{"lang": "fa"}}
	checkMoved(t, serve(t, slash))
	checkMoved(t, serveProxy(t, slash, "sign-in"))
}

func checkMoved(t *testing.T, resp events.APIGatewayProxyResponse) {
	t.Helper()
	if resp.StatusCode != 301 || resp.Headers["Location"] != "../sign-in?lang=fa" {
		t.Errorf("GET /account/sign-in/: %d Location %q, want 301 to ../sign-in?lang=fa", resp.StatusCode, resp.Headers["Location"])
	}
}

func TestNotFound(t *testing.T) {
	for _, p := range []string{"/account/nope", "/account/assets/nope.js", "/account/assets/../pages.go", "/account/layout"} {
		resp := serve(t, request{path: p})
		if resp.StatusCode != 404 || resp.Headers["Content-Type"] != "application/problem+json" || !strings.Contains(resp.Body, `"code":"not_found"`) {
			t.Errorf("GET %s: %d %s %s, want a 404 problem", p, resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
		}
	}
}

func TestAssets(t *testing.T) {
	page := serve(t, request{path: "/account/sign-in"})
	m := regexp.MustCompile(`assets/app\.js\?v=([0-9a-f]+)`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the page links no versioned script: %s", page.Body)
	}
	version := m[1]
	for name, ct := range map[string]string{"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml"} {
		resp := serve(t, request{path: "/account/assets/" + name, query: map[string]string{"v": version}})
		want, _ := os.ReadFile("assets/" + name)
		if resp.StatusCode != 200 || resp.Headers["Content-Type"] != ct || resp.Body != string(want) {
			t.Errorf("%s: %d %s, want 200 %s and the file", name, resp.StatusCode, resp.Headers["Content-Type"], ct)
		}
		if cc := resp.Headers["Cache-Control"]; cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s with the current version: Cache-Control %q, want immutable", name, cc)
		}
		if cc := serve(t, request{path: "/account/assets/" + name, query: map[string]string{"v": "old"}}).Headers["Cache-Control"]; cc != "no-cache" {
			t.Errorf("%s with another version: Cache-Control %q, want no-cache", name, cc)
		}
		// A page with its script and style sheet stays under 100 kB.
		if total := len(page.Body) + len(want); total > 100<<10 {
			t.Errorf("sign-in with %s is %d bytes, over 100 kB", name, total)
		}
	}
	// The script writes no HTML from strings (the CSP's Trusted Types would refuse it).
	js, _ := os.ReadFile("assets/app.js")
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(string(js), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

func TestQR(t *testing.T) {
	const otpauth = "otpauth://totp/Acme:a@example.com?algorithm=SHA1&digits=6&issuer=Acme&period=30&secret=HQWU6DJTGTWWPYURT44VVFB5HXRBZM4X"
	body, _ := json.Marshal(map[string]string{"otpauth_url": otpauth})
	json := map[string]string{"Content-Type": "application/json"}
	resp := serve(t, request{method: "POST", resource: "/account/qr", path: "/account/qr", headers: json, body: string(body)})
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "image/svg+xml" || !strings.HasPrefix(resp.Body, "<svg ") ||
		strings.Contains(resp.Body, "HQWU6DJ") || strings.Contains(resp.Body, "<script") {
		t.Fatalf("POST /account/qr: %d %s %.80s, want an SVG without the secret in clear", resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
	}
	tests := []struct {
		name, ct, body, code string
		status               int
	}{
		{"not otpauth", "application/json", `{"otpauth_url":"https://evil.example"}`, "validation_failed", 400},
		{"missing", "application/json", `{}`, "validation_failed", 400},
		{"too long", "application/json", `{"otpauth_url":"otpauth://` + strings.Repeat("a", 1100) + `"}`, "validation_failed", 400},
		{"unknown field", "application/json", `{"otpauth_url":"otpauth://x","x":1}`, "unknown_field", 400},
		{"not JSON", "text/plain", otpauth, "unsupported_media_type", 415},
	}
	for _, tt := range tests {
		resp := serve(t, request{method: "POST", resource: "/account/qr", path: "/account/qr", headers: map[string]string{"Content-Type": tt.ct}, body: tt.body})
		if resp.StatusCode != tt.status || !strings.Contains(resp.Body, `"code":"`+tt.code+`"`) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, resp.StatusCode, resp.Body, tt.status, tt.code)
		}
	}
}

// Every text a template or the script asks for exists, in every language.
func TestTexts(t *testing.T) {
	keys := pages.TextKeys()
	for lang, ks := range keys {
		if !slices.Equal(ks, keys["en"]) {
			t.Errorf("%s has keys %v, want those of en", lang, diff(ks, keys["en"]))
		}
	}
	used := map[string]bool{}
	re := regexp.MustCompile(`\.T "([^"]+)"`)
	_ = fs.WalkDir(os.DirFS("templates"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile("templates/" + p)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return nil
	})
	for _, n := range pages.Names() {
		used[n+".title"] = true
	}
	js, _ := os.ReadFile("assets/app.js")
	for _, m := range regexp.MustCompile(`msg\('([a-z_]+)'`).FindAllStringSubmatch(string(js), -1) {
		used["js."+m[1]] = true
	}
	for _, m := range regexp.MustCompile(`\['(signed_out)', '(session_ended)', '(reset_done)', '(delete_done)'\]`).FindAllStringSubmatch(string(js), -1) {
		for _, k := range m[1:] {
			used["js."+k] = true
		}
	}
	for k := range used {
		if !slices.Contains(keys["en"], k) {
			t.Errorf("text %q is used but not in the catalog", k)
		}
	}
	for _, k := range keys["en"] {
		if !used[k] {
			t.Errorf("text %q is in the catalog but never used", k)
		}
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "-"+x)
		}
	}
	return out
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func find(n *html.Node, pred func(*html.Node) bool) *html.Node {
	var out *html.Node
	walk(n, func(x *html.Node) {
		if out == nil && x.Type == html.ElementNode && pred(x) {
			out = x
		}
	})
	return out
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	if n == nil {
		return ""
	}
	walk(n, func(x *html.Node) {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
		}
	})
	return b.String()
}

func render(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return b.String()
}

// The mail links of the account service (pkg/site, used by pkg/app) name pages that exist.
func TestMailLinksNamePages(t *testing.T) {
	for _, p := range []string{site.VerifyPath, site.ResetPath, site.RevertPath} {
		name, ok := strings.CutPrefix(p, "/account/")
		if !ok || !slices.Contains(pages.Names(), name) {
			t.Errorf("site path %s is no page of %v", p, pages.Names())
		}
	}
}
