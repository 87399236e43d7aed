//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// Admin search (GET /v1/users, store.SearchUsers): items read and round trips, counted by
// the store, of each kind of query against DynamoDB Local holding searchSmall users and then
// searchLarge. A selective q and a downline must cost the same at both sizes.
const (
	searchSmall = 5000
	searchLarge = 50000
	// searchWorkers is PutUsers's parallel writers. DynamoDB Local applies every write on
	// one SQLite thread, so 2 write as fast as 12; a few keep that thread busy.
	searchWorkers = 8
	// searchChunk is how many users one PutUsers call loads, so that the loader's pending
	// writes stay a few hundred megabytes.
	searchChunk   = 5000
	searchPerPage = 50
	// searchSeed makes the generated users (all but their ids) the same on every run.
	searchSeed = 20260101

	// searchLastName is one user's last name and no other's; the selective q is a fragment
	// from its middle, in another letter case.
	searchLastName = "Quixbergstrom"
	searchSelectQ  = "XBERG"
	// searchCommonQ is in every generated email.
	searchCommonQ = "example"
	// searchDownline is the planted sponsor's number of descendants.
	searchDownline = 50
)

// searchLoadLimit bounds each load: the larger one is not started when the smaller one's
// rate says it would take longer, and is stopped when it does.
var searchLoadLimit = flag.Duration("search-load-limit", 20*time.Minute,
	"admin search: the longest a load of users into DynamoDB Local may take")

// searchTimeout bounds the whole part: DynamoDB Local's start, both loads, the queries.
func searchTimeout() time.Duration { return 2*(*searchLoadLimit) + 2*time.Minute }

// Name lists of the generated users: ASCII, short, common, so the posting lists of their
// trigrams are long (a selective q's other trigrams among them).
var (
	searchFirst = []string{
		"Ann", "Anna", "James", "John", "Maria", "Mary", "Robert", "Michael", "David", "Sarah",
		"Laura", "Emma", "Olivia", "Liam", "Noah", "Lucas", "Mia", "Sofia", "Ali", "Reza",
		"Sara", "Yuki", "Wei", "Chen", "Ivan", "Olga", "Pierre", "Marie", "Hans", "Karin",
		"Lars", "Ingrid", "Carlos", "Lucia", "Pedro", "Ana", "Omar", "Fatima", "Amir", "Nina",
		"Tom", "Ben", "Kate", "Jack", "Leo", "Eva", "Max", "Ella", "Sam", "Albert",
	}
	searchLast = []string{
		"Smith", "Jones", "Brown", "Miller", "Davis", "Garcia", "Lopez", "Martin", "Lee", "Kim",
		"Park", "Nguyen", "Chen", "Wang", "Li", "Zhang", "Singh", "Kumar", "Khan", "Ahmadi",
		"Rezaei", "Tanaka", "Sato", "Suzuki", "Ivanov", "Petrov", "Muller", "Schmidt", "Weber", "Fischer",
		"Lindberg", "Bergman", "Andersson", "Johansson", "Nilsson", "Rossi", "Russo", "Dubois", "Moreau", "Silva",
		"Santos", "Costa", "Novak", "Kowalski", "Nowak", "Cohen", "Levi", "Murphy", "Kelly", "Walsh",
	}
	searchDomains   = []string{"example.com", "example.com", "example.org", "example.net"}
	searchLanguages = []string{"en", "en", "de", "fr", "es", "fa", "ja", "sv"}
	searchCountries = []string{"US", "GB", "DE", "FR", "ES", "IR", "JP", "SE", "BR", "IN"}
)

// searchTree is the planted sponsor tree, as the parent of each node (-1: none). Node 1 is
// the measured sponsor, below node 0: 5 children, 15 grandchildren, 30 great-grandchildren
// (50 descendants). Nodes 52 to 75 are its siblings and their children, in the same index
// partition, which the downline read must step over.
var searchTree = func() []int {
	p := []int{-1, 0}
	for range 5 {
		p = append(p, 1)
	}
	for i := range 15 {
		p = append(p, 2+i/3)
	}
	for i := range 30 {
		p = append(p, 7+i/2)
	}
	for range 4 {
		p = append(p, 0)
	}
	for i := range 20 {
		p = append(p, 52+i/5)
	}
	return p
}()

// Where the planted users are among the first searchSmall: tree node k at
// searchTreeAt(k), the selective one at searchSelectAt (not on that grid).
const searchSelectAt = 2501

func searchTreeAt(k int) int { return 40 + 64*k }

// population is the generated users, in creation order.
type population struct {
	rng     *rand.Rand
	users   []*user.User
	planted map[int]int // index -> tree node
	start   time.Time
	step    time.Duration
}

func newPopulation() *population {
	p := &population{
		rng:     rand.New(rand.NewPCG(searchSeed, searchSeed)),
		planted: map[int]int{},
		start:   time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		step:    6 * 365 * 24 * time.Hour / searchLarge,
	}
	for k := range searchTree {
		p.planted[searchTreeAt(k)] = k
	}
	return p
}

// grow generates n more users and returns them. Created times follow the order, an
// hour or so apart with jitter; a fifth of the users not planted have a sponsor among the
// earlier ones not planted, so the planted sponsor's downline stays exactly its own.
func (p *population) grow(n int) ([]*user.User, error) {
	from := len(p.users)
	for i := from; i < from+n; i++ {
		id, err := auth.NewID()
		if err != nil {
			return nil, err
		}
		first := searchFirst[p.rng.IntN(len(searchFirst))]
		last := searchLast[p.rng.IntN(len(searchLast))]
		if i == searchSelectAt {
			last = searchLastName
		}
		created := p.start.Add(time.Duration(i)*p.step + time.Duration(p.rng.Int64N(int64(p.step)))).Truncate(time.Millisecond)
		u := &user.User{
			ID:            id,
			Email:         fmt.Sprintf("%s.%s%d@%s", strings.ToLower(first), strings.ToLower(last), i, searchDomains[p.rng.IntN(len(searchDomains))]),
			EmailVerified: p.rng.IntN(4) != 0,
			FirstName:     first,
			LastName:      last,
			Role:          user.RoleMember,
			Active:        true,
			Language:      searchLanguages[p.rng.IntN(len(searchLanguages))],
			Address:       &user.Address{Country: searchCountries[p.rng.IntN(len(searchCountries))]},
			CreatedAt:     created,
			UpdatedAt:     created,
			Version:       1,
			PasswordHash:  "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
		}
		var sponsor *user.User
		if k, ok := p.planted[i]; ok {
			if parent := searchTree[k]; parent >= 0 {
				sponsor = p.users[searchTreeAt(parent)]
			}
		} else if i > 0 && p.rng.IntN(5) == 0 {
			if j := p.rng.IntN(i); !p.isPlanted(j) {
				sponsor = p.users[j]
			}
		}
		if sponsor != nil {
			u.SponsorID = sponsor.ID
			user.PlaceUnder(u, sponsor)
		}
		p.users = append(p.users, u)
	}
	return p.users[from:], nil
}

// isPlanted reports whether user i is a node of the planted tree.
func (p *population) isPlanted(i int) bool {
	_, ok := p.planted[i]
	return ok
}

// searchFigures are one query's counts at one size.
type searchFigures struct {
	read, trips int64
	returned    int
	total       int
	exact       bool
	took        time.Duration
}

// searchCase is one measured query and its figures at each size.
type searchCase struct {
	name  string
	query func(p *population) *user.SearchQuery
	// constant marks the figures that must not grow with the table.
	constant bool
	at       [2]*searchFigures
}

// measureSearch starts DynamoDB Local (-inMemory, a free port), creates a table from
// template.yaml, loads searchSmall generated users with PutUsers and runs every case, then
// loads users up to searchLarge into the same table and runs them again.
func measureSearch(ctx context.Context, root string) *section {
	s := &section{
		title: fmt.Sprintf("Admin search: items read and round trips per query (store.SearchUsers on DynamoDB Local), %s and then %s users",
			thousands(searchSmall), thousands(searchLarge)),
		header: []string{"query (first page, per_page 50)", "items read", "round trips", "returned", "total", "time", "result"},
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout())
	defer cancel()
	probe := startProbe()
	defer probe.note(s)

	stop, _, db, err := startDynamo(ctx, root)
	if err != nil {
		s.err = err
		return s
	}
	defer stop()
	table := fmt.Sprintf("userbase-search-%d", time.Now().UnixNano())
	if _, err := createTable(ctx, db, filepath.Join(root, "template.yaml"), table); err != nil {
		s.err = err
		return s
	}
	st := store.New(db, table)
	p := newPopulation()
	cases := searchCases()

	var errs []error
	var rate float64 // users per second of the last load
	for size, n := range []int{searchSmall, searchLarge} {
		more := n - len(p.users)
		if rate > 0 {
			if eta := time.Duration(float64(more) / rate * float64(time.Second)); eta > *searchLoadLimit {
				errs = append(errs, fmt.Errorf("not loading %s more users: at the first load's rate that takes %s, over the %s limit (-search-load-limit)",
					thousands(int64(more)), eta.Round(time.Second), *searchLoadLimit))
				break
			}
		}
		var err error
		if rate, err = loadUsers(ctx, s, st, p, more); err != nil {
			errs = append(errs, err)
			break
		}
		progress(fmt.Sprintf("admin search queries at %s users", thousands(int64(n))))
		if err := runSearchCases(ctx, st, p, cases, size); err != nil {
			errs = append(errs, err)
			break
		}
	}

	progress("usersctl import rate")
	if rate, err := measureImport(ctx, root); err != nil {
		errs = append(errs, err)
	} else {
		s.note("usersctl import: %d users (half bcrypt, half argon2id hashes; one transaction each; the search postings are the stream's to write, not timed here) at %.1f users/s.",
			importUsers, rate)
	}
	for _, c := range cases {
		a, b := c.at[0], c.at[1]
		result := ""
		if c.constant && a != nil && b != nil {
			result = mark(a.read == b.read && a.trips == b.trips)
		}
		s.row(c.name,
			pair(a, b, func(f *searchFigures) string { return thousands(f.read) }),
			pair(a, b, func(f *searchFigures) string { return strconv.FormatInt(f.trips, 10) }),
			pair(a, b, func(f *searchFigures) string { return strconv.Itoa(f.returned) }),
			pair(a, b, func(f *searchFigures) string {
				if f.exact {
					return thousands(int64(f.total))
				}
				return ">=" + thousands(int64(f.total))
			}),
			pair(a, b, func(f *searchFigures) string { return ms(f.took) }),
			result)
	}
	s.note("Each cell: at %s users / at %s. PASS: the same items read and round trips at both sizes (a selective q",
		thousands(searchSmall), thousands(searchLarge))
	s.note("and a downline must not cost more in a bigger table). Times are DynamoDB Local's, for information.")
	s.note("Items read: posting, index and profile items a Query evaluated or a BatchGetItem returned. Every answer is")
	s.note("checked against the generated users (ids of the page, and the total when exact).")
	s.note("Users: %d first names x %d last names, emails first.last<n>@example.{com,org,net}, created an hour or so",
		len(searchFirst), len(searchLast))
	s.note("apart from 2020 on, a fifth with a sponsor; planted: one %q, one sponsor with %d descendants over 3 levels.",
		searchLastName, searchDownline)
	s.note("Table %q created from template.yaml's AWS::DynamoDB::Table; ids from auth.NewID (random).", table)
	s.err = errors.Join(errs...)
	return s
}

// searchCases are the measured queries. The selective q and the downline must cost the
// same at both sizes; the others are shown for information.
func searchCases() []*searchCase {
	sortBy := func(f string, desc bool) []user.SortKey { return []user.SortKey{{Field: f, Desc: desc}} }
	text := func(q string, sort []user.SortKey) func(*population) *user.SearchQuery {
		return func(*population) *user.SearchQuery {
			return &user.SearchQuery{Text: user.NormalizeQuery(q), Sort: sort, Limit: searchPerPage}
		}
	}
	return []*searchCase{
		{name: fmt.Sprintf("q=%s (selective), sort id", searchSelectQ), query: text(searchSelectQ, sortBy(user.SortID, false)), constant: true},
		{name: fmt.Sprintf("q=%s (every user), sort id", searchCommonQ), query: text(searchCommonQ, sortBy(user.SortID, false))},
		{name: "q=james smith (a common full name), sort id", query: text("james smith", sortBy(user.SortID, false))},
		{name: "no q, sort created_at", query: text("", sortBy(user.SortCreatedAt, false))},
		{name: "no q, sort -full_name", query: text("", sortBy(user.SortFullName, true))},
		{name: fmt.Sprintf("downline_of (%d descendants), sort id", searchDownline), constant: true,
			query: func(p *population) *user.SearchQuery {
				return &user.SearchQuery{Downline: p.users[searchTreeAt(1)], Sort: sortBy(user.SortID, false), Limit: searchPerPage}
			}},
	}
}

// runSearchCases runs every case once, one at a time, counting the store's round trips
// and items read around each, and checks each answer against the generated users.
func runSearchCases(ctx context.Context, st *store.Store, p *population, cases []*searchCase, size int) error {
	for _, c := range cases {
		q := c.query(p)
		trips, read, start := st.RoundTrips(), st.ItemsRead(), time.Now()
		res, err := st.SearchUsers(ctx, q)
		took := time.Since(start)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		c.at[size] = &searchFigures{
			read: st.ItemsRead() - read, trips: st.RoundTrips() - trips,
			returned: len(res.Users), total: res.Total, exact: res.Exact, took: took,
		}
		if err := checkSearch(p, q, res); err != nil {
			return fmt.Errorf("%s at %s users: %w", c.name, thousands(int64(len(p.users))), err)
		}
	}
	return nil
}

// checkSearch compares an answer with the one worked out from the generated users: the
// page's ids in order, the total when it is exact (a lower bound otherwise), and the
// planted users where a query is about them.
func checkSearch(p *population, q *user.SearchQuery, res *user.SearchResult) error {
	var want []user.Entry
	for _, u := range p.users {
		if d := q.Downline; d != nil {
			// The planted tree has one segment: its descendants share root and prefix.
			if root, prefix := d.DownlineKey(); u.TreeRoot != root || !strings.HasPrefix(u.TreePath, prefix) {
				continue
			}
		}
		if e := user.EntryOf(u); q.Match(e) {
			want = append(want, e)
		}
	}
	slices.SortFunc(want, q.Compare)
	var wantIDs []string
	for _, e := range want[min(q.Offset, len(want)):min(q.Offset+q.Limit, len(want))] {
		wantIDs = append(wantIDs, e.ID)
	}
	var got []string
	for _, u := range res.Users {
		got = append(got, u.ID)
	}
	switch {
	case !slices.Equal(got, wantIDs):
		return fmt.Errorf("page of %d users, not the %d expected (first got %v, want %v)", len(got), len(wantIDs), first(got), first(wantIDs))
	case res.Exact && res.Total != len(want):
		return fmt.Errorf("total %d, want %d", res.Total, len(want))
	case !res.Exact && (res.Total > len(want) || res.Total <= q.Offset+len(got)):
		return fmt.Errorf("total %d (a lower bound) with %d matches and a page ending at %d", res.Total, len(want), q.Offset+len(got))
	case q.Downline != nil && len(want) != searchDownline:
		return fmt.Errorf("the planted sponsor has %d descendants, want %d", len(want), searchDownline)
	case q.Downline != nil && (res.Total != searchDownline || !res.Exact):
		return fmt.Errorf("downline total %d (exact %t), want %d", res.Total, res.Exact, searchDownline)
	case q.Text == user.NormalizeQuery(searchSelectQ) && (len(got) != 1 || got[0] != p.users[searchSelectAt].ID):
		return fmt.Errorf("q=%s found %v, want only the planted user %s", searchSelectQ, got, p.users[searchSelectAt].ID)
	}
	return nil
}

func first(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return ids[0]
}

// loadUsers generates n more users and loads them with PutUsers, searchChunk at a time,
// notes the rate and returns it in users per second. It stops at searchLoadLimit.
func loadUsers(ctx context.Context, s *section, st *store.Store, p *population, n int) (float64, error) {
	have := len(p.users)
	progress(fmt.Sprintf("admin search: loading %s users into DynamoDB Local (%d writers)", thousands(int64(n)), searchWorkers))
	ctx, cancel := context.WithTimeout(ctx, *searchLoadLimit)
	defer cancel()
	start := time.Now()
	trips := st.RoundTrips()
	var items int64
	var gen time.Duration
	for done := 0; done < n; {
		t := time.Now()
		users, err := p.grow(min(searchChunk, n-done))
		if err != nil {
			return 0, err
		}
		for _, u := range users {
			items += int64(2 + len(user.Trigrams(u))) // profile, email lock, posting items
		}
		gen += time.Since(t)
		if err := st.PutUsers(ctx, users, searchWorkers); err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("stopped at the %s limit (-search-load-limit) with %s of %s users loaded: %w",
					*searchLoadLimit, thousands(int64(done)), thousands(int64(n)), err)
			}
			return 0, fmt.Errorf("load users %d to %d: %w", have+done, have+done+len(users), err)
		}
		done += len(users)
		fmt.Fprintf(os.Stderr, "bench:   %s/%s users, %.0f s, %s items/s\n", thousands(int64(done)), thousands(int64(n)),
			time.Since(start).Seconds(), thousands(int64(float64(items)/(time.Since(start)-gen).Seconds())))
	}
	took := time.Since(start) - gen
	s.note("Loaded %s users (%s to %s): %s items in %.1f s, %s users/s, %s items/s (PutUsers, %d writers, %d BatchWriteItem calls).",
		thousands(int64(n)), thousands(int64(have)), thousands(int64(len(p.users))), thousands(items), took.Seconds(),
		thousands(int64(float64(n)/took.Seconds())), thousands(int64(float64(items)/took.Seconds())), searchWorkers, st.RoundTrips()-trips)
	return float64(n) / took.Seconds(), nil
}

// pair is a cell "at the small size / at the large size"; "-" where not measured.
func pair(a, b *searchFigures, f func(*searchFigures) string) string {
	cell := func(x *searchFigures) string {
		if x == nil {
			return "-"
		}
		return f(x)
	}
	return cell(a) + " / " + cell(b)
}

// thousands writes n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
