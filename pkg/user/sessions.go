package user

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/userbase/userbase/pkg/auth"
)

// lastSeenEvery is how stale a session's last_seen_at may get: refreshing it costs a write,
// so it is written at most once a minute.
const lastSeenEvery = time.Minute

// SessionList is a user's live sessions, and which is the caller's.
type SessionList struct {
	Principal *Principal
	Sessions  []*Session
}

// Sessions authenticates the credential and lists the user's live sessions, newest first,
// with one Query of the user's partition.
func (s *Service) Sessions(ctx context.Context, token string) (*SessionList, error) {
	b, err := s.bearer(ctx, token)
	if err != nil {
		return nil, err
	}
	u, all, err := s.store.UserSessions(ctx, b.UserID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	var (
		cur  *Session
		live []*Session
	)
	for _, se := range all {
		if !s.live(se, u, now) {
			continue
		}
		live = append(live, se)
		if s.owns(b, se) {
			cur = se
		}
	}
	if cur == nil {
		return nil, ErrUnauthenticated
	}
	s.touch(ctx, cur)
	slices.SortFunc(live, func(a, b *Session) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return &SessionList{Principal: &Principal{User: u, Session: cur}, Sessions: live}, nil
}

// RevokeSession ends one of the caller's sessions (its own included). A session already
// gone is not an error.
func (s *Service) RevokeSession(ctx context.Context, p *Principal, sessionID string, c Client) error {
	if !auth.ValidID(sessionID) {
		return nil // no session has that id
	}
	now := s.now().UTC()
	ev, err := s.event(p.User.ID, EventSessionRevoked, now, c, map[string]string{"session_id": sessionID})
	if err != nil {
		return err
	}
	err = s.store.Apply(ctx, &Tx{Now: now, Revoke: []*Session{{UserID: p.User.ID, ID: sessionID}}, Events: []*Event{ev}})
	if errors.Is(err, ErrNotFound) {
		return nil // gone already, or never the caller's: nothing to revoke, nothing to log
	}
	return err
}

// touch refreshes a session's last_seen_at when it is older than lastSeenEvery.
func (s *Service) touch(ctx context.Context, se *Session) {
	now := s.now()
	if now.Sub(se.LastSeenAt) < lastSeenEvery {
		return
	}
	// Best effort: a failed refresh must not fail the request it rides on.
	if s.store.TouchSession(ctx, se.UserID, se.ID, now) == nil {
		se.LastSeenAt = now
	}
}
