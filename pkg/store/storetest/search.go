package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/user"
)

// searchTests are the contract of SearchUsers: both stores answer alike, and the DynamoDB
// store's indexes follow every write of a user.
var searchTests = []struct {
	name string
	fn   func(t *testing.T, st user.Store)
}{
	{"SearchFragmentsEverySortEveryPage", testSearchSorts},
	{"SearchFollowsChangesAndDeletes", testSearchFollows},
	{"SearchAfterChangesTheIndexHadNotSeen", testSearchUnseenChanges},
	{"SearchDownlineThreeLevels", testSearchDownline},
	{"SearchDownlineBelowATreeSegment", testSearchDeepTree},
	{"SearchWalkWithoutSelectiveQ", testSearchWalk},
	{"SearchSpanOfALongEmail", testSearchSpan},
	{"LongestNamesInEveryScript", testLongestNames},
}

// A q of three or more characters matches within the first 42 characters of the email and
// of the name, in every store.
func testSearchSpan(t *testing.T, st user.Store) {
	tok := token()
	u := newUser(t)
	u.Email = "alexandra.konstantinopoulou." + tok + "@research." + tok[:4] + "zq.example" // the 42nd character is the a of resea
	u.FirstName, u.LastName = "Al", ""
	create(t, st, &creation{User: u})
	find := func(q string) int {
		return search(t, st, &user.SearchQuery{Text: user.NormalizeQuery(q)}).Total
	}
	if n := find("POULOU." + tok); n != 1 {
		t.Errorf("a fragment inside the span: %d users", n)
	}
	if n := find(tok[5:] + "@RESEA"); n != 1 {
		t.Errorf("a fragment ending at character 42: %d users", n)
	}
	for _, q := range []string{"@research", tok[:4] + "zq.ex"} {
		if n := find(q); n != 0 {
			t.Errorf("%q, past the span: %d users, want 0 in every store", q, n)
		}
	}
	if n := find("zq"); n < 1 {
		t.Errorf("a q of two characters is matched anywhere: %d users", n)
	}
}

// The longest names a profile takes (255 characters each) in a script of four-byte
// characters are stored, saved and sorted: what indexes them stays within the store's key
// limits (on DynamoDB a sort key holds 1,024 bytes).
func testLongestNames(t *testing.T, st user.Store) {
	tok := token()
	u := newUser(t)
	u.Email = "long" + tok + "@example.com"
	u.FirstName, u.LastName = strings.Repeat("😀", 255), strings.Repeat("Ж", 254)+"é"
	create(t, st, &creation{User: u})
	next := *u
	next.FirstName, next.Version = strings.Repeat("𝄞", 255), u.Version+1
	apply(t, st, &user.Tx{Now: now, Save: &user.Save{Next: &next, Prev: u}})
	got := all(t, st, user.SearchQuery{Text: user.NormalizeQuery("long" + tok), Sort: []user.SortKey{{Field: user.SortFullName}}}, 10)
	if !slices.Equal(got, []string{u.ID}) {
		t.Errorf("found %v, want the user", got)
	}
}

// token is a random lower-case word no other test's user has.
func token() string {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

func search(t *testing.T, st user.Store, q *user.SearchQuery) *user.SearchResult {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Sort == nil {
		q.Sort = []user.SortKey{{Field: user.SortID}}
	}
	res, err := st.SearchUsers(context.Background(), q)
	if err != nil {
		t.Fatalf("SearchUsers(%+v): %v", q, err)
	}
	return res
}

func ids(us []*user.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

// all pages through q with pages of size, checking meta on each page.
func all(t *testing.T, st user.Store, q user.SearchQuery, size int) []string {
	t.Helper()
	var got []string
	for page := 0; page < 100; page++ {
		q.Offset, q.Limit = page*size, size
		res := search(t, st, &q)
		got = append(got, ids(res.Users)...)
		if len(res.Users) < size || len(got) == res.Total {
			return got
		}
	}
	t.Fatal("more than 100 pages")
	return nil
}

func testSearchSorts(t *testing.T, st user.Store) {
	tok := token()
	names := [][2]string{{"Zoë", "Alpha"}, {"adam", "Beta"}, {"Bob", "Alpha"}, {"Zoë", "Alpha"}, {"", ""}, {"Émile", "gamma"}, {"bob", "alpha"}}
	var ours []*user.User
	for i, nm := range names {
		u := newUser(t)
		u.Email = fmt.Sprintf("%c%d.x%sy@example.com", 'q'-i, i, tok)
		u.FirstName, u.LastName = nm[0], nm[1]
		if nm[1] != "" {
			u.LastName = nm[1] + "-" + tok + "mid"
		}
		u.CreatedAt = now.Add(time.Duration(i%3) * time.Hour)
		create(t, st, &creation{User: u})
		ours = append(ours, u)
	}
	// A fragment from the middle of the email, in upper case, finds all of them.
	frag := strings.ToUpper("x" + tok[:5])
	for _, sort := range []string{"id", "-id", "email", "-email", "full_name", "-full_name", "created_at", "-created_at", "full_name,-created_at", "-created_at,email"} {
		keys, ok := user.ParseSort(sort)
		if !ok {
			t.Fatalf("ParseSort(%q)", sort)
		}
		q := user.SearchQuery{Text: user.NormalizeQuery(frag), Sort: keys}
		want := slices.Clone(ours)
		slices.SortFunc(want, func(a, b *user.User) int { return q.Compare(user.EntryOf(a), user.EntryOf(b)) })
		for _, size := range []int{2, 3, 50} {
			if got := all(t, st, q, size); !slices.Equal(got, ids(want)) {
				t.Errorf("sort %s, pages of %d:\n got %v\nwant %v", sort, size, got, ids(want))
			}
		}
		res := search(t, st, &user.SearchQuery{Text: user.NormalizeQuery(frag), Sort: keys, Limit: 3})
		if res.Total != len(ours) || !res.Exact {
			t.Errorf("sort %s: total %d exact %v, want %d exact", sort, res.Total, res.Exact, len(ours))
		}
	}
	// A fragment from the middle of the full name, in another case, finds those named.
	res := search(t, st, &user.SearchQuery{Text: user.NormalizeQuery(strings.ToUpper(tok[2:] + "MI"))})
	if res.Total != len(ours)-1 {
		t.Errorf("name fragment: %d users, want %d", res.Total, len(ours)-1)
	}
	// Exact on id.
	res = search(t, st, &user.SearchQuery{Text: ours[4].ID, ID: ours[4].ID})
	if !slices.Equal(ids(res.Users), []string{ours[4].ID}) {
		t.Errorf("q=id: %v", ids(res.Users))
	}
}

func testSearchFollows(t *testing.T, st user.Store) {
	ctx := context.Background()
	tok := token()
	u := newUser(t)
	u.Email, u.FirstName, u.LastName = "old"+tok+"@example.com", "Kim", "Old"+tok
	create(t, st, &creation{User: u})
	find := func(q string) []string {
		return ids(search(t, st, &user.SearchQuery{Text: user.NormalizeQuery(q)}).Users)
	}
	if got := find("OLD" + tok[:4]); !slices.Equal(got, []string{u.ID}) {
		t.Fatalf("before: %v", got)
	}
	next := *u
	next.Email, next.LastName, next.Version = "new"+tok+"@example.com", "New"+tok, u.Version+1
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &next, Prev: u}}); err != nil {
		t.Fatal(err)
	}
	if got := find("old" + tok[:4]); len(got) != 0 {
		t.Errorf("old fragment still finds %v", got)
	}
	if got := find("new" + tok[:4]); !slices.Equal(got, []string{u.ID}) {
		t.Errorf("new fragment finds %v", got)
	}
	apply(t, st, &user.Tx{Now: now, Remove: &next})
	if got := find("new" + tok[:4]); len(got) != 0 {
		t.Errorf("deleted user still found: %v", got)
	}
}

// Changes made one after another before the index catches up (on DynamoDB, before the
// stream consumer has read any of them) end as if it had followed each: a user created and
// renamed is found by the new name only; a user renamed and deleted by nothing.
func testSearchUnseenChanges(t *testing.T, st user.Store) {
	ctx := context.Background()
	tok := token()
	save := func(u *user.User, change func(*user.User)) *user.User {
		t.Helper()
		next := *u
		change(&next)
		next.Version = u.Version + 1
		apply(t, st, &user.Tx{Now: now, Save: &user.Save{Next: &next, Prev: u}})
		return &next
	}
	find := func(q string) []string {
		t.Helper()
		return ids(search(t, st, &user.SearchQuery{Text: user.NormalizeQuery(q)}).Users)
	}

	kept := newUser(t)
	kept.Email, kept.LastName = "kept"+tok+"@example.com", "First"+tok
	create(t, st, &creation{User: kept})
	kept = save(kept, func(u *user.User) { u.LastName = "Second" + tok })
	kept = save(kept, func(u *user.User) { u.Email = "moved" + tok + "@example.com" })

	gone := newUser(t)
	gone.Email, gone.LastName = "gone"+tok+"@example.com", "Third"+tok
	create(t, st, &creation{User: gone})
	gone = save(gone, func(u *user.User) { u.LastName = "Fourth" + tok })
	if err := st.Apply(ctx, &user.Tx{Now: now, Remove: gone}); err != nil {
		t.Fatal(err)
	}

	for q, want := range map[string][]string{
		"first" + tok: nil, "second" + tok: {kept.ID}, "kept" + tok: nil, "moved" + tok: {kept.ID},
		"third" + tok: nil, "fourth" + tok: nil, "gone" + tok: nil,
	} {
		if got := find(q); !slices.Equal(got, want) {
			t.Errorf("q=%s: %v, want %v", q, got, want)
		}
	}
}

// tree creates sponsor-linked users: parent[i] is the index of user i's sponsor, or -1.
func tree(t *testing.T, st user.Store, tok string, parent []int) []*user.User {
	t.Helper()
	us := make([]*user.User, len(parent))
	for i, p := range parent {
		u := newUser(t)
		u.LastName = fmt.Sprintf("%s%03d", tok, i)
		if p >= 0 {
			u.SponsorID = us[p].ID
			user.PlaceUnder(u, us[p])
		}
		tx := &user.Tx{Now: now, Create: u, Sponsor: u.SponsorID}
		apply(t, st, tx)
		us[i] = u
	}
	return us
}

func testSearchDownline(t *testing.T, st user.Store) {
	tok := token()
	// A sponsors B1, B2; B1 sponsors C1, C2; C1 sponsors D1.
	us := tree(t, st, tok, []int{-1, 0, 0, 1, 1, 3})
	a, b1, c1, d1 := us[0], us[1], us[3], us[5]
	for _, tc := range []struct {
		of   *user.User
		want []*user.User
	}{{a, us[1:]}, {b1, []*user.User{us[3], us[4], us[5]}}, {c1, []*user.User{d1}}, {d1, nil}} {
		res := search(t, st, &user.SearchQuery{Downline: tc.of, Sort: []user.SortKey{{Field: user.SortFullName, Desc: true}}})
		want := slices.Clone(tc.want)
		slices.Reverse(want) // names grow with the index
		if !slices.Equal(ids(res.Users), ids(want)) || res.Total != len(want) {
			t.Errorf("downline of %s: %v (total %d), want %v", tc.of.LastName, ids(res.Users), res.Total, ids(want))
		}
	}
	// With q: only the matches among the descendants.
	res := search(t, st, &user.SearchQuery{Downline: a, Text: user.NormalizeQuery(tok + "00")})
	if want := slices.Sorted(slices.Values(ids(us[1:]))); !slices.Equal(ids(res.Users), want) {
		t.Errorf("downline with q: %v", ids(res.Users))
	}
	res = search(t, st, &user.SearchQuery{Downline: b1, Text: user.NormalizeQuery(tok + "005")})
	if !slices.Equal(ids(res.Users), []string{d1.ID}) {
		t.Errorf("downline with a narrow q: %v", ids(res.Users))
	}
}

func testSearchDeepTree(t *testing.T, st user.Store) {
	tok := token()
	parent := make([]int, user.TreeSegment+4)
	for i := range parent {
		parent[i] = i - 1
	}
	us := tree(t, st, tok, parent)
	for _, at := range []int{0, 1, user.TreeSegment - 1, user.TreeSegment, len(us) - 2} {
		res := search(t, st, &user.SearchQuery{Downline: us[at], Limit: 100})
		if res.Total != len(us)-at-1 || len(res.Users) != len(us)-at-1 {
			t.Errorf("downline of level %d: %d users (total %d), want %d", at, len(res.Users), res.Total, len(us)-at-1)
		}
	}
	// Deleted users keep their place: a user in the middle, and the one at the bottom of
	// the full segment that roots the next.
	for _, at := range []int{5, user.TreeSegment} {
		apply(t, st, &user.Tx{Now: now, Remove: us[at]})
	}
	for _, at := range []int{0, 4, 6} {
		res := search(t, st, &user.SearchQuery{Downline: us[at], Limit: 100})
		want := len(us) - at - 1 - 1
		if at < 5 {
			want--
		}
		if res.Total != want || len(res.Users) != want {
			t.Errorf("after deletes, downline of level %d: %d users (total %d), want %d", at, len(res.Users), res.Total, want)
		}
	}
}

func testSearchWalk(t *testing.T, st user.Store) {
	tok := token()
	var ours []*user.User
	for i := range 5 {
		u := newUser(t)
		u.FirstName, u.LastName = "Wa", fmt.Sprintf("%s%d", tok, i)
		create(t, st, &creation{User: u})
		ours = append(ours, u)
	}
	for _, sort := range []string{"id", "-created_at", "full_name", "-email", "full_name,-id"} {
		keys, _ := user.ParseSort(sort)
		for _, text := range []string{"", "wa"} {
			q := user.SearchQuery{Text: text, Sort: keys}
			got := all(t, st, q, 7)
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("sort %s q %q: %s twice", sort, text, id)
				}
				seen[id] = true
			}
			for _, u := range ours {
				if !seen[u.ID] {
					t.Errorf("sort %s q %q: %s missing", sort, text, u.ID)
				}
			}
			res := search(t, st, &user.SearchQuery{Text: text, Sort: keys, Limit: len(got) + 1})
			if len(res.Users) != len(got) || res.Total != len(got) {
				t.Errorf("sort %s q %q: one page of %d users, total %d; pages gave %d", sort, text, len(res.Users), res.Total, len(got))
			}
			es := make([]user.Entry, len(res.Users))
			for i, u := range res.Users {
				es[i] = user.EntryOf(u)
			}
			if !slices.IsSortedFunc(es, q.Compare) {
				t.Errorf("sort %s q %q: out of order", sort, text)
			}
		}
	}
}
