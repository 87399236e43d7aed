package memstore

import (
	"context"
	"slices"

	"github.com/userbase/userbase/pkg/user"
)

// SearchUsers implements user.Store by looking at every user: the semantics without the
// indexes, so the contract holds the DynamoDB store's indexes to it. A downline is found by
// walking each user's sponsor chain, not by the tree path.
func (s *Store) SearchUsers(_ context.Context, q *user.SearchQuery) (*user.SearchResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var matches []*user.User
	for id := range s.users {
		u := s.users[id]
		if q.Downline != nil && !s.descends(&u, q.Downline.ID) {
			continue
		}
		if q.Match(user.EntryOf(&u)) {
			matches = append(matches, &u)
		}
	}
	slices.SortFunc(matches, func(a, b *user.User) int { return q.Compare(user.EntryOf(a), user.EntryOf(b)) })
	start := min(q.Offset, len(matches))
	return &user.SearchResult{Users: matches[start:min(start+q.Limit, len(matches))], Total: len(matches), Exact: true}, nil
}

// descends reports whether ancestor is above u in the sponsor tree; users deleted on the way
// keep their place in it.
func (s *Store) descends(u *user.User, ancestor string) bool {
	id := u.ID
	for range 10_000 {
		sp, ok := s.sponsors[id]
		if !ok {
			return false
		}
		if sp == ancestor {
			return true
		}
		id = sp
	}
	return false
}
