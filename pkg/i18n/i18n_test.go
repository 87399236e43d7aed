package i18n

import (
	"strings"
	"testing"
)

func TestPick(t *testing.T) {
	tests := []struct {
		user, accept string
		want         Lang
	}{
		{"", "", English},
		{"fa", "ru", Persian},
		{"de", "ru-RU,ru;q=0.9,en;q=0.8", Russian},
		{"", "de-DE, fa;q=0.5, en;q=0.4", Persian},
		{"", "en;q=0, ru;q=0", English},
		{"", "garbage;;;,", English},
		{"", "fa;Q=0.1, ru;q=0.5", Russian},
		{"", "fa;level=1;q=0.2, ru;q=0.3", Russian},
		{"", "ru;q=1.5, fa;q=0.5", Persian},
		{"", "ru;q=NaN, fa;q=0.5", Persian},
		{"", "ru;q=1.000, fa", Russian},
	}
	for _, tt := range tests {
		if got := Pick(tt.user, tt.accept); got != tt.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tt.user, tt.accept, got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		l    Lang
		s    int64
		want string
	}{
		{English, 11525, "3 hours 12 minutes and 5 seconds"},
		{English, 61, "1 minute and 1 second"},
		{English, 900, "15 minutes"},
		{Russian, 11525, "3 часа 12 минут и 5 секунд"},
		{Russian, 1, "1 секунду"},
		{Russian, 1281, "21 минуту и 21 секунду"},
		{Russian, 3601, "1 час и 1 секунду"},
		{Persian, 3600, "۱ ساعت"},
		{Persian, 11525, "۳ ساعت و ۱۲ دقیقه و ۵ ثانیه"},
	}
	for _, tt := range tests {
		if got := Duration(tt.l, tt.s); got != tt.want {
			t.Errorf("Duration(%s, %d) = %q, want %q", tt.l, tt.s, got, tt.want)
		}
	}
}

// Every English text exists in every other language, so no user falls back silently.
func TestCatalogComplete(t *testing.T) {
	for key := range catalog.Get()[English] {
		for _, l := range []Lang{Persian, Russian} {
			if _, ok := catalog.Get()[l][key]; ok {
				continue
			}
			if l == Russian && (key == "hours" || key == "minutes" || key == "seconds") {
				continue // Russian uses the _few and _many forms instead
			}
			t.Errorf("%s has no %q", l, key)
		}
	}
	if !strings.Contains(T(Russian, "detail.rate_limited", "1 минута"), "1 минута") {
		t.Errorf("detail.rate_limited does not take the duration")
	}
}

func TestArgumentsOnlyForTextsThatSayThem(t *testing.T) {
	for _, l := range []Lang{English, Persian, Russian} {
		for _, key := range []string{"field.too_large", "field.invalid_format"} {
			if got := T(l, key, 100); strings.Contains(got, "%!") || got != T(l, key) {
				t.Errorf("T(%s, %s, 100) = %q, want the text as it is", l, key, got)
			}
		}
	}
	if got := T(English, "field.too_short", Count(English, 12, "character")); got != "Use at least 12 characters." {
		t.Errorf("too_short = %q", got)
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		l    Lang
		n    int64
		unit string
		want string
	}{
		{English, 1, "character", "1 character"},
		{English, 20, "item", "20 items"},
		{Russian, 1, "character", "1 символа"},
		{Russian, 21, "character", "21 символа"},
		{Russian, 11, "character", "11 символов"},
		{Russian, 2, "item", "2 элементов"},
		{Russian, 255, "character", "255 символов"},
		{Persian, 20, "item", "۲۰ مورد"},
	}
	for _, tt := range tests {
		if got := Count(tt.l, tt.n, tt.unit); got != tt.want {
			t.Errorf("Count(%s, %d, %s) = %q, want %q", tt.l, tt.n, tt.unit, got, tt.want)
		}
	}
}
