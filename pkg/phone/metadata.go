package phone

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run gen.go

// regionData is one region's numbering plan, as far as parsing needs it,
// taken from libphonenumber's metadata by gen.go. Patterns are regular
// expressions in the library's syntax (which Go's regexp accepts); they are
// compiled on first use, never at package init.
type regionData struct {
	// code is the ISO 3166-1 alpha-2 region code, or "001" for a
	// non-geographic entity such as +800.
	code string
	// cc is the country calling code.
	cc uint16
	// idd is the international prefix dialled from this region ("00",
	// "011", "0(?:0|19)"); "" for non-geographic entities.
	idd string
	// npp is the national prefix for parsing: what a national number may
	// start with before the national significant number ("0", "8", or a
	// pattern with capturing groups for carrier codes and the like).
	npp string
	// transform, when set, rewrites the match of npp (with $1-style group
	// references) instead of just dropping it.
	transform string
	// lengths has bit n set when a national significant number may have n
	// digits; localLengths likewise for numbers diallable only locally
	// (without an area code), which are never accepted.
	lengths, localLengths uint32
	// general is the pattern every valid national significant number
	// matches (the metadata's generalDesc).
	general string
	// leading, for regions sharing a calling code, matches the start of
	// the region's national numbers.
	leading string
	// types is the alternation of the region's per-type number patterns,
	// kept only for regions that share a calling code and have no leading
	// pattern; Region uses it to tell such regions apart.
	types string
}

// regionRef is an entry of regionIndex.
type regionRef struct {
	code string
	i    uint16
}

// lazyRE is a regular expression compiled on first use.
type lazyRE struct {
	once sync.Once
	re   *regexp.Regexp
}

func (l *lazyRE) get(expr string) *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(expr) })
	return l.re
}

// compiled holds the lazily compiled patterns of regions[i] at index i.
var compiled [len(regions)]struct {
	idd, npp, general, leading, types lazyRE
}

// region is a pointer into regions with helpers for its patterns.
type region struct {
	*regionData
	i int
}

func lookupRegion(code string) (region, bool) {
	if len(code) != 2 {
		return region{}, false
	}
	code = strings.ToUpper(code)
	n := sort.Search(len(regionIndex), func(i int) bool { return regionIndex[i].code >= code })
	if n == len(regionIndex) || regionIndex[n].code != code {
		return region{}, false
	}
	return regionAt(int(regionIndex[n].i)), true
}

// ccRange returns the range of regions using calling code cc, main region
// first; lo == hi when the code is unknown.
func ccRange(cc int) (lo, hi int) {
	lo = sort.Search(len(regions), func(i int) bool { return int(regions[i].cc) >= cc })
	hi = lo
	for hi < len(regions) && int(regions[hi].cc) == cc {
		hi++
	}
	return lo, hi
}

// mainRegion returns the main region of calling code cc.
func mainRegion(cc int) (region, bool) {
	lo, hi := ccRange(cc)
	if lo == hi {
		return region{}, false
	}
	return regionAt(lo), true
}

func regionAt(i int) region { return region{&regions[i], i} }

// isDigits reports whether a pattern is a plain digit string, matched
// without a regular expression.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// generalMatch reports whether nsn matches the region's general pattern
// (the whole of it).
func (r region) generalMatch(nsn string) bool {
	if r.general == "" {
		return false
	}
	return compiled[r.i].general.get("^(?:" + r.general + ")$").MatchString(nsn)
}

// valid reports whether nsn is a possible length for the region and matches
// its general pattern.
func (r region) valid(nsn string) bool {
	return len(nsn) < 32 && r.lengths&(1<<len(nsn)) != 0 && r.generalMatch(nsn)
}

// iddLen returns the length of the international prefix digits starts with,
// or -1.
func (r region) iddLen(digits string) int {
	switch {
	case r.idd == "":
		return -1
	case isDigits(r.idd):
		if strings.HasPrefix(digits, r.idd) {
			return len(r.idd)
		}
		return -1
	}
	loc := compiled[r.i].idd.get("^(?:" + r.idd + ")").FindStringIndex(digits)
	if loc == nil {
		return -1
	}
	return loc[1]
}

// leadingMatch reports whether nsn starts with the region's leading digits.
func (r region) leadingMatch(nsn string) bool {
	if isDigits(r.leading) {
		return strings.HasPrefix(nsn, r.leading)
	}
	return compiled[r.i].leading.get("^(?:" + r.leading + ")").MatchString(nsn)
}

// typeMatch reports whether nsn matches one of the region's number types.
func (r region) typeMatch(nsn string) bool {
	return r.types != "" && compiled[r.i].types.get("^(?:"+r.types+")$").MatchString(nsn)
}

// Results of lengthCheck, after the library's ValidationResult.
const (
	isPossible = iota
	isPossibleLocalOnly
	tooShort
	tooLong
	invalidLength
)

// lengthCheck classifies the length of nsn for the region as the library's
// testNumberLength does for an unknown number type.
func (r region) lengthCheck(nsn string) int {
	n := len(nsn)
	if r.lengths == 0 {
		return invalidLength
	}
	if n < 32 && r.localLengths&(1<<n) != 0 {
		return isPossibleLocalOnly
	}
	lo, hi := lowBit(r.lengths), highBit(r.lengths)
	switch {
	case n < lo:
		return tooShort
	case n > hi:
		return tooLong
	case r.lengths&(1<<n) != 0:
		return isPossible
	}
	return invalidLength
}

func lowBit(m uint32) int {
	n := 0
	for m&1 == 0 {
		m >>= 1
		n++
	}
	return n
}

func highBit(m uint32) int {
	n := -1
	for m != 0 {
		m >>= 1
		n++
	}
	return n
}

// stripNationalPrefix removes (or, with a transform rule, rewrites) a
// national prefix from the start of number, as the library's
// maybeStripNationalPrefixAndCarrierCode does: a carrier code captured by
// the prefix pattern is dropped, and nothing is stripped when the number was
// viable (matched the general pattern) and would no longer be.
func (r region) stripNationalPrefix(number string) (string, bool) {
	if number == "" || r.npp == "" {
		return number, false
	}
	if isDigits(r.npp) && r.transform == "" {
		if !strings.HasPrefix(number, r.npp) {
			return number, false
		}
		rest := number[len(r.npp):]
		if r.generalMatch(number) && !r.generalMatch(rest) {
			return number, false
		}
		return rest, true
	}
	re := compiled[r.i].npp.get("^(?:" + r.npp + ")")
	loc := re.FindStringSubmatchIndex(number)
	if loc == nil {
		return number, false
	}
	viable := r.generalMatch(number)
	groups := len(loc)/2 - 1
	if r.transform == "" || loc[groups*2] < 0 {
		rest := number[loc[1]:]
		if viable && !r.generalMatch(rest) {
			return number, false
		}
		return rest, true
	}
	t := re.ReplaceAllString(number, r.transform)
	if viable && !r.generalMatch(t) {
		return number, false
	}
	return t, true
}

// ccString is the decimal form of a calling code.
func ccString(cc int) string { return strconv.Itoa(cc) }
