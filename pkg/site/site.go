// Package site names the hosted account pages under the API's base URL, for the code that
// links to them without linking them: the mail links of the account service (pkg/app) and
// the pages themselves (pkg/pages). It imports nothing of the project.
package site

import (
	"net/url"
	"strings"
)

// The hosted account pages that take a mailed code, relative to the API's base URL.
const (
	// VerifyPath confirms an email address with ?code=.
	VerifyPath = "/account/verify"
	// ResetPath sets a new password with ?code=.
	ResetPath = "/account/reset"
	// RevertPath undoes an email change with ?code=.
	RevertPath = "/account/revert"
)

// CodeLink is the link template of a page under base for mailed codes: base + page +
// "?code={{code}}&lang={{lang}}", the page opening in the language of the mail.
func CodeLink(base, page string) string { return base + page + "?code={{code}}&lang={{lang}}" }

// Origin returns the scheme://host[:port] of a base URL, or "" for one that is not an
// absolute http(s) URL.
func Origin(base string) string {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}
