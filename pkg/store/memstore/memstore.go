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
	// Outbox holds the mails written, in order.
	Outbox []mail.Mail
}

// New returns an empty store.
func New() *Store {
	return &Store{
		users: map[string]user.User{}, logins: map[string]string{},
		sessions: map[string]user.Session{}, codes: map[string]user.Code{}, counters: map[string]int64{},
	}
}

func sessionKey(uid, sid string) string { return uid + "/" + sid }

// CreateUser implements user.Store.
func (s *Store) CreateUser(_ context.Context, c *user.Creation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := c.User
	if c.Limit != nil && s.counters[c.Limit.Key] >= c.Limit.Max {
		return user.ErrLimited
	}
	if _, ok := s.logins[u.Email]; ok {
		return user.ErrEmailTaken
	}
	if _, ok := s.logins[u.Phone]; ok && u.Phone != "" {
		return user.ErrPhoneTaken
	}
	if _, ok := s.users[u.SponsorID]; !ok && u.SponsorID != "" {
		return user.ErrSponsorNotFound
	}
	if _, ok := s.users[u.ID]; ok {
		return user.ErrConflict
	}
	s.users[u.ID] = *u
	s.logins[u.Email] = u.ID
	if u.Phone != "" {
		s.logins[u.Phone] = u.ID
	}
	if c.Session != nil {
		s.sessions[sessionKey(u.ID, c.Session.ID)] = *c.Session
	}
	if c.Code != nil {
		s.codes[c.Code.Hash] = *c.Code
	}
	if c.Mail != nil {
		s.Outbox = append(s.Outbox, *c.Mail)
	}
	if c.Limit != nil {
		s.counters[c.Limit.Key]++
	}
	return nil
}

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

// StartSession implements user.Store.
func (s *Store) StartSession(_ context.Context, se *user.Session, upgrade *user.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if upgrade != nil {
		cur, ok := s.users[upgrade.ID]
		if !ok || cur.Version != upgrade.Version {
			return user.ErrConflict
		}
		cur.PasswordHash = upgrade.PasswordHash
		cur.Version++
		s.users[cur.ID] = cur
	}
	s.sessions[sessionKey(se.UserID, se.ID)] = *se
	return nil
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
func (s *Store) EndSession(_ context.Context, userID, sessionID, tokenHash string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sessionKey(userID, sessionID)
	se, ok := s.sessions[k]
	if !ok || se.TokenHash != tokenHash || se.ExpiresAt.Unix() <= now.Unix() {
		return user.ErrNotFound
	}
	delete(s.sessions, k)
	return nil
}

// EndAllSessions implements user.Store.
func (s *Store) EndAllSessions(_ context.Context, u *user.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.users[u.ID]
	if !ok || cur.Version != u.Version {
		return user.ErrConflict
	}
	cur.SessionEpoch++
	cur.Version++
	s.users[u.ID] = cur
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

// SaveUser implements user.Store.
func (s *Store) SaveUser(_ context.Context, next, prev *user.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.users[prev.ID]
	if !ok || cur.Version != prev.Version {
		return user.ErrConflict
	}
	if id, ok := s.logins[next.Email]; ok && id != next.ID {
		return user.ErrEmailTaken
	}
	if id, ok := s.logins[next.Phone]; ok && next.Phone != "" && id != next.ID {
		return user.ErrPhoneTaken
	}
	delete(s.logins, prev.Email)
	if prev.Phone != "" {
		delete(s.logins, prev.Phone)
	}
	s.logins[next.Email] = next.ID
	if next.Phone != "" {
		s.logins[next.Phone] = next.ID
	}
	s.users[next.ID] = *next
	return nil
}
