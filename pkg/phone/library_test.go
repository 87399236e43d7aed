package phone

// Differential tests against github.com/nyaruka/phonenumbers, the library
// the tables come from. It is imported only by tests and gen.go.

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libRegions returns the library's regions, sorted.
func libRegions() []string {
	var rs []string
	for r := range phonenumbers.GetSupportedRegions() {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	return rs
}

// exampleTypes are the number types whose example numbers the tests use
// beyond fixed line and mobile.
var exampleTypes = []phonenumbers.PhoneNumberType{
	phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
	phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP,
	phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN,
	phonenumbers.VOICEMAIL,
}

// policyAllows reports whether an E.164 number of the library has the 8 to
// 15 digits Normalize requires.
func policyAllows(e164 string) bool {
	n := len(e164) - 1
	return n >= minDigits && n <= maxDigits
}

// TestLibraryExamples is the differential test the issue asks for: for every
// region, the library's fixed-line and mobile example numbers, formatted
// nationally and internationally, must normalize to the library's E.164.
func TestLibraryExamples(t *testing.T) {
	type form struct {
		name                           string
		total, agree, policy, libParse int
		mismatches                     []string
	}
	national := &form{name: "national"}
	intl := &form{name: "international"}
	check := func(f *form, input, region, want string) {
		f.total++
		got, ok := Normalize(input, region)
		switch {
		case ok && got == want:
			f.agree++
		case !policyAllows(want) && !ok:
			// Rejected by the 8–15 digit rule, as documented.
			f.policy++
			f.mismatches = append(f.mismatches, fmt.Sprintf("%s %q: rejected, library %s (fewer than %d digits, by design)", region, input, want, minDigits))
		case ok && got == libParse(input, region):
			// The library does not read its own formatting back either.
			f.libParse++
			f.mismatches = append(f.mismatches, fmt.Sprintf("%s %q: got %q, library %s; the library's Parse also gives %s", region, input, got, want, got))
		default:
			f.mismatches = append(f.mismatches, fmt.Sprintf("%s %q: got %q, %v; library %s", region, input, got, ok, want))
		}
	}
	for _, region := range libRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			want := phonenumbers.Format(ex, phonenumbers.E164)
			check(national, phonenumbers.Format(ex, phonenumbers.NATIONAL), region, want)
			check(intl, phonenumbers.Format(ex, phonenumbers.INTERNATIONAL), "", want)
		}
	}
	for _, f := range []*form{national, intl} {
		rate := 100 * float64(f.agree) / float64(f.total)
		t.Logf("%s form: %d/%d agree (%.2f%%); %d rejected by the 8-digit minimum; %d where the library's Parse agrees with Normalize, not with its example; %d other disagreements",
			f.name, f.agree, f.total, rate, f.policy, f.libParse, len(f.mismatches)-f.policy-f.libParse)
		for _, m := range f.mismatches {
			t.Logf("  %s", m)
		}
		if f.total < 400 {
			t.Errorf("%s form: only %d example numbers", f.name, f.total)
		}
		if other := len(f.mismatches) - f.policy - f.libParse; other > 0 {
			t.Errorf("%s form: %d disagreements with the library's Parse; want none", f.name, other)
		}
		if rate < 98 {
			t.Errorf("%s form: agreement %.2f%%; want at least 98%%", f.name, rate)
		}
	}
}

// TestLibraryExampleVariants normalizes every example number (of all types,
// and of the non-geographic entities) in the other ways people write them,
// and compares with the library's Parse, followed by the validity rule
// Normalize applies.
func TestLibraryExampleVariants(t *testing.T) {
	var total, accepted, disagree int
	check := func(input, region string) {
		total++
		want, wantOK := libNormalize(input, region)
		got, ok := Normalize(input, region)
		if ok {
			accepted++
		}
		if got != want || ok != wantOK {
			disagree++
			if disagree <= 50 {
				t.Errorf("Normalize(%q, %q) = %q, %v; library %q, %v", input, region, got, ok, want, wantOK)
			}
		}
	}
	for _, region := range libRegions() {
		cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
		m := libMetadata(region)
		idd := m.GetPreferredInternationalPrefix()
		if idd == "" && isDigits(m.GetInternationalPrefix()) {
			idd = m.GetInternationalPrefix()
		}
		for _, typ := range exampleTypes {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
			check(national, region)
			check(strings.Map(keepDigits, national), region)
			check(phonenumbers.Format(ex, phonenumbers.INTERNATIONAL), region)
			check(phonenumbers.Format(ex, phonenumbers.E164), "")
			check(phonenumbers.Format(ex, phonenumbers.RFC3966)[len("tel:"):], "")
			check(cc+nsn, region) // calling code without "+"
			check(nsn, region)
			if np := m.GetNationalPrefix(); np != "" {
				check("+"+cc+" ("+np+") "+nsn, "") // "+44 (0)20…"
			}
			if idd != "" {
				check(idd+" "+cc+" "+nsn, region)
			}
			// Dialled from another region.
			check("011 "+cc+" "+nsn, "US")
			check("00 "+cc+" "+nsn, "DE")
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil {
			check(phonenumbers.Format(ex, phonenumbers.INTERNATIONAL), "")
			check(phonenumbers.Format(ex, phonenumbers.E164), "GB")
		}
	}
	t.Logf("%d inputs, %d accepted, %d disagreements with the library", total, accepted, disagree)
}

// TestLibraryRandom compares Normalize with the library on random inputs
// built around each region's prefixes and example numbers: mostly invalid
// numbers, some valid ones.
func TestLibraryRandom(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 20
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var total, accepted, disagree int
	for _, region := range libRegions() {
		m := libMetadata(region)
		cc := strconv.Itoa(int(m.GetCountryCode()))
		var nsns []string
		for _, typ := range exampleTypes {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				nsns = append(nsns, phonenumbers.GetNationalSignificantNumber(ex))
			}
		}
		prefixes := []string{"", "", "", "+", "+" + cc, "+" + cc, cc, "00", "0", "1", "8", "+0"}
		if np := m.GetNationalPrefix(); np != "" {
			prefixes = append(prefixes, np, np, "+"+cc+np)
		}
		if idd := m.GetPreferredInternationalPrefix(); idd != "" && isDigits(idd) {
			prefixes = append(prefixes, idd, idd+cc)
		}
		for i := 0; i < n; i++ {
			var body string
			if len(nsns) > 0 && rng.IntN(3) > 0 {
				body = mutate(rng, nsns[rng.IntN(len(nsns))])
			} else {
				body = randomDigits(rng, 1+rng.IntN(16))
			}
			input := prefixes[rng.IntN(len(prefixes))] + body
			def := region
			if rng.IntN(8) == 0 {
				def = ""
			}
			total++
			want, wantOK := libNormalize(input, def)
			got, ok := Normalize(input, def)
			if ok {
				accepted++
				if again, ok := Normalize(got, ""); !ok || again != got {
					t.Errorf("Normalize(%q, %q) = %q; Normalize(%q, \"\") = %q, %v", input, def, got, got, again, ok)
				}
			}
			if got != want || ok != wantOK {
				disagree++
				if disagree <= 50 {
					t.Errorf("Normalize(%q, %q) = %q, %v; library %q, %v", input, def, got, ok, want, wantOK)
				}
			}
		}
	}
	t.Logf("%d inputs, %d accepted, %d disagreements with the library", total, accepted, disagree)
}

// TestLibraryRegion compares Region with the library's GetRegionCodeForNumber
// on every example number, and on mutated ones.
func TestLibraryRegion(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var total, disagree int
	check := func(num *phonenumbers.PhoneNumber) {
		e164 := phonenumbers.Format(num, phonenumbers.E164)
		if n, ok := Normalize(e164, ""); !ok || n != e164 {
			return
		}
		want := phonenumbers.GetRegionCodeForNumber(num)
		if want == "" || want == phonenumbers.UNKNOWN_REGION {
			return // the library finds no region; Region falls back to a valid one
		}
		total++
		if got := Region(e164); got != want {
			disagree++
			if disagree <= 30 {
				t.Errorf("Region(%q) = %q; library %q", e164, got, want)
			}
		}
	}
	for _, region := range libRegions() {
		for _, typ := range exampleTypes {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			check(ex)
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			for i := 0; i < 20; i++ {
				if num, err := phonenumbers.Parse("+"+strconv.Itoa(int(ex.GetCountryCode()))+mutateDigits(rng, nsn), ""); err == nil {
					check(num)
				}
			}
		}
	}
	t.Logf("%d numbers, %d disagreements with the library", total, disagree)
	if total < 1000 {
		t.Errorf("only %d numbers checked", total)
	}
}

// libParse returns the library's E.164 for input, or "".
func libParse(input, region string) string {
	num, err := phonenumbers.Parse(input, region)
	if err != nil {
		return ""
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

// libNormalize is the reference Normalize: the library's Parse, then the
// rule Normalize documents (possible length and general pattern of a region
// sharing the calling code, 8 to 15 digits), with the library's own
// metadata. Inputs the package rejects by design are rejected: a "+" with an
// unknown calling code, and results that do not parse back as themselves.
func libNormalize(input, region string) (string, bool) {
	if strings.HasPrefix(input, "+") {
		// The library retries a "+" with an unknown calling code as a
		// national number; Normalize does not.
		d := strings.Map(keepDigits, input)
		if cc, _ := libExtractCC(d); cc == 0 {
			return "", false
		}
	}
	num, err := phonenumbers.Parse(input, region)
	if err != nil {
		return "", false
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if !policyAllows(e164) || libParse(e164, "") != e164 {
		return "", false
	}
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	cc := int(num.GetCountryCode())
	for _, r := range phonenumbers.GetRegionCodesForCountryCode(cc) {
		m := libMetadata(r)
		if r == "001" {
			m = libNonGeo(cc)
		}
		g := m.GetGeneralDesc()
		if slices.Contains(g.GetPossibleLength(), int32(len(nsn))) &&
			libRegexp("^(?:"+g.GetNationalNumberPattern()+")$").MatchString(nsn) {
			return e164, true
		}
	}
	return "", false
}

func libExtractCC(d string) (int, string) {
	if d == "" || d[0] == '0' {
		return 0, ""
	}
	for i := 1; i <= 3 && i <= len(d); i++ {
		cc, _ := strconv.Atoi(d[:i])
		if phonenumbers.GetSupportedCallingCodes()[cc] {
			return cc, d[i:]
		}
	}
	return 0, ""
}

var (
	libMetaOnce   sync.Once
	libMetaRegion map[string]*phonenumbers.PhoneMetadata
	libMetaNonGeo map[int]*phonenumbers.PhoneMetadata
	libRegexps    sync.Map
)

func loadLibMetadata() {
	libMetaOnce.Do(func() {
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			panic(err)
		}
		libMetaRegion = map[string]*phonenumbers.PhoneMetadata{}
		libMetaNonGeo = map[int]*phonenumbers.PhoneMetadata{}
		for _, m := range coll.GetMetadata() {
			if m.GetId() == "001" {
				libMetaNonGeo[int(m.GetCountryCode())] = m
			} else {
				libMetaRegion[m.GetId()] = m
			}
		}
	})
}

func libMetadata(region string) *phonenumbers.PhoneMetadata {
	loadLibMetadata()
	return libMetaRegion[region]
}

func libNonGeo(cc int) *phonenumbers.PhoneMetadata {
	loadLibMetadata()
	return libMetaNonGeo[cc]
}

func libRegexp(expr string) *regexp.Regexp {
	if re, ok := libRegexps.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(expr)
	libRegexps.Store(expr, re)
	return re
}

func keepDigits(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

func randomDigits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

// mutate changes a number's digits and length, and sometimes adds
// separators.
func mutate(rng *rand.Rand, s string) string {
	s = mutateDigits(rng, s)
	if rng.IntN(3) == 0 {
		var b strings.Builder
		for i, c := range s {
			if i > 0 && rng.IntN(4) == 0 {
				b.WriteString([]string{" ", "-", ".", " (", ") "}[rng.IntN(5)])
			}
			b.WriteRune(c)
		}
		s = b.String()
	}
	return s
}

func mutateDigits(rng *rand.Rand, s string) string {
	b := []byte(s)
	switch rng.IntN(5) {
	case 0: // change a digit
		if len(b) > 0 {
			b[rng.IntN(len(b))] = byte('0' + rng.IntN(10))
		}
	case 1: // drop a digit
		if len(b) > 1 {
			i := rng.IntN(len(b))
			b = append(b[:i], b[i+1:]...)
		}
	case 2: // add a digit
		i := rng.IntN(len(b) + 1)
		b = slices.Insert(b, i, byte('0'+rng.IntN(10)))
	case 3: // change the tail
		if len(b) > 3 {
			copy(b[len(b)-3:], randomDigits(rng, 3))
		}
	}
	return string(b)
}
