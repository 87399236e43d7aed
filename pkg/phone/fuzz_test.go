package phone

import (
	"regexp"
	"testing"
)

var e164Form = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// FuzzNormalize checks that Normalize never panics, that what it accepts is
// E.164 with 8 to 15 digits, and that its output is stable: normalizing it
// again, with or without a region, gives it back, and it has a Region.
func FuzzNormalize(f *testing.F) {
	for _, s := range []struct{ input, region string }{
		{"+98 933 555 6196", ""},
		{"0098 933 555 6196", "IR"},
		{"(0933) 555-6196", "IR"},
		{"+1 (415) 555-0100", ""},
		{"415-555-0100", "US"},
		{"8 (916) 123-45-67", "RU"},
		{"011 15-2345-6789", "AR"},
		{"0 21 11 96123-4567", "BR"},
		{"431 2345", "BB"},
		{"+44 (0)20 7946 0000", "GB"},
		{"۰۹۳۳ ۵۵۵ ۶۱۹۶", "IR"},
		{"+800 1234 5678", ""},
		{"+0123", ""},
		{"123", "IR"},
		{"+98 933 555 6196 123", ""},
		{"1-800-FLOWERS", "US"},
	} {
		f.Add(s.input, s.region)
	}
	f.Fuzz(func(t *testing.T, input, region string) {
		checkNormalized(t, input, region)
		// And with a real region picked by the region string, so that every
		// run exercises some numbering plan.
		h := 0
		for _, c := range []byte(region) {
			h = h*31 + int(c)
		}
		if r := regions[uint(h)%uint(len(regions))].code; r != "001" {
			checkNormalized(t, input, r)
		}
	})
}

func checkNormalized(t *testing.T, input, region string) {
	got, ok := Normalize(input, region)
	if !ok {
		if got != "" {
			t.Fatalf("Normalize(%q, %q) = %q, false", input, region, got)
		}
		return
	}
	if !e164Form.MatchString(got) {
		t.Fatalf("Normalize(%q, %q) = %q: not E.164 with 8 to 15 digits", input, region, got)
	}
	for _, r := range []string{"", region, "US"} {
		if again, ok := Normalize(got, r); !ok || again != got {
			t.Fatalf("Normalize(%q, %q) = %q; Normalize(%q, %q) = %q, %v", input, region, got, got, r, again, ok)
		}
	}
	if Region(got) == "" {
		t.Fatalf("Normalize(%q, %q) = %q, which has no Region", input, region, got)
	}
}
