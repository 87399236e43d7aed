package user

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/userbase/userbase/pkg/phone"
)

// MaxEmailLen is the longest address SMTP carries.
const MaxEmailLen = 254

// NormalizeEmail trims and lower-cases an address and writes its domain in ASCII (IDNA), the
// form in which emails are unique. ok is false for anything that is not an address.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || len(s) > 4*MaxEmailLen {
		return "", false
	}
	local, domain := s[:at], s[at+1:]
	if !validLocal(local) {
		return "", false
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || !validDomain(ascii) {
		return "", false
	}
	out := local + "@" + ascii
	if len(out) > MaxEmailLen {
		return "", false
	}
	return out, true
}

// validLocal admits the dot-atoms people use, and non-ASCII letters (SMTPUTF8).
func validLocal(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r):
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
		default:
			return false
		}
	}
	return true
}

func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	labels := strings.Split(d, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && strings.Trim(tld, "0123456789") != ""
}

// NormalizePhone returns the E.164 form of a phone number written in international form
// (a leading + or 00), validated against the phone-number metadata (pkg/phone). ok is false
// otherwise. Profile writes use pkg/phone with the user's country instead.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if !strings.HasPrefix(s, "+") {
		return "", false
	}
	return phone.Normalize(s, "")
}

// NormalizeLogin turns what a user types as a login into the form accounts are found by:
// an email when it has an @, else a phone.
func NormalizeLogin(s string) (string, bool) {
	if strings.Contains(s, "@") {
		return NormalizeEmail(s)
	}
	return NormalizePhone(s)
}
