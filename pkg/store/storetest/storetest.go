// Package storetest is the contract every user.Store implementation must keep. The same
// tests run against the in-memory fake and against DynamoDB Local, so the fake cannot
// drift from the real store.
package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/user"
)

// Run runs the contract against stores made by newStore (each call a store with fresh data
// or at least unique keys; the tests use random ids and addresses). catchUp, when not nil,
// brings what a store writes after its transactions up to date with every write so far
// (the DynamoDB store's search postings, written from the table's stream): the tests
// search as a reader of an eventually consistent index does once it has caught up, so
// every search calls it first.
func Run(t *testing.T, newStore func(t *testing.T) user.Store, catchUp func(t *testing.T)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st user.Store)
	}{
		{"CreateThenAccount", testCreateThenAccount},
		{"EmailTakenWritesNothing", testEmailTaken},
		{"PhoneTaken", testPhoneTaken},
		{"SponsorMustExist", testSponsor},
		{"LimitBlocksAndHitCounts", testLimit},
		{"ConcurrentCreateOneWins", testConcurrentCreate},
		{"Sessions", testSessions},
		{"EndAllSessions", testEndAll},
		{"SaveUserMovesLocks", testSaveUser},
		{"CreationEventAndHits", testCreated},
	}
	for _, tt := range slices.Concat(tests, txTests, passkeyTests, searchTests) {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			if catchUp != nil {
				st = &caughtUp{Store: st, t: t, catchUp: catchUp}
			}
			tt.fn(t, st)
		})
	}
}

// caughtUp is a store whose reads of what it writes after its transactions (searches,
// events, counts) wait for it to catch up.
type caughtUp struct {
	user.Store
	t       *testing.T
	catchUp func(t *testing.T)
}

func (c *caughtUp) SearchUsers(ctx context.Context, q *user.SearchQuery) (*user.SearchResult, error) {
	c.t.Helper()
	c.catchUp(c.t)
	return c.Store.SearchUsers(ctx, q)
}

func (c *caughtUp) Events(ctx context.Context, userID string) ([]*user.Event, error) {
	c.t.Helper()
	c.catchUp(c.t)
	return c.Store.Events(ctx, userID)
}

func (c *caughtUp) Count(ctx context.Context, counter string) (int64, error) {
	c.t.Helper()
	c.catchUp(c.t)
	return c.Store.Count(ctx, counter)
}

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newUser(t *testing.T) *user.User {
	t.Helper()
	id, err := auth.NewID()
	if err != nil {
		t.Fatal(err)
	}
	return &user.User{
		ID: id, Email: id + "@example.com", Role: user.RoleMember, Active: true, Language: "en",
		FirstName: "Ann", Address: &user.Address{Country: "IR", City: "Tehran"},
		CreatedAt: now, UpdatedAt: now, Version: 1, PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$x$y",
	}
}

func newSession(t *testing.T, u *user.User) *user.Session {
	t.Helper()
	tok, err := auth.NewSessionToken(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &user.Session{ID: tok.SessionID, UserID: u.ID, TokenHash: tok.Hash, Epoch: u.SessionEpoch,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), IP: "127.0.0.1", UserAgent: "test"}
}

// creation is a new account and what comes with it, written in one transaction as
// registration writes it.
type creation struct {
	User    *user.User
	Session *user.Session
	Code    *user.Code
	Mail    *mail.Mail
	Limit   *user.Counter
}

func (c *creation) tx() *user.Tx {
	tx := &user.Tx{Now: now, Create: c.User, Sponsor: c.User.SponsorID}
	if c.Code != nil {
		tx.Codes = []*user.Code{c.Code}
	}
	if c.Limit != nil {
		tx.Limits = []user.Counter{*c.Limit}
	}
	if c.Session != nil {
		tx.Sessions = []*user.Session{c.Session}
	}
	if c.Mail != nil {
		tx.Mails = []*mail.Mail{c.Mail}
	}
	return tx
}

func create(t *testing.T, st user.Store, c *creation) {
	t.Helper()
	if err := st.Apply(context.Background(), c.tx()); err != nil {
		t.Fatalf("create: %v", err)
	}
}

func testCreateThenAccount(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	u.Phone = "+9891200" + digits(u.ID)
	se := newSession(t, u)
	create(t, st, &creation{User: u, Session: se,
		Code: &user.Code{Hash: auth.HashSecret(u.ID), Kind: user.CodeVerifyEmail, UserID: u.ID, Email: u.Email, ExpiresAt: now.Add(time.Hour)},
		Mail: &mail.Mail{ID: u.ID, Kind: mail.KindVerifyEmail, To: u.Email, Code: "c", ExpiresAt: now.Add(time.Hour)}})
	for _, login := range []string{u.Email, u.Phone} {
		got, err := st.Account(ctx, login)
		if err != nil {
			t.Fatalf("Account(%s): %v", login, err)
		}
		if got.ID != u.ID || got.PasswordHash != u.PasswordHash || got.Address == nil || got.Address.City != "Tehran" || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("Account(%s) = %+v, want the created user", login, got)
		}
	}
	if _, err := st.Account(ctx, "nobody-"+u.ID+"@example.com"); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("Account(unknown) err = %v, want ErrNotFound", err)
	}
	gotS, gotU, err := st.SessionUser(ctx, u.ID, se.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotS.TokenHash != se.TokenHash || !gotS.ExpiresAt.Equal(se.ExpiresAt) || gotU.Email != u.Email {
		t.Errorf("SessionUser = %+v, %+v; want the session and user created", gotS, gotU)
	}
}

func digits(id string) string {
	out := make([]byte, 0, 6)
	for i := len(id) - 1; i >= 0 && len(out) < 6; i-- {
		out = append(out, '0'+id[i]%10)
	}
	return string(out)
}

func testEmailTaken(t *testing.T, st user.Store) {
	ctx := context.Background()
	a := newUser(t)
	create(t, st, &creation{User: a})
	b := newUser(t)
	b.Email = a.Email
	se := newSession(t, b)
	if err := st.Apply(ctx, (&creation{User: b, Session: se}).tx()); !errors.Is(err, user.ErrEmailTaken) {
		t.Fatalf("second CreateUser err = %v, want ErrEmailTaken", err)
	}
	if _, _, err := st.SessionUser(ctx, b.ID, se.ID); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("the failed creation left its session or user behind (err %v)", err)
	}
	got, _ := st.Account(ctx, a.Email)
	if got == nil || got.ID != a.ID {
		t.Errorf("the lock now names %v, want %s", got, a.ID)
	}
}

func testPhoneTaken(t *testing.T, st user.Store) {
	a := newUser(t)
	a.Phone = "+1415555" + digits(a.ID)[:4]
	create(t, st, &creation{User: a})
	b := newUser(t)
	b.Phone = a.Phone
	if err := st.Apply(context.Background(), (&creation{User: b}).tx()); !errors.Is(err, user.ErrPhoneTaken) {
		t.Fatalf("CreateUser err = %v, want ErrPhoneTaken", err)
	}
	if _, err := st.Account(context.Background(), b.Email); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("the failed creation left its email lock (err %v)", err)
	}
}

func testSponsor(t *testing.T, st user.Store) {
	a := newUser(t)
	b := newUser(t)
	b.SponsorID = a.ID // not created
	if err := st.Apply(context.Background(), (&creation{User: b}).tx()); !errors.Is(err, user.ErrSponsorNotFound) {
		t.Fatalf("CreateUser err = %v, want ErrSponsorNotFound", err)
	}
	create(t, st, &creation{User: a})
	create(t, st, &creation{User: b})
}

func testLimit(t *testing.T, st user.Store) {
	ctx := context.Background()
	id, _ := auth.NewID()
	c := user.Counter{Key: "test#" + id, Max: 2, ExpiresAt: now.Add(time.Hour)}
	create(t, st, &creation{User: newUser(t), Limit: &c})
	if err := st.Hit(ctx, c); err != nil {
		t.Fatal(err)
	}
	u := newUser(t)
	if err := st.Apply(ctx, (&creation{User: u, Limit: &c}).tx()); !errors.Is(err, user.ErrLimited) {
		t.Fatalf("CreateUser past the limit err = %v, want ErrLimited", err)
	}
	if _, err := st.Account(ctx, u.Email); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("the limited creation wrote its user (err %v)", err)
	}
}

func testConcurrentCreate(t *testing.T, st user.Store) {
	base := newUser(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := newUser(t)
			u.Email = base.Email
			errs[i] = st.Apply(context.Background(), (&creation{User: u}).tx())
		}()
	}
	wg.Wait()
	ok, taken := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, user.ErrEmailTaken):
			taken++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 || taken != n-1 {
		t.Errorf("got %d created and %d email_taken, want 1 and %d", ok, taken, n-1)
	}
}

func testSessions(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	create(t, st, &creation{User: u})
	se := newSession(t, u)
	if err := st.Apply(ctx, &user.Tx{Sessions: []*user.Session{se}}); err != nil {
		t.Fatal(err)
	}
	ev := logoutEvent(u)
	if err := st.EndSession(ctx, u.ID, se.ID, "wrong", now, now.Add(-time.Hour), ev); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("EndSession(wrong hash) err = %v, want ErrNotFound", err)
	}
	if err := st.EndSession(ctx, u.ID, se.ID, se.TokenHash, now.Add(2*time.Hour), now.Add(-time.Hour), ev); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("EndSession(expired) err = %v, want ErrNotFound", err)
	}
	if err := st.EndSession(ctx, u.ID, se.ID, se.TokenHash, now.Add(time.Minute), now.Add(time.Second), ev); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("EndSession(idle: last seen before seenSince) err = %v, want ErrNotFound", err)
	}
	checkEvents(t, st, u.ID, nil) // a refused logout records nothing
	if err := st.EndSession(ctx, u.ID, se.ID, se.TokenHash, now, now.Add(-time.Hour), ev); err != nil {
		t.Fatalf("EndSession: %v", err)
	}
	if _, _, err := st.SessionUser(ctx, u.ID, se.ID); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("SessionUser after EndSession err = %v, want ErrNotFound", err)
	}
	if err := st.EndSession(ctx, u.ID, se.ID, se.TokenHash, now, now.Add(-time.Hour), logoutEvent(u)); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("second EndSession err = %v, want ErrNotFound", err)
	}
	checkEvents(t, st, u.ID, []string{ev.ID})

	// A session of an earlier epoch is revoked, and one at the user's later epoch is live.
	old, live := newSession(t, u), newSession(t, u)
	apply(t, st, &user.Tx{Sessions: []*user.Session{old}})
	next := *u
	next.SessionEpoch, next.Version = 3, u.Version+1
	live.Epoch = 3
	apply(t, st, &user.Tx{Save: &user.Save{Next: &next, Prev: u}, Sessions: []*user.Session{live}})
	if err := st.EndSession(ctx, u.ID, old.ID, old.TokenHash, now, now.Add(-time.Hour), logoutEvent(u)); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("EndSession(a session of an earlier epoch) err = %v, want ErrNotFound", err)
	}
	checkEvents(t, st, u.ID, []string{ev.ID})
	ev2 := logoutEvent(u)
	if err := st.EndSession(ctx, u.ID, live.ID, live.TokenHash, now, now.Add(-time.Hour), ev2); err != nil {
		t.Errorf("EndSession(a session at the user's later epoch): %v", err)
	}
	// A disabled user's session is not live either.
	off := newSession(t, &next)
	apply(t, st, &user.Tx{Sessions: []*user.Session{off}})
	disabled := next
	disabled.Active, disabled.Version = false, next.Version+1
	apply(t, st, &user.Tx{Save: &user.Save{Next: &disabled, Prev: &next}})
	if err := st.EndSession(ctx, u.ID, off.ID, off.TokenHash, now, now.Add(-time.Hour), logoutEvent(u)); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("EndSession(a disabled user's session) err = %v, want ErrNotFound", err)
	}
	checkEvents(t, st, u.ID, []string{ev2.ID, ev.ID})
}

// logoutEvent is a new logout event of u.
func logoutEvent(u *user.User) *user.Event {
	id, _ := auth.NewID()
	return &user.Event{ID: id, UserID: u.ID, Type: user.EventLogout, At: now, Detail: map[string]string{"session_id": "s"}}
}

// checkEvents checks the ids of uid's events, newest first.
func checkEvents(t *testing.T, st user.Store, uid string, want []string) {
	t.Helper()
	evs, err := st.Events(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.Type == user.EventLogout {
			got = append(got, e.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("logout events %v, want %v", got, want)
	}
}

func testEndAll(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	u.Phone = "+4420" + digits(u.ID) + "12"
	create(t, st, &creation{User: u})
	var ids []string
	for range 3 {
		se := newSession(t, u)
		if err := st.Apply(ctx, &user.Tx{Sessions: []*user.Session{se}}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, se.ID)
	}
	stale := *u
	ev := logoutEvent(u)
	if err := st.EndAllSessions(ctx, u, ev); err != nil {
		t.Fatal(err)
	}
	checkEvents(t, st, u.ID, []string{ev.ID})
	for _, id := range ids {
		if _, _, err := st.SessionUser(ctx, u.ID, id); !errors.Is(err, user.ErrNotFound) {
			t.Errorf("session %s survived EndAllSessions (err %v)", id, err)
		}
	}
	for _, login := range []string{u.Email, u.Phone} {
		got, err := st.Account(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		if got.SessionEpoch != u.SessionEpoch+1 || got.Version != u.Version+1 {
			t.Errorf("Account(%s) epoch %d version %d, want %d and %d", login, got.SessionEpoch, got.Version, u.SessionEpoch+1, u.Version+1)
		}
	}
	if err := st.EndAllSessions(ctx, &stale, logoutEvent(u)); !errors.Is(err, user.ErrConflict) {
		t.Errorf("EndAllSessions with a stale version err = %v, want ErrConflict", err)
	}
	checkEvents(t, st, u.ID, []string{ev.ID}) // nothing of the refused one
}

func testSaveUser(t *testing.T, st user.Store) {
	ctx := context.Background()
	u := newUser(t)
	u.Phone = "+4479" + digits(u.ID) + "00"
	create(t, st, &creation{User: u})
	other := newUser(t)
	create(t, st, &creation{User: other})

	next := *u
	next.Email = "moved-" + u.Email
	next.Phone = ""
	next.Role = user.RoleAdmin
	next.Version = u.Version + 1
	next.EmailSeq = 3
	next.Reverts = []user.Revert{{Seq: 2, ExpiresAt: now.Add(time.Hour)}, {Seq: 3, ExpiresAt: now.Add(2 * time.Hour)}}
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &next, Prev: u}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Account(ctx, next.Email)
	if err != nil || got.Role != user.RoleAdmin || got.Version != next.Version {
		t.Fatalf("Account(new email) = %+v, %v; want the saved admin", got, err)
	}
	if got.EmailSeq != 3 || len(got.Reverts) != 2 || got.Reverts[1].Seq != 3 || !got.Reverts[1].ExpiresAt.Equal(now.Add(2*time.Hour)) {
		t.Errorf("saved email changes %d, reverts %+v; want 3 and the two written", got.EmailSeq, got.Reverts)
	}
	for _, gone := range []string{u.Email, u.Phone} {
		if _, err := st.Account(ctx, gone); !errors.Is(err, user.ErrNotFound) {
			t.Errorf("Account(%s) after the move err = %v, want ErrNotFound", gone, err)
		}
	}
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &next, Prev: u}}); !errors.Is(err, user.ErrConflict) {
		t.Errorf("SaveUser at a stale version err = %v, want ErrConflict", err)
	}
	taken := next
	taken.Email = other.Email
	taken.Version = next.Version + 1
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &taken, Prev: &next}}); !errors.Is(err, user.ErrEmailTaken) {
		t.Errorf("SaveUser onto another's email err = %v, want ErrEmailTaken", err)
	}
	if got, _ := st.Account(ctx, other.Email); got == nil || got.ID != other.ID {
		t.Errorf("the other user's lock changed hands")
	}
}

// A creation's event and counter hits are written once the user is (on DynamoDB from the
// stream, so the reads here wait for it), and not at all when the creation fails.
func testCreated(t *testing.T, st user.Store) {
	ctx := context.Background()
	created := func(u *user.User) *user.Tx {
		return &user.Tx{Now: now, Create: u,
			Created:     &user.Event{ID: u.ID, UserID: u.ID, Type: user.EventAccountCreated, At: now, IP: "192.0.2.9", UserAgent: "ua", Detail: map[string]string{"by": "x"}},
			CreatedHits: []user.Counter{{Key: "created#" + u.Email, Max: 1, ExpiresAt: now.Add(time.Hour)}}}
	}
	u := newUser(t)
	apply(t, st, created(u))
	evs, err := st.Events(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ID != u.ID || evs[0].Type != user.EventAccountCreated || !evs[0].At.Equal(now) ||
		evs[0].IP != "192.0.2.9" || evs[0].UserAgent != "ua" || evs[0].Detail["by"] != "x" {
		t.Errorf("events %+v, want the account_created event", evs)
	}
	if n, err := st.Count(ctx, "created#"+u.Email); err != nil || n != 1 {
		t.Errorf("count %d, %v; want the creation counted once (a hit is not bounded by Max)", n, err)
	}

	taken := newUser(t)
	taken.Email = u.Email
	if err := st.Apply(ctx, created(taken)); !errors.Is(err, user.ErrEmailTaken) {
		t.Fatalf("a creation on a taken email: %v, want ErrEmailTaken", err)
	}
	if evs, err := st.Events(ctx, taken.ID); err != nil || len(evs) != 0 {
		t.Errorf("the failed creation's events: %+v, %v; want none", evs, err)
	}
	if n, _ := st.Count(ctx, "created#"+u.Email); n != 1 {
		t.Errorf("count %d after a failed creation, want 1", n)
	}
}
