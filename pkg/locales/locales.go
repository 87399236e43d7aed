// Package locales lists the languages, currencies and time zones a user may choose, with
// English names, for GET /v1/locales and for validating the matching profile fields.
//
// The lists come from maintained data, never from lists typed here: languages, currencies
// and countries from golang.org/x/text (CLDR), time zones from Go's own time zone database.
// The validators use the same lists, so a value the API accepts is always one /v1/locales
// offers.
//
// Nothing is computed at package init: each list is built on first use, once per process,
// because most functions that link this package never call it. For the same reason the
// tables are generated from x/text (go generate) rather than read from it at run time:
// its display names would add megabytes and milliseconds of init to every binary, its
// currency and region tables a quarter of a megabyte.
package locales

//go:generate go run gen_languages.go
//go:generate go run gen_zones.go
//go:generate go run gen_codes.go

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/userbase/userbase/pkg/lazy"
)

// CacheControl suits responses carrying Document: the data changes only with a deployment,
// and the ETag lets clients revalidate cheaply after that.
const CacheControl = "public, max-age=86400"

// Entry is one choice: the value a client stores (Key) and its English name.
type Entry struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Languages are the ISO 639-1 codes x/text knows, each with its English name, sorted by key.
// Codes CLDR marks deprecated (iw, in, ji, jw, mo) are left out in favour of their
// replacements (he, id, yi, jv, ro). The table is generated from x/text by gen_languages.go.
func Languages() []Entry { return slices.Clone(languages()) }

// Currencies are the ISO 4217 codes that x/text's CLDR data records as legal tender in some
// region today, sorted by key. x/text has no currency display names, so Name is the code.
// The codes are generated from x/text by gen_codes.go.
func Currencies() []Entry { return slices.Clone(currencies()) }

// Timezones are the IANA names of Go's time zone database in the geographic areas (Africa,
// America, …, Pacific) plus UTC, sorted by key. The name is the key with underscores as
// spaces ("America/New_York" is "America/New York"): x/text exports no English zone names.
func Timezones() []Entry { return slices.Clone(timezones()) }

// ValidLanguage reports whether code is a key of Languages. Keys are lower case; callers
// normalize first.
func ValidLanguage(code string) bool { return has(languages(), code) }

// ValidCurrency reports whether code is a key of Currencies. Keys are upper case; callers
// normalize first.
func ValidCurrency(code string) bool { return has(currencies(), code) }

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code (upper case) that
// x/text's CLDR data knows; groupings such as EU or UN are not countries. The codes are
// generated from x/text by gen_codes.go.
func ValidCountry(code string) bool {
	_, found := slices.BinarySearch(countryCodes[:], code)
	return found
}

// ValidTimezone reports whether name is a key of Timezones. IANA names are case-sensitive.
func ValidTimezone(name string) bool {
	_, ok := slices.BinarySearch(zones[:], name)
	return ok
}

// Document is the body of GET /v1/locales and its strong ETag (quoted, ready for the ETag
// header). Both are computed on first call and shared afterwards; do not modify body.
func Document() (body []byte, etag string) {
	d := document()
	return d.body, d.etag
}

// NotModified reports whether an If-None-Match header value matches Document's ETag, in
// which case the answer is 304 (RFC 9110 §13.1.2: weak comparison, "*" matches anything).
func NotModified(ifNoneMatch string) bool {
	_, etag := Document()
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func languages() []Entry { return languageTable[:] }

// Built on first use; a lazy.Value costs a cold start nothing until then.
var (
	currencyList = lazy.Value[[]Entry]{New: buildCurrencies}
	timezoneList = lazy.Value[[]Entry]{New: buildTimezones}
	documentBody = lazy.Value[doc]{New: buildDocument}
)

func currencies() []Entry { return currencyList.Get() }
func timezones() []Entry  { return timezoneList.Get() }
func document() doc       { return documentBody.Get() }

func buildCurrencies() []Entry {
	out := make([]Entry, len(currencyCodes))
	for i, code := range currencyCodes {
		out[i] = Entry{Key: code, Name: code}
	}
	return out
}

func buildTimezones() []Entry {
	out := make([]Entry, len(zones))
	for i, z := range zones {
		out[i] = Entry{Key: z, Name: strings.ReplaceAll(z, "_", " ")}
	}
	return out
}

type doc struct {
	body []byte
	etag string
}

func buildDocument() doc {
	body, err := json.Marshal(struct {
		Languages  []Entry `json:"languages"`
		Currencies []Entry `json:"currencies"`
		Timezones  []Entry `json:"timezones"`
	}{languages(), currencies(), timezones()})
	if err != nil {
		panic("locales: marshal document: " + err.Error()) // only strings: cannot happen
	}
	sum := sha256.Sum256(body)
	return doc{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

func has(list []Entry, key string) bool {
	_, ok := slices.BinarySearchFunc(list, key, func(e Entry, k string) int { return strings.Compare(e.Key, k) })
	return ok
}
