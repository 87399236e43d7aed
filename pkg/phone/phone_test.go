package phone

import (
	"regexp"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		input, region, want string
	}{
		// The examples.
		{"+98 933 555 6196", "", "+989335556196"},
		{"+98 933 555 6196", "US", "+989335556196"},
		{"0098 933 555 6196", "IR", "+989335556196"},
		{"(0933) 555-6196", "IR", "+989335556196"},
		{"+1 (415) 555-0100", "", "+14155550100"},
		{"415-555-0100", "US", "+14155550100"},
		{"415.555.0100", "US", "+14155550100"},
		{"1 415 555 0100", "US", "+14155550100"}, // US trunk prefix
		{"011 98 933 555 6196", "US", "+989335556196"},
		{"98 933 555 6196", "IR", "+989335556196"}, // own calling code without "+"
		// Region case does not matter.
		{"09335556196", "ir", "+989335556196"},
		// National prefixes of other regions.
		{"020 7946 0000", "GB", "+442079460000"},
		{"+44 (0)20 7946 0000", "", "+442079460000"},
		{"030 123456", "DE", "+4930123456"},
		{"8 (916) 123-45-67", "RU", "+79161234567"},
		{"810 49 30 123456", "RU", "+4930123456"}, // RU international prefix
		{"06 1234 5678", "IT", "+390612345678"},   // no trunk prefix in IT: the 0 is kept
		{"06 1234 5678", "NL", "+31612345678"},
		{"02 1234 5678", "IT", "+390212345678"}, // Italian leading zero is kept
		{"+39 02 1234 5678", "", "+390212345678"},
		// Carrier codes and transform rules.
		{"011 15-2345-6789", "AR", "+5491123456789"},
		{"0 21 11 96123-4567", "BR", "+5511961234567"}, // carrier 21
		{"(11) 96123-4567", "BR", "+5511961234567"},
		{"1 246 431 2345", "BB", "+12464312345"},
		{"431 2345", "BB", "+12464312345"}, // transform rule adds area code 246
		// Shared calling codes: valid if any region sharing it accepts.
		{"+1 416 555 0100", "", "+14165550100"},
		{"+44 1481 256789", "", "+441481256789"},
		{"+7 701 123 4567", "", "+77011234567"},
		{"416 555 0100", "US", "+14165550100"},
		// Unicode digits and separators.
		{"۰۹۳۳ ۵۵۵ ۶۱۹۶", "IR", "+989335556196"},
		{"٠٩٣٣٥٥٥٦١٩٦", "IR", "+989335556196"},
		{"\u200e+98 933 555 6196", "", "+989335556196"},
		{"＋９８ ９３３ ５５５ ６１９６", "", "+989335556196"},
		{"+98\u00a0933\u00a0555\u00a06196", "", "+989335556196"},
		{"+1 415/555–0100", "", "+14155550100"},
		{"  +1 [415] 555 0100  ", "", "+14155550100"},
		{"(+98) 933 555 6196", "", "+989335556196"},
		// Non-geographic entities.
		{"+800 1234 5678", "", "+80012345678"},
	}
	for _, tt := range tests {
		got, ok := Normalize(tt.input, tt.region)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", tt.input, tt.region, got, ok, tt.want)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct{ input, region string }{
		{"123", "IR"},
		{"123", "US"},
		{"+0123", ""},
		{"+0123", "IR"},
		{"+98 933", ""},
		{"+98 933", "IR"},
		{"+98 933 555 6196 123", ""}, // too long
		{"0933 555 6196 12", "IR"},
		{"+1 415 555 0100 0", ""},
		{"+1234567890123456", ""},
		{"+98 933 555 61a6", ""}, // letters
		{"1-800-FLOWERS", "US"},
		{"tel:+14155550100", ""},
		{"+1 415 555 0100 ext. 12", ""},
		{"+1 415 555 0100#", ""},
		{"", "IR"},
		{"+", ""},
		{"++98 933 555 6196", ""},
		{"98+933 555 6196", "IR"},
		{"-- ( ) --", "IR"},
		{"0933 555 6196", ""},   // national without a region
		{"0933 555 6196", "XX"}, // unknown region
		{"0933 555 6196", "001"},
		{"+28 1234 5678", ""},        // unassigned calling code
		{"+1 115 555 0100", ""},      // NANP area codes do not start with 0 or 1
		{"+1 415 555 0100\x00", ""},  // control character
		{"\xff+14155550100", ""},     // invalid UTF-8
		{"+683 7012", ""},            // valid in Niue but fewer than 8 digits
		{"+49 30 1234567890123", ""}, // more than 15 digits
		{"0" + strings.Repeat("1", 40), "GB"},
		{strings.Repeat(" ", 300) + "+14155550100", ""},
	}
	for _, tt := range tests {
		if got, ok := Normalize(tt.input, tt.region); ok || got != "" {
			t.Errorf("Normalize(%q, %q) = %q, %v; want rejection", tt.input, tt.region, got, ok)
		}
	}
}

func TestRegion(t *testing.T) {
	tests := []struct{ e164, want string }{
		{"+989335556196", "IR"},
		{"+14155550100", "US"},
		{"+14165550100", "CA"},
		{"+12464312345", "BB"},
		{"+18002345678", "US"},
		{"+442079460000", "GB"},
		{"+441481256789", "GG"},
		{"+447624123456", "IM"},
		{"+79161234567", "RU"},
		{"+77011234567", "KZ"},
		{"+80012345678", "001"},
		{"+390212345678", "IT"},
		{"+98 933 555 6196", ""}, // not E.164
		{"989335556196", ""},
		{"+9893355", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Region(tt.e164); got != tt.want {
			t.Errorf("Region(%q) = %q; want %q", tt.e164, got, tt.want)
		}
	}
}

// TestTables checks the generated tables' invariants and that every pattern
// compiles, since they are compiled only when first needed.
func TestTables(t *testing.T) {
	for i := range regions {
		r := regionAt(i)
		if i > 0 && regions[i-1].cc > r.cc {
			t.Errorf("regions not sorted by calling code at %d (%s)", i, r.code)
		}
		if r.lengths == 0 || r.general == "" {
			t.Errorf("%s: no possible lengths or general pattern", r.code)
		}
		for _, p := range []string{r.idd, r.npp, r.general, r.leading, r.types} {
			if _, err := regexp.Compile(p); err != nil {
				t.Errorf("%s: %v", r.code, err)
			}
		}
		if r.code != "001" {
			if got, ok := lookupRegion(r.code); !ok || got.i != i {
				t.Errorf("lookupRegion(%q) = %d, %v; want %d", r.code, got.i, ok, i)
			}
		}
	}
	for i := 1; i < len(regionIndex); i++ {
		if regionIndex[i-1].code >= regionIndex[i].code {
			t.Errorf("regionIndex not sorted at %q", regionIndex[i].code)
		}
	}
}

func TestDigitValue(t *testing.T) {
	for _, zero := range []rune{'0', '٠', '۰', '०', '০', '０', '𝟎', '𝟘'} {
		for d := rune(0); d < 10; d++ {
			if v, ok := digitValue(zero + d); !ok || rune(v) != d {
				t.Errorf("digitValue(%q) = %d, %v; want %d", zero+d, v, ok, d)
			}
		}
	}
	for _, r := range []rune{'a', '²', '½', '一', '+'} {
		if _, ok := digitValue(r); ok {
			t.Errorf("digitValue(%q) is a digit", r)
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		Normalize("(0933) 555-6196", "IR")
		Normalize("+1 (415) 555-0100", "")
	}
}
