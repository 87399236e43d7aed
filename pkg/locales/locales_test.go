package locales

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // as in Lambda: every listed name must load without a system zoneinfo

	"github.com/google/go-cmp/cmp"
)

func TestListsSortedUniqueNamed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		list       []Entry
		min, max   int
		mustHave   []string
		mustLack   []string
		keyPattern func(string) bool
	}{
		{"languages", Languages(), 175, 195,
			[]string{"en", "fa", "ru", "ar", "zh", "he", "id", "yi", "tl", "no", "nb"},
			[]string{"iw", "in", "ji", "jw", "mo", "xx", "eng"},
			func(k string) bool { return len(k) == 2 && strings.ToLower(k) == k }},
		{"currencies", Currencies(), 140, 200,
			// ISO 4217 as it stands, not as x/text's data last saw it (gen_codes.go).
			[]string{"USD", "EUR", "IRR", "RUB", "JPY", "GBP", "CNY", "VES", "MRU", "SLE", "ZWG", "XCG"},
			[]string{"XXX", "XTS", "DEM", "FRF", "usd", "VEF", "MRO", "HRK", "CUC"},
			func(k string) bool { return len(k) == 3 && strings.ToUpper(k) == k }},
		{"timezones", Timezones(), 400, 600,
			[]string{"UTC", "Etc/UTC", "Etc/GMT", "Asia/Tehran", "America/New_York", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Antarctica/Troll"},
			[]string{"US/Eastern", "Etc/GMT+5", "EST5EDT", "Cuba", "Local", "Zulu"},
			func(k string) bool { return k == "UTC" || strings.Contains(k, "/") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Logf("%s: %d entries", tc.name, len(tc.list))
			if n := len(tc.list); n < tc.min || n > tc.max {
				t.Errorf("got %d entries, want %d..%d", n, tc.min, tc.max)
			}
			if !slices.IsSortedFunc(tc.list, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) }) {
				t.Error("got an unsorted list, want sorted by key")
			}
			keys := make(map[string]bool)
			for _, e := range tc.list {
				if keys[e.Key] {
					t.Errorf("got key %q twice, want unique keys", e.Key)
				}
				keys[e.Key] = true
				if e.Name == "" || !tc.keyPattern(e.Key) {
					t.Errorf("got entry %+v, want a well-formed key and a name", e)
				}
			}
			for _, k := range tc.mustHave {
				if !keys[k] {
					t.Errorf("got no %q, want it listed", k)
				}
			}
			for _, k := range tc.mustLack {
				if keys[k] {
					t.Errorf("got %q, want it left out", k)
				}
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		list      []Entry
		key, want string
	}{
		{Languages(), "en", "English"},
		{Languages(), "fa", "Persian"},
		{Languages(), "zh", "Chinese"},
		{Currencies(), "USD", "USD"},
		{Timezones(), "America/New_York", "America/New York"},
		{Timezones(), "America/Argentina/Buenos_Aires", "America/Argentina/Buenos Aires"},
		{Timezones(), "UTC", "UTC"},
	} {
		i := slices.IndexFunc(tc.list, func(e Entry) bool { return e.Key == tc.key })
		if i < 0 {
			t.Errorf("%s: got no entry, want one", tc.key)
			continue
		}
		if got := tc.list[i].Name; got != tc.want {
			t.Errorf("%s: got name %q, want %q", tc.key, got, tc.want)
		}
	}
}

// The validators and the lists must never disagree: that is the point of the package.
func TestValidatorsAgreeWithLists(t *testing.T) {
	for _, tc := range []struct {
		name  string
		list  []Entry
		valid func(string) bool
		bad   []string
	}{
		{"language", Languages(), ValidLanguage, []string{"", "EN", "eng", "e", "xx", "iw", "en-US", "en "}},
		{"currency", Currencies(), ValidCurrency, []string{"", "usd", "US", "USDD", "XXX", "DEM"}},
		{"timezone", Timezones(), ValidTimezone, []string{"", "Local", "utc", "US/Eastern", "Mars/Base", "../etc/passwd", "/etc/localtime", "Asia/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, e := range tc.list {
				if !tc.valid(e.Key) {
					t.Errorf("Valid(%q) got false, want true: it is listed", e.Key)
				}
			}
			for _, s := range tc.bad {
				if tc.valid(s) {
					t.Errorf("Valid(%q) got true, want false", s)
				}
			}
		})
	}
}

func TestListsAreCopies(t *testing.T) {
	l := Languages()
	l[0].Name = "changed"
	if Languages()[0].Name == "changed" {
		t.Error("got a shared slice, want a copy per call")
	}
}

func TestTimezonesLoad(t *testing.T) {
	for _, e := range Timezones() {
		if _, err := time.LoadLocation(e.Key); err != nil {
			t.Errorf("LoadLocation(%q): got %v, want nil", e.Key, err)
		}
	}
}

// The generated tables must match what their generators make from the current Go
// installation and x/text version, so that a Go or x/text upgrade with new data fails here
// until `go generate ./pkg/locales` is run.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	zip := filepath.Join(strings.TrimSpace(string(out)), "lib", "time", "zoneinfo.zip")
	for _, tc := range []struct {
		gen, file string
		args      []string
	}{
		{"gen_languages.go", "languages_gen.go", nil},
		{"gen_zones.go", "zones_gen.go", []string{"-zip", zip}},
		{"gen_codes.go", "codes_gen.go", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if tc.file == "zones_gen.go" {
				if _, err := os.Stat(zip); err != nil {
					t.Skipf("no zoneinfo.zip: %v", err)
				}
			}
			dst := filepath.Join(t.TempDir(), tc.file)
			args := append([]string{"run", tc.gen, "-o", dst}, tc.args...)
			if b, err := exec.Command(goCmd, args...).CombinedOutput(); err != nil {
				t.Fatalf("go run %s: %v\n%s", tc.gen, err, b)
			}
			want, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale; run go generate ./pkg/locales (-got +want):\n%s", tc.file, cmp.Diff(string(got), string(want)))
			}
		})
	}
}

func TestDocument(t *testing.T) {
	body, etag := Document()
	var d struct {
		Languages  []Entry `json:"languages"`
		Currencies []Entry `json:"currencies"`
		Timezones  []Entry `json:"timezones"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("decode: got %v, want nil", err)
	}
	if diff := cmp.Diff(Languages(), d.Languages); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Currencies(), d.Currencies); diff != "" {
		t.Errorf("currencies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Timezones(), d.Timezones); diff != "" {
		t.Errorf("timezones (-want +got):\n%s", diff)
	}
	if len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' || strings.Contains(etag[1:len(etag)-1], `"`) {
		t.Errorf("got ETag %s, want a quoted strong entity tag", etag)
	}
	body2, etag2 := Document()
	if !bytes.Equal(body, body2) || etag != etag2 {
		t.Error("got a different document on the second call, want the same")
	}
	t.Logf("document: %d bytes, ETag %s", len(body), etag)
}

func TestNotModified(t *testing.T) {
	_, etag := Document()
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{etag, true},
		{"W/" + etag, true},
		{`"other", ` + etag, true},
		{`"other"`, false},
		{"*", true},
		{strings.Trim(etag, `"`), false},
	} {
		if got := NotModified(tc.header); got != tc.want {
			t.Errorf("NotModified(%q): got %v, want %v", tc.header, got, tc.want)
		}
	}
}

func BenchmarkColdLists(b *testing.B) {
	for b.Loop() {
		_ = len(buildAll())
	}
}

// buildAll rebuilds the lists without the sync.Once caches, to measure a cold start.
func buildAll() []Entry {
	var all []Entry
	for _, f := range []func() []Entry{languages, buildCurrencies, buildTimezones} {
		all = append(all, f()...)
	}
	return all
}

func TestValidCountry(t *testing.T) {
	for code, want := range map[string]bool{
		"DE": true, "US": true, "BR": true, "XK": true, // Kosovo: CLDR's user-assigned code
		"EU": false, "ZZ": false, "QO": false, // a grouping, unknown, a private-use range
		"de": false, "DEU": false, "": false,
	} {
		if got := ValidCountry(code); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", code, got, want)
		}
	}
}
