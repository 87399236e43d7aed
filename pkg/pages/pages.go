// Package pages serves the hosted account pages under /account/: sign-in, sign-up, password
// and email flows, profile, security and account deletion, in English, Persian (right to
// left) and Russian, for anyone who has no front end of their own.
//
// The pages are shells rendered by html/template from embedded files: they hold no user
// data, so rendering one reads nothing. A small plain script (assets/app.js, no build step)
// calls the JSON API of the same origin with the session token it keeps in sessionStorage
// (docs/account-pages.md says why that is safe enough) and does WebAuthn. Every answer has a
// strict Content-Security-Policy: scripts and styles only from the pages' own files, no
// inline script, no other origin but the avatar bucket's for images, no framing.
//
// It is apart from pkg/httpapi because it links html/template, the embedded files and a QR
// encoder, which no other function should carry.
package pages

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/i18n"
)

// Options are what the pages need besides their files.
type Options struct {
	// AppName is the product's name, in every page's title.
	AppName string
	// ImageOrigin is the origin that signed avatar URLs point at (the bucket's); the
	// Content-Security-Policy admits images from it. "" admits none.
	ImageOrigin string
}

//go:embed templates/*.html assets/*
var files embed.FS

// Page names: the last segment of /account/<name>.
const (
	SignIn         = "sign-in"
	SignUp         = "sign-up"
	ForgotPassword = "forgot-password"
	Reset          = "reset"
	Verify         = "verify"
	Revert         = "revert"
	Profile        = "profile"
	Security       = "security"
	Delete         = "delete"
)

// page is one page: its template and whether it needs a signed-in user.
type page struct {
	name     string
	signedIn bool
	tmpl     func() (*template.Template, error)
}

// Names lists every page, in the order of the site map.
func Names() []string {
	return []string{SignIn, SignUp, ForgotPassword, Reset, Verify, Revert, Profile, Security, Delete}
}

var pages = func() map[string]*page {
	m := map[string]*page{}
	for _, n := range Names() {
		p := &page{name: n, signedIn: n == Profile || n == Security || n == Delete}
		// Parsed on first use, each page on its own: a cold start renders one page and
		// should not pay for the others.
		p.tmpl = sync.OnceValues(func() (*template.Template, error) {
			return template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+n+".html")
		})
		m[n] = p
	}
	return m
}()

var funcs = template.FuncMap{
	"langName": langName,
}

// assets are the files under assets/, each with the Content-Type it is served with.
var assets = map[string]string{
	"app.js":    "text/javascript; charset=utf-8",
	"style.css": "text/css; charset=utf-8",
	"icon.svg":  "image/svg+xml",
}

// assetVersion is a digest of every asset, put into their URLs so a browser may cache them
// for good and still load new ones after a deployment.
var assetVersion = sync.OnceValue(func() string {
	h := sha256.New()
	for _, name := range []string{"app.js", "style.css"} {
		b, _ := files.ReadFile("assets/" + name)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
})

// Handler serves GET /account (a redirect to the sign-in page), GET /account/{page}, GET
// /account/assets/{file} and POST /account/qr.
func Handler(o Options) httpapi.Handler {
	csp := CSP(o.ImageOrigin)
	return func(ctx context.Context, r *httpapi.Request) (*httpapi.Response, error) {
		lang := pick(r)
		r.Lang = lang
		rest, _ := strings.CutPrefix(r.Event.Path, "/account")
		if p := r.Event.PathParameters["proxy"]; p != "" {
			rest = "/" + p
		}
		switch {
		case r.Event.HTTPMethod == http.MethodPost && rest == "/qr":
			return qrHandler(r)
		case rest == "" || rest == "/":
			return redirect(r), nil
		case strings.HasPrefix(rest, "/assets/"):
			return asset(r, strings.TrimPrefix(rest, "/assets/"))
		}
		name := strings.Trim(rest, "/")
		p, ok := pages[name]
		if !ok {
			return nil, apperr.New(apperr.NotFound)
		}
		if strings.HasSuffix(r.Event.Path, "/") || strings.HasSuffix(rest, "/") {
			// The pages' links are relative: under "sign-in/" they would all break.
			return relocate(r, http.StatusMovedPermanently, "../"+name), nil
		}
		body, err := render(p, lang, o.AppName, r.Event.QueryStringParameters)
		if err != nil {
			return nil, err
		}
		h := SecurityHeaders(csp)
		h["Content-Type"] = "text/html; charset=utf-8"
		h["Content-Language"] = string(lang)
		h["Vary"] = "Accept-Language"
		return &httpapi.Response{Status: http.StatusOK, Headers: h, Body: httpapi.Raw(body)}, nil
	}
}

// pick is the language of a page: ?lang= when the pages exist in it, else the
// Accept-Language choice. The signed-in user's own language wins over both, but only the
// script knows the user: it reloads the page with ?lang= set to it.
func pick(r *httpapi.Request) i18n.Lang {
	if l := r.Query("lang"); i18n.Supported(l) {
		return i18n.Lang(l)
	}
	return i18n.Pick("", r.Header("Accept-Language"))
}

// CSP is the Content-Security-Policy of every page: nothing but the pages' own scripts,
// styles and API, images also from imageOrigin (the avatar bucket) and blob: (the QR code
// the script fetches), no framing, no <base>, forms only to the pages themselves, and
// Trusted Types required so that no script can write HTML from a string.
func CSP(imageOrigin string) string {
	img := "'self' blob:"
	if imageOrigin != "" {
		img += " " + imageOrigin
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; " +
		"require-trusted-types-for 'script'"
}

// SecurityHeaders are the headers of every page besides those every answer has
// (Cache-Control: no-store, nosniff, HSTS): csp, and the older and neighbouring guards.
func SecurityHeaders(csp string) map[string]string {
	return map[string]string{
		"Content-Security-Policy":      csp,
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=(), publickey-credentials-get=(self), publickey-credentials-create=(self)",
	}
}

// redirect sends /account and /account/ to the sign-in page, keeping the query; the
// sign-in page goes on to the profile when a session is open. The Location is relative, so
// it holds behind any stage or path prefix.
func redirect(r *httpapi.Request) *httpapi.Response {
	loc := SignIn
	if !strings.HasSuffix(r.Event.Path, "/") {
		loc = "account/" + SignIn
	}
	return relocate(r, http.StatusFound, loc)
}

// relocate sends the request to loc (relative) with status, keeping its query.
func relocate(r *httpapi.Request, status int, loc string) *httpapi.Response {
	if q := query(r.Event.QueryStringParameters, ""); q != "" {
		loc += "?" + q
	}
	return &httpapi.Response{Status: status, Headers: map[string]string{"Location": loc}}
}

// asset serves one embedded file. With the current version in ?v= it may be cached for a
// year; anything else is revalidated.
func asset(r *httpapi.Request, name string) (*httpapi.Response, error) {
	ct, ok := assets[name]
	if !ok {
		return nil, apperr.New(apperr.NotFound)
	}
	b, err := files.ReadFile("assets/" + name)
	if err != nil {
		return nil, err
	}
	cache := "no-cache"
	if r.Query("v") == assetVersion() {
		cache = "public, max-age=31536000, immutable"
	}
	return &httpapi.Response{Status: http.StatusOK, Body: httpapi.Raw(b), Headers: map[string]string{
		"Content-Type": ct, "Cache-Control": cache, "Cross-Origin-Resource-Policy": "same-origin",
	}}, nil
}

// view is what a page's template sees.
type view struct {
	Page, App string
	Lang      i18n.Lang
	Dir       string
	SignedIn  bool
	Version   string
	// Langs are the links to this page in each language.
	Langs []langLink
	// Messages are the texts the script shows, keyed without their "js." prefix.
	Messages []message
	texts    map[string]string
}

type langLink struct {
	Lang    i18n.Lang
	Name    string
	Href    string
	Current bool
}

type message struct{ Key, Text string }

// T returns the text of key in the page's language.
func (v *view) T(key string) string { return text(v.texts, key) }

func render(p *page, lang i18n.Lang, app string, q map[string]string) ([]byte, error) {
	t, err := p.tmpl()
	if err != nil {
		return nil, err
	}
	v := &view{Page: p.name, App: app, Lang: lang, Dir: "ltr", SignedIn: p.signedIn, Version: assetVersion(),
		texts: texts(lang)}
	if lang.RTL() {
		v.Dir = "rtl"
	}
	for _, l := range languages {
		href := p.name + "?" + query(q, "lang") + "&lang=" + string(l)
		href = strings.Replace(href, "?&", "?", 1)
		v.Langs = append(v.Langs, langLink{Lang: l, Name: langName(l), Href: href, Current: l == lang})
	}
	for _, k := range jsKeys() {
		v.Messages = append(v.Messages, message{Key: strings.TrimPrefix(k, "js."), Text: v.T(k)})
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// query encodes q without the parameter drop, in a stable order.
func query(q map[string]string, drop string) string {
	v := url.Values{}
	for k, s := range q {
		if k != drop {
			v.Set(k, s)
		}
	}
	return v.Encode()
}
