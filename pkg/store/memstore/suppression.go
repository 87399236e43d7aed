package memstore

import (
	"context"
	"sync"

	"github.com/userbase/userbase/pkg/user"
)

// Suppressions is an in-memory user.MailSuppressions whose events go to a Store, for tests.
type Suppressions struct {
	mu     sync.Mutex
	marked map[string]bool
	st     *Store
}

var _ user.MailSuppressions = (*Suppressions)(nil)

// NewSuppressions returns marks that record their events in st.
func NewSuppressions(st *Store) *Suppressions {
	return &Suppressions{marked: map[string]bool{}, st: st}
}

// Suppress marks address, as the mail-feedback function does on a bounce.
func (s *Suppressions) Suppress(address string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marked[address] = true
}

// Suppressed reports whether address is marked.
func (s *Suppressions) Suppressed(address string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.marked[address]
}

// ClearMailSuppression implements user.MailSuppressions.
func (s *Suppressions) ClearMailSuppression(ctx context.Context, addresses []string, ev *user.Event) (bool, error) {
	s.mu.Lock()
	cleared := false
	for _, a := range addresses {
		cleared = cleared || s.marked[a]
		delete(s.marked, a)
	}
	s.mu.Unlock()
	if !cleared || ev == nil {
		return cleared, nil
	}
	return true, s.st.Apply(ctx, &user.Tx{Now: ev.At, Events: []*user.Event{ev}})
}
