package app

import (
	"context"

	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/user"
)

// countingStore is the account service's store, counting as metrics what each write that
// succeeds records: its security events, and the failures of logins that name no account
// (kept on an item of their own, with no event). The domain's own record of what happened
// is the one source of the counts, so the domain knows nothing of metrics, and a write that
// fails counts nothing.
type countingStore struct {
	user.Store
	m *metrics.Recorder
}

var _ user.Store = countingStore{}

// Apply performs tx and counts it.
func (s countingStore) Apply(ctx context.Context, tx *user.Tx) error {
	if err := s.Store.Apply(ctx, tx); err != nil {
		return err
	}
	countTx(ctx, s.m, tx)
	return nil
}

// countTx counts the metrics of a written tx.
func countTx(ctx context.Context, m *metrics.Recorder, tx *user.Tx) {
	for _, e := range tx.Events {
		switch e.Type {
		case user.EventLoginSucceeded:
			method := e.Detail["method"]
			if method == "" {
				method = "unknown"
			}
			m.Count(ctx, metrics.SignIns, 1, metrics.Dim{Name: metrics.MethodDimension, Value: method})
		case user.EventLoginFailed:
			m.Count(ctx, metrics.SignInFailures, 1)
		case user.EventLocked:
			m.Count(ctx, metrics.Locks, 1)
		case user.EventReauthenticated:
			m.Count(ctx, metrics.Reauthentications, 1)
		}
	}
	// The account_created event is written from the stream, but the account is made here.
	if e := tx.Created; e != nil && e.Detail["by"] == "" { // an admin's creation is not a sign-up
		m.Count(ctx, metrics.Registrations, 1)
	}
	if f := tx.LoginFailure; f != nil {
		m.Count(ctx, metrics.SignInFailures, 1)
		if f.Next.LockedUntil.After(tx.Now) && !f.Prev.LockedUntil.After(tx.Now) {
			m.Count(ctx, metrics.Locks, 1)
		}
	}
}
