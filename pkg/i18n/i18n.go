// Package i18n picks the language of a response and holds the localized texts of problems,
// field messages and durations. Mail texts live with their templates in pkg/mail.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a supported language: an ISO 639-1 code.
type Lang string

// The languages every text exists in. English is the fallback.
const (
	English Lang = "en"
	Persian Lang = "fa"
	Russian Lang = "ru"
)

// Supported reports whether texts exist in l.
func Supported(l string) bool {
	switch Lang(l) {
	case English, Persian, Russian:
		return true
	}
	return false
}

// RTL reports whether l is written right to left.
func (l Lang) RTL() bool { return l == Persian }

// Pick chooses the user's language when texts exist in it, else the best supported match of
// an Accept-Language header (quality values honoured), else English.
func Pick(userLang, acceptLanguage string) Lang {
	if Supported(userLang) {
		return Lang(userLang)
	}
	if l, ok := FromAcceptLanguage(acceptLanguage); ok {
		return l
	}
	return English
}

// FromAcceptLanguage returns the supported language a client prefers most.
func FromAcceptLanguage(header string) (Lang, bool) {
	best, bestQ := Lang(""), -1.0
	for i, part := range strings.Split(header, ",") {
		if i > 20 { // a header is short; don't let a hostile one cost much
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
			if _, err := fmt.Sscanf(p[2:], "%g", &q); err != nil {
				q = 0
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if Supported(base) && q > bestQ && q > 0 {
			best, bestQ = Lang(base), q
		}
	}
	return best, best != ""
}

// T returns the text of key in l, falling back to English, then to the key itself.
// Arguments fill %v verbs in the text.
func T(l Lang, key string, args ...any) string {
	s, ok := catalog[l][key]
	if !ok {
		if s, ok = catalog[English][key]; !ok {
			return key
		}
	}
	// A text without a verb takes no argument: a field error's limit is for the texts
	// that say it, not "%!(EXTRA ...)" at the end of the others.
	if len(args) > 0 && strings.Contains(s, "%") {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether an English text exists for key.
func Has(key string) bool {
	_, ok := catalog[English][key]
	return ok
}

// Duration says d in words, "3 hours 12 minutes and 5 seconds", in l.
func Duration(l Lang, seconds int64) string {
	if seconds < 1 {
		seconds = 1
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	var parts []string
	if h > 0 {
		parts = append(parts, unit(l, h, "hour"))
	}
	if m > 0 {
		parts = append(parts, unit(l, m, "minute"))
	}
	if s > 0 {
		parts = append(parts, unit(l, s, "second"))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], " ") + T(l, "and") + parts[len(parts)-1]
}

func unit(l Lang, n int64, name string) string {
	key := name + "s"
	switch l {
	case Russian:
		key = name + russianPlural(n)
	case English:
		if n == 1 {
			key = name
		}
	}
	return fmt.Sprintf("%d %s", n, T(l, key))
}

// russianPlural picks the Russian noun form for n: 1 минута, 2 минуты, 5 минут.
func russianPlural(n int64) string {
	switch {
	case n%10 == 1 && n%100 != 11:
		return ""
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return "s_few"
	default:
		return "s_many"
	}
}
