package user

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
)

// Search: what GET /v1/users matches and how it orders, the same for every store. A store
// decides only how to find the entries cheaply (pkg/store: trigram posting lists, sorted
// indexes, the sponsor tree's materialized path).

// TrigramPositions is how many trigrams from the start of the email and of the full name
// are indexed (the first 42 characters of each): it bounds the index items of one user to
// 80, what a change of both costs the index at most. A q of three or more characters
// matches within those 42 characters (see Match).
const TrigramPositions = 40

// MaxQueryLen is the longest q accepted.
const MaxQueryLen = 254

// Sort fields.
const (
	SortID        = "id"
	SortEmail     = "email"
	SortFullName  = "full_name"
	SortCreatedAt = "created_at"
)

// SortKey is one key of a sort: a field, ascending unless Desc.
type SortKey struct {
	Field string
	Desc  bool
}

// Entry is what search matches and orders a user by.
type Entry struct {
	ID        string
	Email     string
	Name      string // SearchName
	CreatedAt time.Time
}

// EntryOf is u's search entry.
func EntryOf(u *User) Entry {
	return Entry{ID: u.ID, Email: u.Email, Name: SearchName(u), CreatedAt: u.CreatedAt}
}

// SearchName is the full name as search matches and sorts it: lower-cased (names are
// stored NFC-normalized, see text).
func SearchName(u *User) string { return strings.ToLower(u.FullName()) }

// SearchQuery is a validated search.
type SearchQuery struct {
	// Text is q trimmed, NFC-normalized and lower-cased; "" matches every user.
	Text string
	// ID is q when q is a user id: that user matches too.
	ID string
	// Sort has at least one key; ties left after every key go by id, in the direction of
	// the first key.
	Sort []SortKey
	// Downline, when set, keeps only that user's descendants in the sponsor tree.
	Downline *User
	// Offset and Limit cut the page out of the ordered matches.
	Offset, Limit int
}

// SearchResult is one page of matches.
type SearchResult struct {
	Users []*User
	// Total is the number of matches when Exact; otherwise a lower bound that is more than
	// the end of this page when another page exists.
	Total int
	Exact bool
}

// Match reports whether e is a match of q's text. A text of three or more characters is
// looked for within the indexed span of the email and of the name (their first
// TrigramPositions+2 characters), a shorter one anywhere: so every store, and every way a
// store answers, finds the same users.
func (q *SearchQuery) Match(e Entry) bool {
	if q.Text == "" {
		return true
	}
	if e.ID == q.ID {
		return true
	}
	email, name := e.Email, e.Name
	if Indexable(q.Text) {
		email, name = indexedSpan(email), indexedSpan(name)
	}
	return strings.Contains(email, q.Text) || strings.Contains(name, q.Text)
}

// indexedSpan is the part of s whose trigrams are indexed.
func indexedSpan(s string) string {
	n := 0
	for i := range s {
		if n == TrigramPositions+2 {
			return s[:i]
		}
		n++
	}
	return s
}

// Compare orders entries as the search's answer lists them.
func (q *SearchQuery) Compare(a, b Entry) int {
	for _, k := range q.Sort {
		c := compareField(k.Field, a, b)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	c := cmp.Compare(a.ID, b.ID)
	if q.Sort[0].Desc {
		c = -c
	}
	return c
}

// SameFirst reports whether a and b tie on the first sort key: an index ordered by that key
// must be read to the end of such a tie before a page is cut, when later keys order it.
func (q *SearchQuery) SameFirst(a, b Entry) bool { return compareField(q.Sort[0].Field, a, b) == 0 }

func compareField(f string, a, b Entry) int {
	switch f {
	case SortEmail:
		return cmp.Compare(a.Email, b.Email)
	case SortFullName:
		return cmp.Compare(a.Name, b.Name)
	case SortCreatedAt:
		return a.CreatedAt.Compare(b.CreatedAt)
	}
	return cmp.Compare(a.ID, b.ID)
}

// NormalizeQuery is q as it is matched: trimmed, NFC, lower-cased.
func NormalizeQuery(q string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(q)))
}

// Trigrams are the distinct trigrams a user is indexed under: those of the first
// TrigramPositions positions of the email and of SearchName.
func Trigrams(u *User) []string {
	set := map[string]struct{}{}
	addTrigrams(set, u.Email, TrigramPositions)
	addTrigrams(set, SearchName(u), TrigramPositions)
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	return out
}

// QueryTrigrams are the distinct trigrams of a normalized query, in order of appearance.
func QueryTrigrams(text string) []string {
	set := map[string]struct{}{}
	var out []string
	r := []rune(text)
	for i := 0; i+3 <= len(r); i++ {
		t := string(r[i : i+3])
		if _, ok := set[t]; !ok {
			set[t] = struct{}{}
			out = append(out, t)
		}
	}
	return out
}

func addTrigrams(set map[string]struct{}, s string, positions int) {
	r := []rune(s)
	for i := 0; i+3 <= len(r) && i < positions; i++ {
		set[string(r[i:i+3])] = struct{}{}
	}
}

// Indexable reports whether every substring of text is found through the trigram index:
// it has three or more characters.
func Indexable(text string) bool { return utf8.RuneCountInString(text) >= 3 }

// The sponsor tree is kept as a materialized path: a user with a sponsor stores TreeRoot and
// TreePath, the ids from below TreeRoot down to itself joined by "/", so its descendants are
// the users whose path begins with its own (one indexed range read). A path holds at most
// TreeSegment ids (an index key is at most 1024 bytes); below that depth a new segment
// starts, rooted at the user at the bottom of the one above.
const TreeSegment = 36

// PlaceUnder sets u's place in the sponsor tree, under sponsor.
func PlaceUnder(u, sponsor *User) {
	root, prefix := sponsor.DownlineKey()
	u.TreeRoot, u.TreePath = root, prefix+u.ID
}

// DownlineKey is where u's descendants are: the tree root they are stored under and the
// path prefix they share ("" when they are all of that root's segment).
func (u *User) DownlineKey() (root, prefix string) {
	if u.TreeRoot == "" || TreeDepth(u.TreePath) >= TreeSegment {
		return u.ID, ""
	}
	return u.TreeRoot, u.TreePath + "/"
}

// TreeDepth is the number of ids in a tree path.
func TreeDepth(path string) int {
	if path == "" {
		return 0
	}
	return strings.Count(path, "/") + 1
}

// SearchParams are GET /v1/users's parameters.
type SearchParams struct {
	Q          string
	Sort       string
	DownlineOf string
	Page       int // from 1
	PerPage    int
}

// ParseSort reads a sort parameter: fields from SortID, SortEmail, SortFullName and
// SortCreatedAt, each with an optional "-", comma-joined. "" sorts by id.
func ParseSort(s string) ([]SortKey, bool) {
	if strings.TrimSpace(s) == "" {
		return []SortKey{{Field: SortID}}, true
	}
	var keys []SortKey
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		k := SortKey{Field: strings.TrimSpace(part)}
		if f, ok := strings.CutPrefix(k.Field, "-"); ok {
			k.Field, k.Desc = f, true
		}
		switch k.Field {
		case SortID, SortEmail, SortFullName, SortCreatedAt:
		default:
			return nil, false
		}
		if seen[k.Field] {
			return nil, false
		}
		seen[k.Field] = true
		keys = append(keys, k)
	}
	return keys, true
}

// SearchUsers finds users for an admin: q on email and full name (and exactly on id),
// ordered by sort, optionally only one user's downline, one page.
func (s *Service) SearchUsers(ctx context.Context, p SearchParams) (*SearchResult, error) {
	var errs apperr.Fields
	keys, ok := ParseSort(p.Sort)
	if !ok {
		errs.Add("sort", apperr.FieldInvalidChoice)
	}
	text := NormalizeQuery(p.Q)
	if !utf8.ValidString(text) || strings.IndexFunc(text, isControl) >= 0 {
		errs.Add("q", apperr.FieldInvalidFormat)
	} else if utf8.RuneCountInString(text) > MaxQueryLen {
		errs.AddP("q", apperr.FieldTooLong, map[string]any{"max": MaxQueryLen})
	}
	q := &SearchQuery{Text: text, Sort: keys, Offset: (p.Page - 1) * p.PerPage, Limit: p.PerPage}
	if auth.ValidID(text) {
		q.ID = text
	}
	if p.DownlineOf != "" {
		if !auth.ValidID(p.DownlineOf) {
			errs.Add("downline_of", apperr.FieldNotFound)
		} else if err := errs.Err(); err == nil {
			d, err := s.store.User(ctx, p.DownlineOf)
			switch {
			case errors.Is(err, ErrNotFound):
				errs.Add("downline_of", apperr.FieldNotFound)
			case err != nil:
				return nil, err
			}
			q.Downline = d
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return s.store.SearchUsers(ctx, q)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
