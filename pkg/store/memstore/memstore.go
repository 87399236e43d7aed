// Package memstore is an in-memory user.Store for the domain's unit tests and the handler
// benchmarks. pkg/store/storetest holds it to the same contract as the DynamoDB store.
package memstore

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/user"
)

var _ user.Store = (*Store)(nil)

// Store keeps everything in maps behind one lock.
type Store struct {
	mu       sync.Mutex
	users    map[string]user.User // by id
	logins   map[string]string    // normalized email or phone -> user id
	sessions map[string]user.Session
	codes    map[string]user.Code
	counters map[string]int64
	events   map[string][]user.Event // by user id, oldest first
	mfa      map[string]user.MFA
	tokens   map[string]user.MFAToken // by user id + "/" + hash
	wishes   map[string]user.WishItem // by user id + "/" + product id
	admins   int64
	sponsors map[string]string // user id -> sponsor id, kept after either is deleted: the tree stays
	// reserved holds the old emails of changes that can still be reverted.
	reserved map[string]reservation
	// loginFails is the failure state of logins that name no account.
	loginFails map[string]user.Failures
	passkeys   map[string]user.Passkey    // by user id + "/" + passkey id
	creds      map[string]string          // passkey id -> user id: the credential's one account
	ceremonies map[string]user.Ceremony   // by id
	signIn     map[string]user.SignInCode // by address
	// Outbox holds the mails written, in order.
	Outbox []mail.Mail
	// BeforeApply, when set, runs before each Apply checks anything: tests use it to make
	// another change win a race.
	BeforeApply func(*user.Tx)
	// BeforeEndAll, when set, runs before EndAllSessions checks anything, as BeforeApply.
	BeforeEndAll func()
}

// New returns an empty store.
func New() *Store {
	return &Store{
		users: map[string]user.User{}, logins: map[string]string{},
		sessions: map[string]user.Session{}, codes: map[string]user.Code{}, counters: map[string]int64{},
		events: map[string][]user.Event{}, mfa: map[string]user.MFA{}, tokens: map[string]user.MFAToken{},
		wishes: map[string]user.WishItem{}, sponsors: map[string]string{},
		reserved: map[string]reservation{}, loginFails: map[string]user.Failures{},
		passkeys: map[string]user.Passkey{}, creds: map[string]string{}, ceremonies: map[string]user.Ceremony{},
		signIn: map[string]user.SignInCode{},
	}
}

// reservation keeps an email for a user until a time.
type reservation struct {
	userID string
	until  time.Time
}

func sessionKey(uid, sid string) string { return uid + "/" + sid }

// Account implements user.Store.
func (s *Store) Account(_ context.Context, login string) (*user.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.logins[login]
	if !ok {
		return nil, user.ErrNotFound
	}
	u := s.users[id]
	return &u, nil
}

// SessionUser implements user.Store.
func (s *Store) SessionUser(_ context.Context, userID, sessionID string) (*user.Session, *user.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok1 := s.sessions[sessionKey(userID, sessionID)]
	u, ok2 := s.users[userID]
	if !ok1 || !ok2 {
		return nil, nil, user.ErrNotFound
	}
	return &se, &u, nil
}

// EndSession implements user.Store.
func (s *Store) EndSession(_ context.Context, userID, sessionID, tokenHash string, now, seenSince time.Time, ev *user.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sessionKey(userID, sessionID)
	se, ok := s.sessions[k]
	u, ok2 := s.users[userID]
	if !ok || !ok2 || se.TokenHash != tokenHash || se.ExpiresAt.Unix() <= now.Unix() || !se.LastSeenAt.After(seenSince) || se.Epoch != u.SessionEpoch || !u.Active {
		return user.ErrNotFound
	}
	delete(s.sessions, k)
	s.events[ev.UserID] = append(s.events[ev.UserID], *ev)
	return nil
}

// EndAllSessions implements user.Store.
func (s *Store) EndAllSessions(_ context.Context, u *user.User, ev *user.Event) error {
	if f := s.BeforeEndAll; f != nil {
		f()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.users[u.ID]
	if !ok || cur.Version != u.Version {
		return user.ErrConflict
	}
	cur.SessionEpoch++
	cur.Version++
	s.users[u.ID] = cur
	s.events[ev.UserID] = append(s.events[ev.UserID], *ev)
	for k := range s.sessions {
		if strings.HasPrefix(k, u.ID+"/") {
			delete(s.sessions, k)
		}
	}
	return nil
}

// Hit implements user.Store.
func (s *Store) Hit(_ context.Context, c user.Counter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters[c.Key]++
	return nil
}
