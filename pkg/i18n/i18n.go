// Package i18n picks the language of a response and holds the localized texts of problems,
// field messages and durations. Mail texts live with their templates in pkg/mail.
package i18n

import (
	"fmt"
	"strconv"
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
		q := quality(params)
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if Supported(base) && q > bestQ && q > 0 {
			best, bestQ = Lang(base), q
		}
	}
	return best, best != ""
}

// quality is the q parameter among a language range's parameters (RFC 9110 §12.4.2: the
// name in any case, a value from 0 to 1): 1 without one, 0 for one that is not a quality.
func quality(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		name, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		if !qvalue(v) {
			return 0
		}
		q, _ := strconv.ParseFloat(v, 64)
		return q
	}
	return 1
}

// qvalue reports whether v is a quality value: "0" or "1" with at most three decimals,
// none above 1.
func qvalue(v string) bool {
	if v == "" || len(v) > 5 || (v[0] != '0' && v[0] != '1') {
		return false
	}
	if len(v) == 1 {
		return true
	}
	if v[1] != '.' {
		return false
	}
	for _, c := range v[2:] {
		if c < '0' || c > '9' || v[0] == '1' && c != '0' {
			return false
		}
	}
	return true
}

// T returns the text of key in l, falling back to English, then to the key itself.
// Arguments fill %v verbs in the text.
func T(l Lang, key string, args ...any) string {
	all := catalog.Get()
	s, ok := all[l][key]
	if !ok {
		if s, ok = all[English][key]; !ok {
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
	_, ok := catalog.Get()[English][key]
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
	if l == Persian { // "۳ ساعت و ۱۲ دقیقه و ۵ ثانیه": every part is joined by و
		return strings.Join(parts, T(l, "and"))
	}
	return strings.Join(parts[:len(parts)-1], " ") + T(l, "and") + parts[len(parts)-1]
}

// Count says n of a unit ("character" or "item") as a limit says it, in the plural form l
// needs: "1 character", "20 items"; in Russian the genitive that follows "не более".
func Count(l Lang, n int64, unit string) string {
	plural := n != 1
	if l == Russian {
		plural = n%10 != 1 || n%100 == 11
	}
	if plural {
		unit += "s"
	}
	return number(l, n) + " " + T(l, "unit."+unit)
}

// number is n in l's digits: Persian text writes 0-9 as ۰-۹ (U+06F0-U+06F9), as the
// hosted pages show numbers.
func number(l Lang, n int64) string {
	s := strconv.FormatInt(n, 10)
	if l != Persian {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if '0' <= c && c <= '9' {
			c += '۰' - '0'
		}
		b.WriteRune(c)
	}
	return b.String()
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
	return number(l, n) + " " + T(l, key)
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
