// Package keystest is the contract every keys.Store keeps, run against the in-memory
// store and against DynamoDB Local, so the fake cannot drift from the table.
package keystest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/keys"
)

// Run checks the contract on a fresh, empty store from each call of newStore.
func Run(t *testing.T, newStore func(t *testing.T) keys.Store) {
	ctx := context.Background()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	k1 := keys.SigningKey{KID: "kid-1", N: []byte{0xc3, 1, 2, 3}, E: 65537, Private: "s1.1.AAAA", CreatedAt: t0, SignsFrom: t0}
	dk := keys.DataKey{Version: 1, Ciphertext: []byte{1, 2, 3, 0, 255}, KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/x", CreatedAt: t0}

	t.Run("empty", func(t *testing.T) {
		st, err := newStore(t).LoadKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != 0 || len(st.DataKeys) != 0 || len(st.SigningKeys) != 0 {
			t.Errorf("got %+v, want an empty ring at version 0", st)
		}
	})

	t.Run("save and load", func(t *testing.T) {
		s := newStore(t)
		if err := s.SaveKeys(ctx, keys.Change{Prev: 0, TokenTTL: 15 * time.Minute, DataKeys: []keys.DataKey{dk}, SigningKeys: []keys.SigningKey{k1}}); err != nil {
			t.Fatal(err)
		}
		retired := k1
		retired.SignsUntil, retired.PublishedUntil, retired.ExpiresAt = t0.Add(2*time.Hour), t0.Add(3*time.Hour), t0.Add(200*time.Hour)
		k2 := keys.SigningKey{KID: "kid-2", N: []byte{0xc4, 9}, E: 3, Private: "s1.1.BBBB", CreatedAt: t0.Add(time.Second), SignsFrom: t0.Add(2 * time.Hour)}
		if err := s.SaveKeys(ctx, keys.Change{Prev: 1, TokenTTL: time.Hour, SigningKeys: []keys.SigningKey{k2, retired}}); err != nil {
			t.Fatal(err)
		}
		st, err := s.LoadKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := &keys.State{Version: 2, TokenTTL: time.Hour, DataKeys: []keys.DataKey{dk}, SigningKeys: []keys.SigningKey{retired, k2}}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("ring (-want +got):\n%s", diff)
		}
	})

	t.Run("a stale version is a conflict and writes nothing", func(t *testing.T) {
		s := newStore(t)
		if err := s.SaveKeys(ctx, keys.Change{Prev: 0, DataKeys: []keys.DataKey{dk}}); err != nil {
			t.Fatal(err)
		}
		for _, prev := range []int64{0, 2} {
			err := s.SaveKeys(ctx, keys.Change{Prev: prev, SigningKeys: []keys.SigningKey{k1}})
			if !errors.Is(err, keys.ErrConflict) {
				t.Errorf("save at version %d over version 1: got %v, want ErrConflict", prev, err)
			}
		}
		st, _ := s.LoadKeys(ctx)
		if st.Version != 1 || len(st.SigningKeys) != 0 {
			t.Errorf("after the conflicts: version %d, %d signing keys; want 1 and 0", st.Version, len(st.SigningKeys))
		}
	})

	t.Run("concurrent first writes: exactly one wins", func(t *testing.T) { firstWritesRace(t, newStore(t), dk, k1) })
}

// firstWritesRace saves four first rings at once on s: exactly one may win.
func firstWritesRace(t *testing.T, s keys.Store, dk keys.DataKey, k1 keys.SigningKey) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := k1
			k.KID = "kid-" + string(rune('a'+i))
			errs[i] = s.SaveKeys(ctx, keys.Change{Prev: 0, DataKeys: []keys.DataKey{dk}, SigningKeys: []keys.SigningKey{k}})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, keys.ErrConflict):
			t.Errorf("got %v, want nil or ErrConflict", err)
		}
	}
	st, _ := s.LoadKeys(ctx)
	if won != 1 || len(st.SigningKeys) != 1 {
		t.Errorf("%d writes won and %d keys stored, want 1 and 1", won, len(st.SigningKeys))
	}
}
