package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/user"
)

func passkeyKey(uid, id string) string { return uid + "/" + id }

func clonePasskey(p user.Passkey) *user.Passkey {
	p.CredentialID, p.PublicKey, p.Transports = slices.Clone(p.CredentialID), slices.Clone(p.PublicKey), slices.Clone(p.Transports)
	return &p
}

func (s *Store) checkPasskeys(tx *user.Tx) error {
	if c := tx.Ceremony; c != nil {
		if _, ok := s.ceremonies[c.ID]; ok {
			return user.ErrConflict
		}
	}
	if c := tx.UseCeremony; c != nil {
		if cur, ok := s.ceremonies[c.ID]; !ok || cur.ExpiresAt.Unix() <= tx.Now.Unix() {
			return user.ErrInvalidCode
		}
	}
	if p := tx.Passkey; p != nil {
		if _, ok := s.creds[p.ID]; ok {
			return user.ErrPasskeyTaken
		}
	}
	if u := tx.PasskeyUse; u != nil {
		if cur, ok := s.passkeys[passkeyKey(u.Next.UserID, u.Next.ID)]; !ok || cur.SignCount != u.PrevCount {
			return user.ErrConflict
		}
	}
	if p := tx.RemovePasskey; p != nil {
		if _, ok := s.passkeys[passkeyKey(p.UserID, p.ID)]; !ok {
			return user.ErrNotFound
		}
	}
	return nil
}

func (s *Store) writePasskeys(tx *user.Tx) {
	if c := tx.Ceremony; c != nil {
		cur := *c
		cur.Origins = slices.Clone(c.Origins)
		s.ceremonies[c.ID] = cur
	}
	if c := tx.UseCeremony; c != nil {
		delete(s.ceremonies, c.ID)
	}
	if p := tx.Passkey; p != nil {
		s.passkeys[passkeyKey(p.UserID, p.ID)] = *clonePasskey(*p)
		s.creds[p.ID] = p.UserID
	}
	if u := tx.PasskeyUse; u != nil {
		next := *clonePasskey(*u.Next)
		next.LastUsedAt = time.Unix(next.LastUsedAt.Unix(), 0).UTC() // stored to the second
		s.passkeys[passkeyKey(next.UserID, next.ID)] = next
	}
	if p := tx.RemovePasskey; p != nil {
		delete(s.passkeys, passkeyKey(p.UserID, p.ID))
		delete(s.creds, p.ID)
	}
}

func (s *Store) checkSignInCodes(tx *user.Tx) error {
	if c := tx.UseSignInCode; c != nil {
		cur, ok := s.signIn[c.Email]
		if !ok || cur.ExpiresAt.Unix() <= tx.Now.Unix() || cur.Hash != c.Hash {
			return user.ErrInvalidCode
		}
	}
	return nil
}

func (s *Store) writeSignInCodes(tx *user.Tx) {
	if c := tx.SignInCode; c != nil {
		s.signIn[c.Email] = *c
	}
	if c := tx.UseSignInCode; c != nil {
		delete(s.signIn, c.Email)
	}
}

// PasskeyView implements user.Store.
func (s *Store) PasskeyView(_ context.Context, ceremonyID, userID, passkeyID, counter string) (*user.PasskeyState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &user.PasskeyState{Count: s.counters[counter]}
	if c, ok := s.ceremonies[ceremonyID]; ok {
		c.Origins = slices.Clone(c.Origins)
		st.Ceremony = &c
	}
	if u, ok := s.users[userID]; ok {
		st.User = &u
	}
	if p, ok := s.passkeys[passkeyKey(userID, passkeyID)]; ok && passkeyID != "" {
		st.Passkey = clonePasskey(p)
	}
	return st, nil
}

// Passkeys implements user.Store.
func (s *Store) Passkeys(_ context.Context, userID string) ([]*user.Passkey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*user.Passkey
	for k, p := range s.passkeys {
		if strings.HasPrefix(k, userID+"/") {
			out = append(out, clonePasskey(p))
		}
	}
	slices.SortFunc(out, func(a, b *user.Passkey) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// TrySignInCode implements user.Store.
func (s *Store) TrySignInCode(_ context.Context, email string, maxTries int, now time.Time) (*user.SignInCode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.signIn[email]
	if !ok || c.Tries >= maxTries || c.ExpiresAt.Unix() <= now.Unix() {
		return nil, user.ErrInvalidCode
	}
	prev := c
	c.Tries++
	s.signIn[email] = c
	return &prev, nil
}
