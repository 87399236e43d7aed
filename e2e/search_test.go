package e2e

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// GET /v1/users: the admin search. Every test makes its own users with random tokens in
// their emails and names, so that the users of other tests sharing the stack never match
// its queries (or, where a test means to look among everyone's users, are allowed for).

// searchUser is a user made by a search test, with what the search matches and orders on.
type searchUser struct {
	ID, Email, First, Last string
	Seq                    int // creation order: the users of a test are made one after another
}

// name is the full name as the search compares it: lower-cased.
func (u searchUser) name() string {
	switch {
	case u.First == "":
		return strings.ToLower(u.Last)
	case u.Last == "":
		return strings.ToLower(u.First)
	}
	return strings.ToLower(u.First + " " + u.Last)
}

var searchSeq int

// makeUser creates a user as admin with POST /v1/users.
func makeUser(t *testing.T, admin, email, first, last, sponsor string) searchUser {
	t.Helper()
	body := map[string]any{"email": email, "password": password}
	if first != "" {
		body["first_name"] = first
	}
	if last != "" {
		body["last_name"] = last
	}
	if sponsor != "" {
		body["sponsor_id"] = sponsor
	}
	r := do(t, req{method: "POST", path: "/v1/users", token: admin, body: body})
	want(t, r, http.StatusCreated, "")
	u := r.JSON(t)["user"].(map[string]any)
	if sponsor != "" && u["sponsor_id"] != sponsor {
		t.Fatalf("created %s with sponsor %s: %s", email, sponsor, r.Body)
	}
	searchSeq++
	return searchUser{ID: u["id"].(string), Email: strings.ToLower(email), First: first, Last: last, Seq: searchSeq}
}

// token letters: none of them a hex digit, so that no random hex of other tests' addresses
// ever contains a token.
const tokenLetters = "ghjkmnpqrstvwxyz"

func randToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenLetters[rand.IntN(len(tokenLetters))]
	}
	return string(b)
}

// rarePair is two characters no other test's users have: a Cyrillic letter and a CJK
// ideograph, both random. lower is how a name holds it, upper is a query in another case.
func rarePair() (lower, upper string) {
	c := rune(0x0410 + rand.IntN(32)) // А..Я
	h := rune(0x4E00 + rand.IntN(0x9FA5-0x4E00))
	return string([]rune{unicode.ToLower(c), h}), string([]rune{c, h})
}

// searchPage is one answer of GET /v1/users.
type searchPage struct {
	IDs                             []string
	Users                           []map[string]any
	Total, Page, PerPage, PageCount int
	raw                             []byte
}

func params(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// searchRaw sends GET /v1/users with the parameters.
func searchRaw(t *testing.T, tok string, p url.Values) *resp {
	t.Helper()
	path := "/v1/users"
	if len(p) > 0 {
		path += "?" + p.Encode()
	}
	return do(t, req{method: "GET", path: path, token: tok})
}

// search sends GET /v1/users and wants a 200.
func search(t *testing.T, admin string, p url.Values) searchPage {
	t.Helper()
	r := searchRaw(t, admin, p)
	want(t, r, http.StatusOK, "")
	m := r.JSON(t)
	meta := m["meta"].(map[string]any)
	out := searchPage{Total: int(meta["total"].(float64)), Page: int(meta["page"].(float64)),
		PerPage: int(meta["per_page"].(float64)), PageCount: int(meta["page_count"].(float64)), raw: r.Body}
	items, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("GET /v1/users?%s: items is not an array: %s", p.Encode(), r.Body)
	}
	for _, it := range items {
		u := it.(map[string]any)
		out.Users = append(out.Users, u)
		out.IDs = append(out.IDs, u["id"].(string))
	}
	if out.PageCount != (out.Total+out.PerPage-1)/out.PerPage {
		t.Errorf("GET /v1/users?%s: page_count %d for total %d and per_page %d", p.Encode(), out.PageCount, out.Total, out.PerPage)
	}
	return out
}

// current runs a check of what the index walks and downline_of read. Those indexes are
// eventually consistent on AWS; DynamoDB Local keeps them current at once, so here the
// answer must be right the first time (no waiting, no retry). What a q of three or more
// characters reads, the trigram posting lists, is written from the table's stream after
// each write, on AWS and here alike: wantExactly waits for it.
func current(t *testing.T, check func() error) {
	t.Helper()
	if err := check(); err != nil {
		t.Fatal(err)
	}
}

func ids(us ...searchUser) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

// wantExactly checks that a single-page query finds exactly these users, with an exact
// total, once the search postings have caught up with the writes so far (a bounded poll).
func wantExactly(t *testing.T, admin string, p url.Values, us ...searchUser) {
	t.Helper()
	eventually(t, func() error { return checkExactly(t, admin, p, us...) })
}

func checkExactly(t *testing.T, admin string, p url.Values, us ...searchUser) error {
	t.Helper()
	got := search(t, admin, p)
	wantIDs := slices.Sorted(slices.Values(ids(us...)))
	gotIDs := slices.Sorted(slices.Values(got.IDs))
	if !slices.Equal(gotIDs, wantIDs) || got.Total != len(us) {
		return fmt.Errorf("GET /v1/users?%s: ids %v total %d, want ids %v total %d (%s)", p.Encode(), gotIDs, got.Total, wantIDs, len(us), got.raw)
	}
	return nil
}

// wantField fails unless r is 400 validation_failed with the field code among its errors.
func wantField(t *testing.T, r *resp, field, code string) {
	t.Helper()
	want(t, r, http.StatusBadRequest, "validation_failed")
	if r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("content type %q, want application/problem+json", r.Header.Get("Content-Type"))
	}
	for _, e := range r.JSON(t)["errors"].([]any) {
		if m := e.(map[string]any); m["field"] == field && m["code"] == code {
			return
		}
	}
	t.Errorf("got %s, want field %s code %s", r.Body, field, code)
}

// matches reports whether a returned user is a match of q as the contract says: q trimmed,
// lower-cased, a substring of the email or of the lower-cased full name, or the id.
func matches(u map[string]any, q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	first, _ := u["first_name"].(string)
	last, _ := u["last_name"].(string)
	name := strings.ToLower(searchUser{First: first, Last: last}.name())
	return u["id"] == q || strings.Contains(u["email"].(string), q) || strings.Contains(name, q)
}

func TestSearchFragmentsInAnyCase(t *testing.T) {
	admin := adminToken(t)
	etok, ntok, ftok, ctl := randToken(8), randToken(8), randToken(8), randToken(8)
	u1 := makeUser(t, admin, "ann."+etok+".one@example.com", "Ann", "Lowe", "")
	u2 := makeUser(t, admin, "bo-"+randToken(8)+"@example.com", "bo"+ftok, "van"+ntok+"berg", "")
	u3 := makeUser(t, admin, "cy_"+etok+"@example.com", "Cy", "O'"+strings.ToUpper(ntok), "")
	u4 := makeUser(t, admin, "dee-"+ctl+"@example.com", "Dee", "Other", "")
	// Accents: one name stored precomposed, one decomposed; the queries use the other form.
	atok := randToken(6)
	u5 := makeUser(t, admin, "el-"+atok+"@example.com", "\u00c9lodie", "Marchand"+atok, "")
	u6 := makeUser(t, admin, "zo-"+atok+"@example.com", "Zoe\u0301", "Marchand"+atok, "")

	t.Run("email fragment from the middle, upper case", func(t *testing.T) {
		wantExactly(t, admin, params("q", strings.ToUpper(etok[2:7])), u1, u3)
	})
	t.Run("full-name fragment, upper case of a lower-case name and lower case of an upper-case one", func(t *testing.T) {
		wantExactly(t, admin, params("q", strings.ToUpper(ntok[1:6])), u2, u3)
		wantExactly(t, admin, params("q", strings.ToLower(ntok[2:7])), u2, u3)
	})
	t.Run("fragment across first and last name", func(t *testing.T) {
		wantExactly(t, admin, params("q", strings.ToUpper(ftok[5:]+" van"+ntok[:2])), u2)
	})
	t.Run("q is trimmed", func(t *testing.T) {
		wantExactly(t, admin, params("q", "  "+strings.ToUpper(etok[1:6])+"\t "), u1, u3)
	})
	t.Run("q is NFC-normalized", func(t *testing.T) {
		// "ÉLODIE MAR" with a combining acute accent; the stored É is precomposed.
		wantExactly(t, admin, params("q", "E\u0301LODIE MARCHAND"+strings.ToUpper(atok[:3])), u5)
		// "ZOÉ MAR" precomposed; the stored é is decomposed.
		wantExactly(t, admin, params("q", "ZO\u00c9 MARCHAND"+strings.ToUpper(atok[:3])), u6)
		wantExactly(t, admin, params("q", "MARCHAND"+strings.ToUpper(atok)), u5, u6)
	})
	t.Run("exact on id", func(t *testing.T) {
		wantExactly(t, admin, params("q", u4.ID), u4)
		wantExactly(t, admin, params("q", " "+strings.ToUpper(u4.ID)+" "), u4)
		wantExactly(t, admin, params("q", u4.ID[:20])) // a part of an id finds nothing
		wantExactly(t, admin, params("q", ctl), u4)    // the control user is found by its own token
	})
	t.Run("within the first 42 characters of the name and of the email", func(t *testing.T) {
		// A 6-character token at characters 37..42 of the full name and of the email.
		ltok, mtok := randToken(6), randToken(6)
		full := "Long " + strings.Repeat("a", 31) + ltok + strings.Repeat("b", 18)
		long := makeUser(t, admin, "long-"+randToken(8)+"@example.com", "Long", full[len("Long "):], "")
		local := strings.Repeat("c", 36) + mtok
		mail := makeUser(t, admin, local+"@example.com", "Mail", "Long", "")
		wantExactly(t, admin, params("q", strings.ToUpper(ltok)), long)
		wantExactly(t, admin, params("q", strings.ToUpper(mtok)), mail)
		wantExactly(t, admin, params("q", strings.ToUpper(full[30:42])), long)
	})
	t.Run("paging an exact answer", func(t *testing.T) {
		wantExactly(t, admin, params("q", strings.ToUpper(etok[2:7])), u1, u3) // indexed
		p := params("q", strings.ToUpper(etok[2:7]), "per_page", "1")
		var got []string
		for page := 1; page <= 3; page++ {
			p.Set("page", fmt.Sprint(page))
			r := search(t, admin, p)
			if r.Total != 2 || r.PageCount != 2 || r.Page != page || r.PerPage != 1 {
				t.Errorf("page %d: meta %+v", page, r)
			}
			if want := map[int]int{1: 1, 2: 1, 3: 0}[page]; len(r.IDs) != want {
				t.Errorf("page %d: %d items", page, len(r.IDs))
			}
			got = append(got, r.IDs...)
		}
		if want := slices.Sorted(slices.Values(ids(u1, u3))); !slices.Equal(got, want) {
			t.Errorf("pages gave %v, want %v (by id)", got, want)
		}
	})
}

// sortSpec is a sort parameter and the order it asks for, computed here independently.
type sortSpec struct {
	param string
	keys  []sortKeySpec
}

type sortKeySpec struct {
	field string
	desc  bool
}

func parseSortSpec(s string) sortSpec {
	spec := sortSpec{param: s}
	for part := range strings.SplitSeq(s, ",") {
		f, desc := strings.CutPrefix(part, "-")
		spec.keys = append(spec.keys, sortKeySpec{f, desc})
	}
	return spec
}

func (s sortSpec) compare(a, b searchUser) int {
	for _, k := range s.keys {
		var c int
		switch k.field {
		case "id":
			c = cmp.Compare(a.ID, b.ID)
		case "email":
			c = cmp.Compare(a.Email, b.Email)
		case "full_name":
			c = cmp.Compare(a.name(), b.name())
		case "created_at":
			c = cmp.Compare(a.Seq, b.Seq)
		}
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	c := cmp.Compare(a.ID, b.ID)
	if s.keys[0].desc {
		c = -c
	}
	return c
}

// collectPages reads every page of a query, per_page 3, and checks meta on each: exact on
// every page when exact, else a lower bound that says whether another page exists and is
// exact on the last page.
func collectPages(t *testing.T, admin string, p url.Values, n int, exact bool) ([]string, []map[string]any) {
	t.Helper()
	const per = 3
	p.Set("per_page", fmt.Sprint(per))
	var got []string
	var users []map[string]any
	for page := 1; ; page++ {
		if page > n {
			t.Fatalf("%s: more than %d pages", p.Encode(), n)
		}
		p.Set("page", fmt.Sprint(page))
		r := search(t, admin, p)
		if r.Page != page || r.PerPage != per || len(r.IDs) > per {
			t.Errorf("%s: page %d answered meta page %d per_page %d with %d items", p.Encode(), page, r.Page, r.PerPage, len(r.IDs))
		}
		last := page*per >= n
		switch {
		case exact || last:
			if r.Total != n {
				t.Errorf("%s: page %d total %d, want %d", p.Encode(), page, r.Total, n)
			}
		default:
			// A lower bound: more than this page's end (so page_count says there is another
			// page), never more than the matches.
			if r.Total <= page*per || r.Total > n || r.PageCount <= page {
				t.Errorf("%s: page %d total %d page_count %d, want a lower bound in (%d, %d]", p.Encode(), page, r.Total, r.PageCount, page*per, n)
			}
		}
		got = append(got, r.IDs...)
		users = append(users, r.Users...)
		if r.PageCount <= page {
			if !last {
				t.Errorf("%s: page_count %d on page %d, but only %d of %d users seen", p.Encode(), r.PageCount, page, len(got), n)
			}
			break
		}
	}
	// Past the last page: no items, the exact total.
	p.Set("page", fmt.Sprint((n+per-1)/per+1))
	if r := search(t, admin, p); len(r.IDs) != 0 || r.Total != n {
		t.Errorf("%s past the last page: %d items, total %d", p.Encode(), len(r.IDs), r.Total)
	}
	return got, users
}

func TestSearchSortAndPaging(t *testing.T) {
	admin := adminToken(t)
	stok := randToken(8)
	pairLower, pairUpper := rarePair()
	people := []struct{ local, first, last string }{
		{"mia", "beth", "Rowe"},
		{"cal", "Anna", "Kay"},
		{"xan", "Zed", "Abbot"},
		{"abe", "anna", "kay"},
		{"quin", "\u00c9mile", "Zola"},
		{"fay", "Beth", "Rowe"},
		{"tom", "carl", "Moss"},
		{"bea", "Anna", "Kay"},
	}
	var us []searchUser
	for _, p := range people {
		// The token in the middle of the email (trigram path); the rare pair at the end of
		// the name (walk path, a q of two characters).
		us = append(us, makeUser(t, admin, p.local+"."+stok+".s@example.com", p.first, p.last+" "+pairLower, ""))
	}
	byID := map[string]searchUser{}
	for _, u := range us {
		byID[u.ID] = u
	}
	// The sorted indexes show every user at once, the posting lists once the stream is read.
	current(t, func() error { return checkExactly(t, admin, params("q", pairUpper, "per_page", "100"), us...) })
	wantExactly(t, admin, params("q", strings.ToUpper(stok[1:6]), "per_page", "100"), us...)

	sorts := []string{"id", "-id", "email", "-email", "full_name", "-full_name", "created_at", "-created_at",
		"full_name,-created_at", "-full_name,created_at", "full_name,email", "-created_at,full_name"}
	paths := []struct {
		name, q string
		exact   bool
	}{
		{"trigram lists", strings.ToUpper(stok[1:6]), true},
		{"index walk", pairUpper, false},
	}
	for _, path := range paths {
		for _, s := range sorts {
			t.Run(path.name+" sort="+s, func(t *testing.T) {
				spec := parseSortSpec(s)
				want := ids(slices.SortedFunc(slices.Values(us), spec.compare)...)
				got, users := collectPages(t, admin, params("q", path.q, "sort", s), len(us), path.exact)
				if !slices.Equal(got, want) {
					t.Errorf("sort=%s gave\n%s\nwant\n%s", s, describe(byID, got), describe(byID, want))
				}
				for _, u := range users {
					if !matches(u, path.q) {
						t.Errorf("%v does not match %q", u["email"], path.q)
					}
				}
			})
		}
	}

	// The ties are real: three users share a full name, two others another.
	if us[1].name() != us[3].name() || us[1].name() != us[7].name() || us[0].name() != us[5].name() {
		t.Fatal("the test's names do not tie")
	}
}

func describe(byID map[string]searchUser, list []string) string {
	var b strings.Builder
	for _, id := range list {
		u := byID[id]
		fmt.Fprintf(&b, "  %s %s %q #%d\n", id, u.Email, u.name(), u.Seq)
	}
	return b.String()
}

func TestSearchDownline(t *testing.T) {
	admin := adminToken(t)
	dtok := randToken(8)
	mk := func(local, first, last, sponsor string) searchUser {
		return makeUser(t, admin, local+"-"+dtok+"@example.com", first, last, sponsor)
	}
	a := mk("a", "Gwenda", "Root", "")
	b1 := mk("b1", "Hal", "Branch", a.ID)
	b2 := mk("b2", "Gwen", "Branch", a.ID)
	c1 := mk("c1", "Ida", "Leaf", b1.ID)
	c2 := mk("c2", "Gwendolyn", "Leaf", b1.ID)
	d1 := mk("d1", "Jo", "Bud", c1.ID)
	outside := mk("e", "Gwen", "Outside", "")

	current(t, func() error { return checkExactly(t, admin, params("downline_of", a.ID), b1, b2, c1, c2, d1) })
	t.Run("each level", func(t *testing.T) {
		for _, tt := range []struct {
			of   searchUser
			want []searchUser
		}{
			{a, []searchUser{b1, b2, c1, c2, d1}},
			{b1, []searchUser{c1, c2, d1}},
			{b2, nil},
			{c1, []searchUser{d1}},
			{d1, nil},
		} {
			r := search(t, admin, params("downline_of", tt.of.ID))
			// The default order is by id.
			if want := slices.Sorted(slices.Values(ids(tt.want...))); !slices.Equal(r.IDs, want) || r.Total != len(want) {
				t.Errorf("downline_of=%s: %v total %d, want %v", tt.of.Email, r.IDs, r.Total, want)
			}
			if len(tt.want) == 0 && (r.PageCount != 0 || r.raw == nil || !strings.Contains(string(r.raw), `"items":[]`)) {
				t.Errorf("downline_of=%s, an empty downline: %s", tt.of.Email, r.raw)
			}
		}
	})
	t.Run("with q and sort", func(t *testing.T) {
		r := search(t, admin, params("downline_of", a.ID, "q", "GWEN", "sort", "-email"))
		if want := ids(c2, b2); !slices.Equal(r.IDs, want) || r.Total != 2 {
			t.Errorf("downline_of=a&q=GWEN&sort=-email: %v total %d, want %v", r.IDs, r.Total, want)
		}
		// A q of two characters, the root's own "gwen" left out.
		r = search(t, admin, params("downline_of", a.ID, "q", "WE", "sort", "full_name"))
		if want := ids(b2, c2); !slices.Equal(r.IDs, want) || r.Total != 2 {
			t.Errorf("downline_of=a&q=WE&sort=full_name: %v total %d, want %v", r.IDs, r.Total, want)
		}
		r = search(t, admin, params("downline_of", b1.ID, "q", strings.ToUpper(dtok), "sort", "full_name"))
		if want := ids(c2, c1, d1); !slices.Equal(r.IDs, want) || r.Total != 3 {
			t.Errorf("downline_of=b1&q=token&sort=full_name: %v total %d, want %v", r.IDs, r.Total, want)
		}
		wantExactly(t, admin, params("downline_of", a.ID, "q", c2.ID), c2)
		wantExactly(t, admin, params("downline_of", a.ID, "q", outside.ID))
		wantExactly(t, admin, params("q", strings.ToUpper(dtok)), a, b1, b2, c1, c2, d1, outside)
	})
	t.Run("paged", func(t *testing.T) {
		var got []string
		for page := 1; page <= 3; page++ {
			r := search(t, admin, params("downline_of", a.ID, "sort", "-full_name", "per_page", "2", "page", fmt.Sprint(page)))
			if r.Total != 5 || r.PageCount != 3 {
				t.Errorf("page %d: total %d page_count %d", page, r.Total, r.PageCount)
			}
			got = append(got, r.IDs...)
		}
		// jo bud, ida leaf, hal branch, gwendolyn leaf, gwen branch
		if want := ids(d1, c1, b1, c2, b2); !slices.Equal(got, want) {
			t.Errorf("downline_of=a&sort=-full_name in pages of 2: %v, want %v", got, want)
		}
	})
	t.Run("a self sign-up with a sponsor", func(t *testing.T) {
		email := "self-" + dtok + "@example.com"
		r := do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{
			"email": email, "password": "a sponsored sign-up " + dtok, "sponsor_id": d1.ID}})
		want(t, r, 201, "")
		self := r.JSON(t)["user"].(map[string]any)["id"].(string)
		for _, of := range []searchUser{a, b1, c1, d1} {
			res := search(t, admin, params("downline_of", of.ID, "q", "self-"+dtok))
			if !slices.Equal(res.IDs, []string{self}) {
				t.Errorf("downline_of=%s: %v, want the new user %s", of.Email, res.IDs, self)
			}
		}
		r = do(t, req{method: "POST", path: "/v1/auth/register", body: map[string]string{
			"email": "orphan-" + dtok + "@example.com", "password": "a sponsored sign-up " + dtok, "sponsor_id": "01jd0000000000000000000000"}})
		want(t, r, 400, "validation_failed")
		if !strings.Contains(string(r.Body), `"sponsor_id"`) || !strings.Contains(string(r.Body), `"not_found"`) {
			t.Errorf("an unknown sponsor: %s", r.Body)
		}
	})
}

func TestSearchIndexFollowsChanges(t *testing.T) {
	admin := adminToken(t)
	etok, otok, ntok, etok2 := randToken(8), randToken(8), randToken(8), randToken(8)
	oldPair, oldPairQ := rarePair()
	newPair, newPairQ := rarePair()
	x := makeUser(t, admin, "chg."+etok+".a@example.com", "Ivo", "Old"+otok+" "+oldPair, "")
	wantExactly(t, admin, params("q", strings.ToUpper(otok)), x)
	wantExactly(t, admin, params("q", strings.ToUpper(etok)), x)
	current(t, func() error { return checkExactly(t, admin, params("q", oldPairQ), x) })

	// A new last name: the old fragment finds nothing, the new one finds the user.
	r := do(t, req{method: "PATCH", path: "/v1/users/" + x.ID, token: admin, body: map[string]any{"last_name": "New" + ntok + " " + newPair}})
	want(t, r, http.StatusOK, "")
	wantExactly(t, admin, params("q", strings.ToUpper(otok)))
	wantExactly(t, admin, params("q", strings.ToUpper(ntok)), x)
	wantExactly(t, admin, params("q", "IVO NEW"+strings.ToUpper(ntok[:4])), x)
	current(t, func() error { return checkExactly(t, admin, params("q", newPairQ), x) })
	current(t, func() error { return checkExactly(t, admin, params("q", oldPairQ)) })

	// A new email: pending until confirmed, and only then what the search finds.
	newEmail := "moved." + etok2 + ".b@example.com"
	r = do(t, req{method: "PATCH", path: "/v1/users/" + x.ID, token: admin, body: map[string]any{"email": newEmail}})
	want(t, r, http.StatusOK, "")
	if r.JSON(t)["pending_email"] != newEmail {
		t.Fatalf("PATCH email: %s", r.Body)
	}
	wantExactly(t, admin, params("q", strings.ToUpper(etok)), x)
	wantExactly(t, admin, params("q", strings.ToUpper(etok2)))
	r = do(t, req{method: "POST", path: "/v1/users/" + x.ID + "/email/confirm", token: admin})
	want(t, r, http.StatusOK, "")
	if r.JSON(t)["email"] != newEmail {
		t.Fatalf("forced confirm: %s", r.Body)
	}
	wantExactly(t, admin, params("q", strings.ToUpper(etok)))
	wantExactly(t, admin, params("q", "CHG."+strings.ToUpper(etok[:3])))
	wantExactly(t, admin, params("q", strings.ToUpper(etok2)), x)
	// The email sort sees the new address.
	current(t, func() error {
		got := search(t, admin, params("q", newPairQ, "sort", "email"))
		if len(got.Users) != 1 || got.Users[0]["email"] != newEmail {
			return fmt.Errorf("walk after the email change: %s", got.raw)
		}
		return nil
	})

	// Deleted: nothing finds the user.
	want(t, do(t, req{method: "DELETE", path: "/v1/users/" + x.ID, token: admin}), http.StatusNoContent, "")
	wantExactly(t, admin, params("q", strings.ToUpper(ntok)))
	wantExactly(t, admin, params("q", strings.ToUpper(etok2)))
	wantExactly(t, admin, params("q", x.ID))
	current(t, func() error { return checkExactly(t, admin, params("q", newPairQ)) })
	current(t, func() error {
		for _, s := range []string{"id", "-created_at", "email", "full_name"} {
			got := search(t, admin, params("sort", s, "per_page", "100"))
			if slices.Contains(got.IDs, x.ID) {
				return fmt.Errorf("sort=%s still lists the deleted user", s)
			}
		}
		return nil
	})
}

func TestSearchNeedsAnAdminAndValidInput(t *testing.T) {
	admin := adminToken(t)
	member, memberID := signUp(t, newEmail("searcher"), nil)
	r := searchRaw(t, "", params("q", "abc"))
	want(t, r, http.StatusUnauthorized, "unauthenticated")
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without WWW-Authenticate: %v", r.Header)
	}
	want(t, searchRaw(t, member, params("q", "abc")), http.StatusForbidden, "forbidden")
	want(t, searchRaw(t, member, params("sort", "bogus")), http.StatusForbidden, "forbidden") // the token first

	for _, tt := range []struct {
		name        string
		p           url.Values
		field, code string
	}{
		{"unknown sort field", params("sort", "bogus"), "sort", "invalid_choice"},
		{"a field twice", params("sort", "id,id"), "sort", "invalid_choice"},
		{"a field twice, both directions", params("sort", "email,-email"), "sort", "invalid_choice"},
		{"an empty part", params("sort", "email,"), "sort", "invalid_choice"},
		{"a bare minus", params("sort", "-"), "sort", "invalid_choice"},
		{"sort in another case", params("sort", "EMAIL"), "sort", "invalid_choice"},
		{"q too long", params("q", strings.Repeat("x", 255)), "q", "too_long"},
		{"q with a control character", params("q", "ab\x01cd"), "q", "invalid_format"},
		{"unknown downline_of", params("downline_of", "01zzzzzzzzzzzzzzzzzzzzzzzz"), "downline_of", "not_found"},
		{"downline_of not an id", params("downline_of", "garbage"), "downline_of", "not_found"},
		{"page 0", params("page", "0"), "page", "invalid_format"},
		{"page not a number", params("page", "two"), "page", "invalid_format"},
		{"per_page not a number", params("per_page", "x"), "per_page", "invalid_format"},
		{"per_page 0", params("per_page", "0"), "per_page", "invalid_format"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, searchRaw(t, admin, tt.p), tt.field, tt.code)
		})
	}

	// Edges that are valid.
	for _, p := range []url.Values{
		params("q", strings.Repeat("x", 254)),
		params("q", "   "),
		params("sort", ""),
		params("sort", "-created_at,email,-full_name,id"),
		params("downline_of", memberID),
		params("per_page", "1000"),
	} {
		r := search(t, admin, p)
		if p.Has("per_page") && r.PerPage != 100 {
			t.Errorf("per_page=1000 applied as %d, want 100", r.PerPage)
		}
	}
}

func TestSearchShortQueries(t *testing.T) {
	admin := adminToken(t)
	pairLower, pairUpper := rarePair()
	stok := randToken(8)
	var mine []searchUser
	for _, n := range []struct{ first, last string }{{"Quinn", "Ash"}, {"adele", "Ash"}, {"Bea", "ash"}} {
		mine = append(mine, makeUser(t, admin, "short."+stok+"."+strings.ToLower(n.first)+"@example.com", n.first, n.last+" "+pairLower, ""))
	}

	t.Run("a rare pair walks the whole index: exact", func(t *testing.T) {
		current(t, func() error { return checkExactly(t, admin, params("q", pairUpper), mine...) })
		r := search(t, admin, params("q", pairUpper, "sort", "full_name"))
		if want := ids(mine[1], mine[2], mine[0]); !slices.Equal(r.IDs, want) || r.Total != 3 {
			t.Errorf("q=%s&sort=full_name: %v total %d, want %v", pairUpper, r.IDs, r.Total, want)
		}
	})

	t.Run("one character, among other tests' users", func(t *testing.T) {
		// The Cyrillic letter alone: the users of the other search tests have letters of the
		// same alphabet, maybe this one.
		q := strings.ToUpper(string([]rune(pairLower)[:1]))
		var got searchPage
		current(t, func() error {
			got = search(t, admin, params("q", q, "sort", "-full_name", "per_page", "100"))
			for _, u := range mine {
				if !slices.Contains(got.IDs, u.ID) {
					return fmt.Errorf("q=%s misses %s: %s", q, u.Email, got.raw)
				}
			}
			return nil
		})
		if got.Total != len(got.IDs) || got.PageCount != 1 {
			t.Errorf("q=%s: %d items but total %d, page_count %d: a walk to the end is exact", q, len(got.IDs), got.Total, got.PageCount)
		}
		checkSorted(t, got.Users, q, "-full_name")
		var order []string
		for _, id := range got.IDs {
			if slices.Contains(ids(mine...), id) {
				order = append(order, id)
			}
		}
		if want := ids(mine[0], mine[2], mine[1]); !slices.Equal(order, want) {
			t.Errorf("q=%s&sort=-full_name: own users in order %v, want %v", q, order, want)
		}
	})

	t.Run("two characters that every user has: a lower bound", func(t *testing.T) {
		// Every address ends in example.com; the newest users are this test's own.
		var got searchPage
		current(t, func() error {
			got = search(t, admin, params("q", "EX", "sort", "-created_at", "per_page", "5"))
			if len(got.IDs) != 5 || !slices.Equal(got.IDs[:3], ids(mine[2], mine[1], mine[0])) {
				return fmt.Errorf("q=EX&sort=-created_at: the newest users are not this test's three: %s", got.raw)
			}
			return nil
		})
		if got.Total <= 5 || got.PageCount < 2 {
			t.Errorf("q=EX: total %d, page_count %d: want a lower bound past this page", got.Total, got.PageCount)
		}
		checkSorted(t, got.Users, "EX", "-created_at")
		r := search(t, admin, params("q", "e", "sort", "email", "per_page", "4", "page", "2"))
		if len(r.IDs) != 4 || r.Total <= 8 || r.PageCount < 3 {
			t.Errorf("q=e page 2: %d items, total %d, page_count %d", len(r.IDs), r.Total, r.PageCount)
		}
		checkSorted(t, r.Users, "e", "email")
	})

	t.Run("no q: the maintained count is exact", func(t *testing.T) {
		before := search(t, admin, params("per_page", "1"))
		extra := makeUser(t, admin, "short."+stok+".extra@example.com", "Extra", "Ash", "")
		after := search(t, admin, params("per_page", "1", "sort", "-created_at"))
		if after.Total != before.Total+1 || after.PageCount != after.Total {
			t.Errorf("total %d before a create, %d after (page_count %d)", before.Total, after.Total, after.PageCount)
		}
		current(t, func() error {
			got := search(t, admin, params("per_page", "1", "sort", "-created_at"))
			if len(got.IDs) != 1 || got.IDs[0] != extra.ID {
				return fmt.Errorf("sort=-created_at: the newest user is not the one just made: %s", got.raw)
			}
			return nil
		})
		want(t, do(t, req{method: "DELETE", path: "/v1/users/" + extra.ID, token: admin}), http.StatusNoContent, "")
		if got := search(t, admin, params("per_page", "1")); got.Total != before.Total {
			t.Errorf("total %d after the delete, want %d", got.Total, before.Total)
		}
	})
}

// checkSorted checks that every returned user matches q and that they are in the order of
// a one-key sort, ties broken by id in the key's direction.
func checkSorted(t *testing.T, users []map[string]any, q, sort string) {
	t.Helper()
	field, desc := strings.CutPrefix(sort, "-")
	key := func(u map[string]any) string {
		switch field {
		case "email":
			return u["email"].(string)
		case "full_name":
			first, _ := u["first_name"].(string)
			last, _ := u["last_name"].(string)
			return searchUser{First: first, Last: last}.name()
		case "created_at":
			return u["created_at"].(string) // to the second: ties are not checked
		}
		return u["id"].(string)
	}
	for i, u := range users {
		if !matches(u, q) {
			t.Errorf("q=%s: %v does not match", q, u["email"])
		}
		if i == 0 {
			continue
		}
		prev := users[i-1]
		c := cmp.Compare(key(prev), key(u))
		if c == 0 && field != "created_at" {
			c = cmp.Compare(prev["id"].(string), u["id"].(string))
		}
		if desc {
			c = -c
		}
		if c > 0 {
			t.Errorf("sort=%s: %v (%q) before %v (%q)", sort, prev["id"], key(prev), u["id"], key(u))
		}
	}
}
