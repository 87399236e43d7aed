package memstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/user"
)

// Apply implements user.Store: every part checks its conditions before any part writes, as
// a transaction does.
func (s *Store) Apply(_ context.Context, tx *user.Tx) error {
	if f := s.BeforeApply; f != nil {
		f(tx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Counters come first: a limit outranks every other failure, as in the DynamoDB store.
	parts := []struct {
		check func(*user.Tx) error
		write func(*user.Tx)
	}{
		{s.checkCounters, s.writeCounters},
		{s.checkUsers, s.writeUsers},
		{s.checkSessions, s.writeSessions},
		{s.checkCodes, s.writeCodes},
		{s.checkWishes, s.writeWishes},
		{s.checkMFA, s.writeMFA},
		{s.checkAdmins, s.writeAdmins},
		{s.checkFailures, s.writeFailures},
		{s.checkPasskeys, s.writePasskeys},
		{s.checkSignInCodes, s.writeSignInCodes},
		{func(*user.Tx) error { return nil }, s.writeLog},
	}
	for _, p := range parts {
		if err := p.check(tx); err != nil {
			return err
		}
	}
	for _, p := range parts {
		p.write(tx)
	}
	return nil
}

func (s *Store) putUser(u *user.User) {
	s.users[u.ID] = *u
	s.logins[u.Email] = u.ID
	if u.Phone != "" {
		s.logins[u.Phone] = u.ID
	}
}

func (s *Store) dropLogins(u *user.User) {
	delete(s.logins, u.Email)
	if u.Phone != "" {
		delete(s.logins, u.Phone)
	}
}

// LoginView implements user.Store.
func (s *Store) LoginView(ctx context.Context, login, counter string) (*user.LoginState, error) {
	s.mu.Lock()
	st := &user.LoginState{Count: s.counters[counter], Failures: s.loginFails[login]}
	s.mu.Unlock()
	if login == "" {
		return &user.LoginState{Count: st.Count}, nil
	}
	u, err := s.Account(ctx, login)
	if errors.Is(err, user.ErrNotFound) {
		return st, nil
	}
	st.User, st.Failures = u, user.Failures{}
	return st, err
}

// Count implements user.Store.
func (s *Store) Count(_ context.Context, counter string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counters[counter], nil
}

// User implements user.Store.
func (s *Store) User(_ context.Context, id string) (*user.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return nil, user.ErrNotFound
	}
	return &u, nil
}

// UserSessions implements user.Store.
func (s *Store) UserSessions(_ context.Context, id string) (*user.User, []*user.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return nil, nil, user.ErrNotFound
	}
	var out []*user.Session
	for k, se := range s.sessions {
		if strings.HasPrefix(k, id+"/") {
			se := se
			out = append(out, &se)
		}
	}
	slices.SortFunc(out, func(a, b *user.Session) int { return strings.Compare(a.ID, b.ID) })
	return &u, out, nil
}

// TouchSession implements user.Store.
func (s *Store) TouchSession(_ context.Context, uid, sid string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.sessions[sessionKey(uid, sid)]; ok {
		se.LastSeenAt = now
		s.sessions[sessionKey(uid, sid)] = se
	}
	return nil
}

// DeleteSessionItems implements user.Store.
func (s *Store) DeleteSessionItems(_ context.Context, uid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.sessions {
		if strings.HasPrefix(k, uid+"/") {
			delete(s.sessions, k)
		}
	}
	return nil
}

// DeleteUserItems implements user.Store.
func (s *Store) DeleteUserItems(ctx context.Context, uid string) error {
	_ = s.DeleteSessionItems(ctx, uid)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.events, uid)
	delete(s.mfa, uid)
	for k := range s.wishes {
		if strings.HasPrefix(k, uid+"/") {
			delete(s.wishes, k)
		}
	}
	for k := range s.tokens {
		if strings.HasPrefix(k, uid+"/") {
			delete(s.tokens, k)
		}
	}
	for k, p := range s.passkeys {
		if strings.HasPrefix(k, uid+"/") {
			delete(s.passkeys, k)
			delete(s.creds, p.ID)
		}
	}
	return nil
}

// CodeUser implements user.Store.
func (s *Store) CodeUser(_ context.Context, hash, uid, counter string) (*user.Code, *user.User, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		c *user.Code
		u *user.User
	)
	if cur, ok := s.codes[hash]; ok {
		c = &cur
	}
	if cur, ok := s.users[uid]; ok {
		u = &cur
	}
	return c, u, s.counters[counter], nil
}

// MFAUser implements user.Store.
func (s *Store) MFAUser(_ context.Context, uid, tokenHash string) (*user.User, *user.MFA, *user.MFAToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[uid]
	if !ok {
		return nil, nil, nil, user.ErrNotFound
	}
	var (
		m *user.MFA
		t *user.MFAToken
	)
	if cur, ok := s.mfa[uid]; ok {
		cur.Recovery = slices.Clone(cur.Recovery)
		m = &cur
	}
	if cur, ok := s.tokens[uid+"/"+tokenHash]; ok && tokenHash != "" {
		t = &cur
	}
	return &u, m, t, nil
}

// Events implements user.Store.
func (s *Store) Events(_ context.Context, uid string) ([]*user.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.events[uid]
	out := make([]*user.Event, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		e := list[i]
		out = append(out, &e)
	}
	return out, nil
}

// WishState implements user.Store.
func (s *Store) WishState(_ context.Context, uid, productID string) (*user.WishItem, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	var found *user.WishItem
	for k, w := range s.wishes {
		if strings.HasPrefix(k, uid+"/") {
			n++
			if w.ProductID == productID {
				w := w
				found = &w
			}
		}
	}
	return found, n, nil
}

// UserData implements user.Store.
func (s *Store) UserData(ctx context.Context, uid string, events bool) (*user.UserData, error) {
	u, sessions, err := s.UserSessions(ctx, uid)
	if err != nil {
		return nil, err
	}
	d := &user.UserData{User: u, Sessions: sessions}
	_, d.MFA, _, _ = s.MFAUser(ctx, uid, "")
	if events {
		d.Events, _ = s.Events(ctx, uid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, w := range s.wishes {
		if strings.HasPrefix(k, uid+"/") {
			w := w
			d.Wishes = append(d.Wishes, &w)
		}
	}
	slices.SortFunc(d.Wishes, func(a, b *user.WishItem) int { return strings.Compare(a.ProductID, b.ProductID) })
	for k, p := range s.passkeys {
		if strings.HasPrefix(k, uid+"/") {
			d.Passkeys = append(d.Passkeys, clonePasskey(p))
		}
	}
	slices.SortFunc(d.Passkeys, func(a, b *user.Passkey) int { return strings.Compare(a.ID, b.ID) })
	return d, nil
}
