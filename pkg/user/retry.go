package user

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// maxConflicts is how many lost races a change survives before it gives up: enough for
// a burst of concurrent writers on one user (each retry re-reads and waits a little more).
const maxConflicts = 20

// optimistic runs try, which reads what it changes and writes it conditioned on what it
// read, again while the write loses a race (ErrConflict), after a short random wait that
// grows with each attempt, so concurrent writers spread out instead of colliding again.
func optimistic(ctx context.Context, try func(attempt int) error) error {
	for attempt := 0; ; attempt++ {
		err := try(attempt)
		if !errors.Is(err, ErrConflict) || attempt >= maxConflicts {
			return err
		}
		wait := time.Duration(1+rand.IntN(5<<min(attempt, 4))) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}
