package user

import "testing"

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{" Ann@Example.COM ", "ann@example.com"},
		{"a.b+tag@sub.example.io", "a.b+tag@sub.example.io"},
		{"user@bücher.de", "user@xn--bcher-kva.de"},
		{"user@BÜCHER.de", "user@xn--bcher-kva.de"},
		{"a@b", ""},
		{"@example.com", ""},
		{"a..b@example.com", ""},
		{"a b@example.com", ""},
		{"a@-x.com", ""},
		{"a@example.123", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := NormalizeEmail(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+98 933 555 6196", "+989335556196"},
		{"0098-933-555-6196", "+989335556196"},
		{"+1 (415) 555-0100", "+14155550100"},
		{"09335556196", ""},
		{"+0123456789", ""},
		{"+12", ""},
		{"+1234567890123456", ""},
		{"+1415555O100", ""},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestValidators(t *testing.T) {
	for _, tt := range []struct {
		name string
		fn   func(string) bool
		ok   []string
		bad  []string
	}{
		{"language", ValidLanguage, []string{"en", "fa", "ru"}, []string{"", "eng", "EN", "xx", "e"}},
		{"country", ValidCountry, []string{"IR", "US", "DE"}, []string{"", "ir", "XX", "EU", "USA"}},
		{"timezone", ValidTimezone, []string{"Asia/Tehran", "UTC", "America/New_York"}, []string{"", "Local", "Mars/Base", "../etc/passwd"}},
	} {
		for _, s := range tt.ok {
			if !tt.fn(s) {
				t.Errorf("%s %q: got invalid, want valid", tt.name, s)
			}
		}
		for _, s := range tt.bad {
			if tt.fn(s) {
				t.Errorf("%s %q: got valid, want invalid", tt.name, s)
			}
		}
	}
}
