package user

import (
	"context"
	"errors"
	"time"

	"github.com/userbase/userbase/pkg/retry"
)

// conflicts is how often a change is tried while it loses races: enough for a burst of
// concurrent writers on one user (each retry re-reads and waits a little more).
var conflicts = retry.Policy{Attempts: 21, Base: 5 * time.Millisecond, Max: 80 * time.Millisecond}

// sessionEnded is the error of a write that moves or reopens the caller's own session
// (Tx.Stamp, Tx.Reauth): its item gone meanwhile (a logout, a revocation) is the caller's
// 401, not a missing resource.
func sessionEnded(err error) error {
	if errors.Is(err, ErrNotFound) {
		return ErrUnauthenticated
	}
	return err
}

// reread reads the caller's account again for a retried write: gone, disabled or moved to
// a new session epoch since the request was authenticated (a password changed, sessions
// revoked), the caller's session is dead and so is the request (ErrUnauthenticated), as it
// would be had it come a moment later.
func (s *Service) reread(ctx context.Context, p *Principal) (*User, error) {
	cur, err := s.store.User(ctx, p.User.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrUnauthenticated
	case err != nil:
		return nil, err
	case !stillLive(p, cur):
		return nil, ErrUnauthenticated
	}
	return cur, nil
}

// stillLive reports whether p's session is still live on cur, its account read afresh:
// active, and at the session's epoch (no password change or revocation since).
func stillLive(p *Principal, cur *User) bool {
	return cur.Active && (p.Session == nil || cur.SessionEpoch == p.Session.Epoch)
}

// retryOwn runs write on the caller's account as authenticated, and again on the account
// read afresh (reread) whenever a concurrent change wins: a write conditioned on the
// version it read is not answered with 409 for another session's profile update or a
// failed sign-in meanwhile.
func (s *Service) retryOwn(ctx context.Context, p *Principal, write func(u *User) error) error {
	u := p.User
	return optimistic(ctx, func(attempt int) error {
		if attempt > 0 {
			cur, err := s.reread(ctx, p)
			if err != nil {
				return err
			}
			u = cur
		}
		return write(u)
	})
}

// optimistic runs try, which reads what it changes and writes it conditioned on what it
// read, again while the write loses a race (ErrConflict).
func optimistic(ctx context.Context, try func(attempt int) error) error {
	return conflicts.Do(ctx, func(attempt int) (bool, error) {
		err := try(attempt)
		return errors.Is(err, ErrConflict), err
	})
}
