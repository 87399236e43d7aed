// Package site is the API's own address, as the request being served shows it or as the
// PUBLIC_URL setting fixes it, and the paths of the hosted account pages under it. The HTTP
// glue records the address in each request's context; the wiring of the account service
// reads it there, so a deployment that configures no default link URL mails links to its
// own pages. It imports nothing of the project, so any package may use it.
package site

import (
	"context"
	"net/url"
	"strings"
)

// The hosted account pages, relative to the API's base URL.
const (
	// AccountPath redirects to the sign-in page.
	AccountPath = "/account"
	// VerifyPath confirms an email address with ?code=.
	VerifyPath = "/account/verify"
	// ResetPath sets a new password with ?code=.
	ResetPath = "/account/reset"
	// RevertPath undoes an email change with ?code=.
	RevertPath = "/account/revert"
)

// CodeLink is the link template of a page under base for mailed codes: base + page +
// "?code={{code}}".
func CodeLink(base, page string) string { return base + page + "?code={{code}}" }

type baseKey struct{}

// WithBase returns ctx carrying base, the API's own URL for this request
// ("https://abc.execute-api.eu-west-1.amazonaws.com/prod", no trailing slash).
func WithBase(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseKey{}, base)
}

// Base returns the API's own URL WithBase recorded in ctx, or "".
func Base(ctx context.Context) string {
	s, _ := ctx.Value(baseKey{}).(string)
	return s
}

// Origin returns the scheme://host[:port] of a base URL, or "" for one that is not an
// absolute http(s) URL.
func Origin(base string) string {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// Loopback reports whether host (without a port) is this machine: the local stack.
func Loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}
