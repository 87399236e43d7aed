package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/user"
)

// Apply implements user.Store: every condition is checked before anything is written, as
// a transaction does.
func (s *Store) Apply(_ context.Context, tx *user.Tx) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(tx); err != nil {
		return err
	}
	s.write(tx)
	return nil
}

func (s *Store) check(tx *user.Tx) error {
	if c := tx.Limit; c != nil && s.counters[c.Key] >= c.Max {
		return user.ErrLimited
	}
	taken := func(login, id string) bool {
		owner, ok := s.logins[login]
		return login != "" && ok && owner != id
	}
	if u := tx.Create; u != nil {
		if _, ok := s.users[u.ID]; ok {
			return user.ErrConflict
		}
		if _, ok := s.logins[u.Email]; ok {
			return user.ErrEmailTaken
		}
		if _, ok := s.logins[u.Phone]; ok && u.Phone != "" {
			return user.ErrPhoneTaken
		}
	}
	if sv := tx.Save; sv != nil {
		cur, ok := s.users[sv.Prev.ID]
		if !ok || cur.Version != sv.Prev.Version {
			return user.ErrConflict
		}
		if taken(sv.Next.Email, sv.Next.ID) {
			return user.ErrEmailTaken
		}
		if taken(sv.Next.Phone, sv.Next.ID) {
			return user.ErrPhoneTaken
		}
	}
	if u := tx.Remove; u != nil {
		if cur, ok := s.users[u.ID]; !ok || cur.Version != u.Version {
			return user.ErrConflict
		}
	}
	if tx.Sponsor != "" {
		if _, ok := s.users[tx.Sponsor]; !ok {
			return user.ErrSponsorNotFound
		}
	}
	if se := tx.Stamp; se != nil {
		if _, ok := s.sessions[sessionKey(se.UserID, se.ID)]; !ok {
			return user.ErrConflict
		}
	}
	for _, w := range tx.Unwish {
		if _, ok := s.wishes[w.UserID+"/"+w.ProductID]; !ok {
			return user.ErrNotFound
		}
	}
	for _, w := range tx.Wishes {
		if _, ok := s.wishes[w.UserID+"/"+w.ProductID]; ok && w.New {
			return user.ErrConflict
		}
	}
	for _, se := range tx.Revoke {
		if _, ok := s.sessions[sessionKey(se.UserID, se.ID)]; !ok {
			return user.ErrNotFound
		}
	}
	if c := tx.UseCode; c != nil {
		if cur, ok := s.codes[c.Hash]; !ok || !cur.ExpiresAt.After(tx.Now) || cur.ExpiresAt.Unix() <= tx.Now.Unix() {
			return user.ErrInvalidCode
		}
	}
	if t := tx.UseMFAToken; t != nil {
		if cur, ok := s.tokens[t.UserID+"/"+t.Hash]; !ok || cur.ExpiresAt.Unix() <= tx.Now.Unix() {
			return user.ErrInvalidCode
		}
	}
	if m := tx.MFAUse; m != nil {
		cur, ok := s.mfa[m.UserID]
		switch {
		case !ok:
			return user.ErrInvalidCode
		case m.RecoveryHash != "" && !slices.Contains(cur.Recovery, m.RecoveryHash):
			return user.ErrInvalidCode
		case m.RecoveryHash == "" && cur.LastStep >= m.Step:
			return user.ErrInvalidCode
		}
	}
	if tx.AdminDelta < 0 && s.admins+int64(tx.AdminDelta) < 1 {
		return user.ErrLastAdmin
	}
	if f := tx.Failure; f != nil {
		cur, ok := s.users[f.User.ID]
		if !ok || cur.FailCount != f.User.FailCount || cur.FailUntil.Unix() != f.User.FailUntil.Unix() {
			return user.ErrConflict
		}
	}
	if u := tx.ClearFailures; u != nil {
		if _, ok := s.users[u.ID]; !ok {
			return user.ErrConflict
		}
	}
	return nil
}

func (s *Store) write(tx *user.Tx) {
	if u := tx.Create; u != nil {
		s.putUser(u)
		if u.SponsorID != "" {
			s.sponsors[u.ID] = u.SponsorID
		}
	}
	if sv := tx.Save; sv != nil {
		s.dropLogins(sv.Prev)
		s.putUser(sv.Next)
	}
	if u := tx.Remove; u != nil {
		s.dropLogins(u)
		delete(s.users, u.ID)
	}
	for _, se := range tx.Sessions {
		s.sessions[sessionKey(se.UserID, se.ID)] = *se
	}
	if se := tx.Stamp; se != nil {
		k := sessionKey(se.UserID, se.ID)
		cur := s.sessions[k]
		cur.Epoch = se.Epoch
		s.sessions[k] = cur
	}
	for _, se := range tx.Revoke {
		delete(s.sessions, sessionKey(se.UserID, se.ID))
	}
	if c := tx.Code; c != nil {
		s.codes[c.Hash] = *c
	}
	if c := tx.UseCode; c != nil {
		delete(s.codes, c.Hash)
	}
	for _, w := range tx.Wishes {
		c := *w
		c.Images, c.Categories = slices.Clone(w.Images), slices.Clone(w.Categories)
		s.wishes[w.UserID+"/"+w.ProductID] = c
	}
	for _, w := range tx.Unwish {
		delete(s.wishes, w.UserID+"/"+w.ProductID)
	}
	for _, m := range tx.Mails {
		s.Outbox = append(s.Outbox, *m)
	}
	for _, e := range tx.Events {
		s.events[e.UserID] = append(s.events[e.UserID], *e)
	}
	if c := tx.Limit; c != nil {
		s.counters[c.Key]++
	}
	for _, c := range tx.Hits {
		s.counters[c.Key]++
	}
	for _, c := range tx.Uncount {
		s.counters[c.Key]--
	}
	if m := tx.MFA; m != nil {
		s.mfa[m.UserID] = *m
	}
	if tx.RemoveMFA != "" {
		delete(s.mfa, tx.RemoveMFA)
	}
	if t := tx.MFAToken; t != nil {
		s.tokens[t.UserID+"/"+t.Hash] = *t
	}
	if t := tx.UseMFAToken; t != nil {
		delete(s.tokens, t.UserID+"/"+t.Hash)
	}
	if m := tx.MFAUse; m != nil {
		cur := s.mfa[m.UserID]
		if m.RecoveryHash != "" {
			cur.Recovery = slices.DeleteFunc(slices.Clone(cur.Recovery), func(h string) bool { return h == m.RecoveryHash })
		} else {
			cur.LastStep = m.Step
		}
		s.mfa[m.UserID] = cur
	}
	s.admins += int64(tx.AdminDelta)
	if f := tx.Failure; f != nil {
		cur := s.users[f.User.ID]
		cur.FailCount, cur.FailUntil, cur.LockedUntil, cur.LockLevel = f.Count, f.Until, f.LockedUntil, f.LockLevel
		s.users[cur.ID] = cur
	}
	if u := tx.ClearFailures; u != nil {
		cur := s.users[u.ID]
		cur.FailCount, cur.FailUntil, cur.LockedUntil, cur.LockLevel = 0, time.Time{}, time.Time{}, 0
		s.users[cur.ID] = cur
	}
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
func (s *Store) LoginView(ctx context.Context, login, counter string) (*user.User, int64, error) {
	s.mu.Lock()
	n := s.counters[counter]
	s.mu.Unlock()
	if login == "" {
		return nil, n, nil
	}
	u, err := s.Account(ctx, login)
	if err == user.ErrNotFound {
		return nil, n, nil
	}
	return u, n, err
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

// RemoveSession implements user.Store.
func (s *Store) RemoveSession(_ context.Context, uid, sid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, sessionKey(uid, sid))
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
	return nil
}

// CodeUser implements user.Store.
func (s *Store) CodeUser(_ context.Context, hash, uid string) (*user.Code, *user.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok1 := s.codes[hash]
	u, ok2 := s.users[uid]
	if !ok1 || !ok2 {
		return nil, nil, user.ErrNotFound
	}
	return &c, &u, nil
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
	return d, nil
}
