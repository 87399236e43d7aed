// Package retry is the one way this code base tries something again: a bounded number of
// attempts, with exponentially growing, fully jittered waits between them (so concurrent
// callers spread out instead of colliding again), that stops as soon as the context ends.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy bounds the attempts and the waits between them.
type Policy struct {
	// Attempts is how many times an operation runs at most (at least once).
	Attempts int
	// Base is the longest first wait; each later wait may be twice as long as the one
	// before, up to Max. A wait is drawn uniformly from its bound (full jitter).
	Base, Max time.Duration
}

// Do runs try, passing the attempt number from 0, while it answers again and attempts
// remain, waiting between attempts. It returns try's last error, or the context's error
// when the context ends during a wait.
func (p Policy) Do(ctx context.Context, try func(attempt int) (again bool, err error)) error {
	for attempt := 0; ; attempt++ {
		again, err := try(attempt)
		if !again || attempt+1 >= p.Attempts {
			return err
		}
		if err := p.wait(ctx, attempt); err != nil {
			return err
		}
	}
}

// wait sleeps before attempt+1, or returns the context's error.
func (p Policy) wait(ctx context.Context, attempt int) error {
	bound := p.Base << min(attempt, 30)
	if bound > p.Max || bound <= 0 {
		bound = p.Max
	}
	if bound <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(rand.Int64N(int64(bound))) + 1)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
