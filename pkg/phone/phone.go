// Package phone normalizes the phone numbers people type to E.164
// ("+989335556196") using the numbering-plan metadata of Google's
// libphonenumber, as ported by github.com/nyaruka/phonenumbers.
//
// The library itself is not linked in: it adds megabytes to a binary and
// tens of milliseconds of package init, too much for a Lambda cold start.
// Instead gen.go (run by go generate) distils its metadata into compact
// tables (metadata_gen.go), and this package parses numbers over those
// tables the way the library's Parse does. The tests check the result
// against the library itself. Nothing happens at package init: each
// region's patterns are compiled on first use.
//
// What is supported, per region: the country calling code; the
// international (IDD) prefix, "00", "011", "810" or a pattern; the national
// prefix for parsing, from a plain trunk prefix ("0", "1", "8") to patterns
// with carrier codes and transform rules (Argentina's "0…15", Brazil's
// carrier selection codes, the NANP islands' 7-digit local form); the
// possible lengths; and the general number pattern. A number is accepted when
// its national significant number has a possible length for, and matches
// the general pattern of, any region sharing its calling code (so "+1 416…"
// is accepted for Canada, "+44 1481…" for Guernsey), and when it has 8 to 15
// digits in all.
//
// Not supported, by design: letters (vanity numbers such as 1-800-FLOWERS
// are rejected rather than converted), extensions ("ext. 12", "#12"),
// tel: URIs, text around the number, numbers diallable only locally
// (without their area code: the metadata's possible-local-only lengths, save
// where a transform rule supplies the area code), short codes, and per-type
// validation (a number of
// the right shape for a region but not of any assigned fixed-line or mobile
// range is still accepted, as the metadata's general pattern allows). Unlike
// the library, a "+" followed by an unknown calling code is rejected rather
// than retried as a national number; numbers of fewer than 8 digits in all
// (a few in Niue, Tokelau, Tristan da Cunha) are rejected; and so is input
// whose E.164 form would not normalize to itself again (a rare double trunk
// prefix), so that a stored number is always found again when typed as
// stored.
package phone

import (
	"strings"
	"unicode"
)

const (
	// maxInputLen bounds the work done on any input, as the library does.
	maxInputLen = 250
	// maxScanDigits bounds the digits of an input: the longest
	// international prefix, calling code, trunk prefix and national number.
	maxScanDigits = 32
	// minNSN and maxNSN bound a national significant number, as the
	// library's parser does.
	minNSN, maxNSN = 2, 17
	// minDigits and maxDigits bound the digits of an accepted E.164
	// number (calling code and national number): E.164 allows at most 15;
	// fewer than 8 is taken as a short code or a typo.
	minDigits, maxDigits = 8, 15
)

// Normalize parses a phone number as a person would type it and returns it
// in E.164 form: "+", the country calling code, and the national
// significant number. ok is false when input is not a possible, valid
// number.
//
// Digits (including Arabic-Indic, Persian and other Unicode decimal digits)
// may be separated by spaces, dots, dashes, parentheses, brackets, slashes
// and tildes; invisible formatting marks (such as the left-to-right mark) are
// ignored. A leading "+" makes the number international: "+98 933 555 6196",
// "+1 (415) 555-0100", "+44 (0)20 7946 0000" (a trunk prefix after the
// calling code is dropped). Without one, a number starting with the default
// region's international prefix is international too ("0098 933 555 6196"
// in Iran, "011 44 20 7946 0000" in the US); any other number is national to
// the default region: its national prefix ("0" in IR, GB and DE, "1" in the
// US, "8" in RU) is stripped and the region's calling code prepended, so
// "(0933) 555-6196" in "IR" is "+989335556196". Like the library, a national
// number that starts with the region's own calling code and only makes sense
// without it ("98 933 555 6196" in IR) is read as international.
//
// defaultRegion is an ISO 3166-1 alpha-2 code ("IR", "US"; case does not
// matter) or "": then, as for an unknown code, only numbers with a leading
// "+" are accepted.
func Normalize(input, defaultRegion string) (e164 string, ok bool) {
	digits, plus, ok := scan(input)
	if !ok {
		return "", false
	}
	def, hasDef := lookupRegion(defaultRegion)
	cc, nsn, ok := parse(digits, plus, def, hasDef)
	if !ok {
		return "", false
	}
	e164 = "+" + ccString(cc) + nsn
	// The result must read back as itself, or a number stored in this form
	// would not be found again when typed in it: "+375 88 …" (Belarus, a
	// trunk prefix typed twice) gives "+3758…", which reads as "+375…".
	// The library accepts such inputs; Normalize rejects them.
	if cc2, nsn2, ok := parse(e164[1:], true, region{}, false); !ok || cc2 != cc || nsn2 != nsn {
		return "", false
	}
	return e164, true
}

// parse splits the digits of a number into a calling code and a valid
// national significant number, following the library's Parse. plus tells
// whether the digits followed a "+"; def is the default region, if hasDef.
func parse(digits string, plus bool, def region, hasDef bool) (cc int, nsn string, ok bool) {
	extracted := false // cc came from the number, not the default region
	switch {
	case plus:
		if len(digits) <= minNSN {
			return 0, "", false
		}
		if cc, nsn = extractCC(digits); cc == 0 {
			return 0, "", false
		}
		extracted = true
	case !hasDef:
		return 0, "", false
	default:
		// An international prefix, unless followed by a 0: calling codes
		// never start with one.
		if n := def.iddLen(digits); n >= 0 && (n == len(digits) || digits[n] != '0') {
			rest := digits[n:]
			if len(rest) <= minNSN {
				return 0, "", false
			}
			if cc, nsn = extractCC(rest); cc == 0 {
				return 0, "", false
			}
			extracted = true
			break
		}
		cc, nsn = int(def.cc), digits
		// The region's calling code without a "+": taken as such when the
		// number is invalid with it and valid without, or too long with it.
		if ccs := ccString(cc); strings.HasPrefix(digits, ccs) {
			rest, _ := def.stripNationalPrefix(digits[len(ccs):])
			if (!def.generalMatch(digits) && def.generalMatch(rest)) || def.lengthCheck(digits) == tooLong {
				nsn, extracted = rest, true
			}
		}
	}

	// The plan the national number is read with: the default region's
	// unless the calling code was given, then its main region's.
	meta := def
	if extracted {
		meta, _ = mainRegion(cc)
	}
	if len(nsn) < minNSN {
		return 0, "", false
	}
	// Strip a national prefix when what remains has a possible length:
	// otherwise the digits were not a prefix.
	if rest, stripped := meta.stripNationalPrefix(nsn); stripped {
		switch meta.lengthCheck(rest) {
		case tooShort, isPossibleLocalOnly, invalidLength:
		default:
			nsn = rest
		}
	}
	if len(nsn) < minNSN || len(nsn) > maxNSN {
		return 0, "", false
	}
	if n := len(ccString(cc)) + len(nsn); n < minDigits || n > maxDigits {
		return 0, "", false
	}
	lo, hi := ccRange(cc)
	for i := lo; i < hi; i++ {
		if regionAt(i).valid(nsn) {
			return cc, nsn, true
		}
	}
	return 0, "", false
}

// Region returns the region of a number in the form Normalize returns: its
// ISO 3166-1 alpha-2 code ("IR", "CA"), or "001" for a non-geographic
// number such as +800. Among regions sharing a calling code it picks, as the
// library does, the first whose leading digits or number types match, and
// failing that the first whose general pattern does (main region first).
// It returns "" for anything Normalize would not return.
//
// The first call for a shared calling code compiles that code's number-type
// patterns, about a millisecond or two for +1 and +44 (once per process);
// Normalize needs only the smaller general patterns.
func Region(e164 string) string {
	if n, ok := Normalize(e164, ""); !ok || n != e164 {
		return ""
	}
	cc, nsn := extractCC(e164[1:])
	lo, hi := ccRange(cc)
	if hi-lo == 1 {
		return regions[lo].code
	}
	for i := lo; i < hi; i++ {
		r := regionAt(i)
		if r.leading != "" {
			if r.leadingMatch(nsn) {
				return r.code
			}
		} else if r.valid(nsn) && r.typeMatch(nsn) {
			return r.code
		}
	}
	for i := lo; i < hi; i++ {
		if r := regionAt(i); r.valid(nsn) {
			return r.code
		}
	}
	return ""
}

// extractCC splits digits (which follow a "+" or an international prefix)
// into a known calling code and the rest; cc is 0 when none fits.
func extractCC(digits string) (cc int, rest string) {
	if digits == "" || digits[0] == '0' {
		return 0, ""
	}
	for i := 0; i < 3 && i < len(digits); i++ {
		cc = cc*10 + int(digits[i]-'0')
		if lo, hi := ccRange(cc); lo < hi {
			return cc, digits[i+1:]
		}
	}
	return 0, ""
}

// scan reads input into its ASCII digits, and whether a "+" came before
// them. ok is false for anything but digits, one leading plus and the
// separators people type.
func scan(input string) (digits string, plus, ok bool) {
	if len(input) > maxInputLen {
		return "", false, false
	}
	var buf [maxScanDigits]byte
	n := 0
	for _, r := range input {
		if d, isDigit := digitValue(r); isDigit {
			if n == len(buf) {
				return "", false, false
			}
			buf[n] = '0' + d
			n++
			continue
		}
		switch {
		case r == '+' || r == '\uFF0B': // plus, fullwidth plus
			if plus || n > 0 {
				return "", false, false
			}
			plus = true
		case isSeparator(r):
		default:
			return "", false, false
		}
	}
	if n == 0 {
		return "", false, false
	}
	return string(buf[:n]), plus, true
}

// digitValue returns the value of a Unicode decimal digit.
func digitValue(r rune) (byte, bool) {
	if '0' <= r && r <= '9' {
		return byte(r - '0'), true
	}
	if r < 0x80 {
		return 0, false
	}
	// Decimal digits come in contiguous runs of ten, 0 to 9 (a stability
	// guarantee of Unicode), so a rune's value is its offset from the start
	// of its range modulo 10.
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) && rg.Stride == 1 {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) && rg.Stride == 1 {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}

// isSeparator reports whether r may appear between the digits of a number.
func isSeparator(r rune) bool {
	switch r {
	case '-', '.', '/', '(', ')', '[', ']', '~', // "~": wait for a dial tone ("8~10")
		'\u2053', '\u223C', '\uFF5E', // swung dash, tilde operator, fullwidth tilde
		'\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', // dashes, minus
		'\uFF0D', '\uFF0E', '\uFF0F', '\uFF08', '\uFF09', '\uFF3B', '\uFF3D', // fullwidth - . / ( ) [ ]
		'\u00AD', '\u200B', '\u2060', '\uFEFF', // soft hyphen, zero-width space, word joiner, BOM
		'\u061C', '\u200E', '\u200F', // bidi marks
		'\u202A', '\u202B', '\u202C', '\u202D', '\u202E', // bidi embeddings
		'\u2066', '\u2067', '\u2068', '\u2069': // bidi isolates
		return true
	}
	return unicode.IsSpace(r)
}
