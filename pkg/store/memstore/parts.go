package memstore

import (
	"slices"

	"github.com/userbase/userbase/pkg/user"
)

func (s *Store) checkCounters(tx *user.Tx) error {
	for _, c := range tx.Limits {
		if s.counters[c.Key] >= c.Max {
			return &user.LimitError{Counter: c}
		}
	}
	return nil
}

func (s *Store) writeCounters(tx *user.Tx) {
	for _, c := range tx.Limits {
		s.counters[c.Key]++
	}
	for _, c := range tx.Hits {
		s.counters[c.Key]++
	}
	for _, c := range tx.Uncount {
		s.counters[c.Key]--
	}
	for _, c := range tx.CreatedHits {
		s.counters[c.Key]++ // no stream here: counted with the user
	}
}

func (s *Store) checkUsers(tx *user.Tx) error {
	taken := func(login, id string) bool {
		if login == "" {
			return false
		}
		if owner, ok := s.logins[login]; ok && owner != id {
			return true
		}
		r, ok := s.reserved[login]
		return ok && r.userID != id && r.until.Unix() > tx.Now.Unix()
	}
	if u := tx.Create; u != nil {
		if _, ok := s.users[u.ID]; ok {
			return user.ErrConflict
		}
		if taken(u.Email, u.ID) {
			return user.ErrEmailTaken
		}
		if taken(u.Phone, u.ID) {
			return user.ErrPhoneTaken
		}
	}
	if sv := tx.Save; sv != nil {
		cur, ok := s.users[sv.Prev.ID]
		if !ok || cur.Version != sv.Prev.Version || !sameWindow(cur.Failures, sv.Prev.Failures) {
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
	return nil
}

func (s *Store) writeUsers(tx *user.Tx) {
	if u := tx.Create; u != nil {
		s.putUser(u)
		if u.SponsorID != "" {
			s.sponsors[u.ID] = u.SponsorID
		}
	}
	if sv := tx.Save; sv != nil {
		s.dropLogins(sv.Prev)
		s.putUser(sv.Next)
		if !sv.ReserveUntil.IsZero() && sv.Prev.Email != sv.Next.Email {
			s.reserved[sv.Prev.Email] = reservation{userID: sv.Prev.ID, until: sv.ReserveUntil}
		}
	}
	if u := tx.Remove; u != nil {
		s.dropLogins(u)
		delete(s.users, u.ID)
	}
}

func (s *Store) checkSessions(tx *user.Tx) error {
	if se := tx.Reauth; se != nil {
		if _, ok := s.sessions[sessionKey(se.UserID, se.ID)]; !ok {
			return user.ErrNotFound
		}
	}
	if se := tx.Stamp; se != nil {
		if _, ok := s.sessions[sessionKey(se.UserID, se.ID)]; !ok {
			return user.ErrNotFound
		}
	}
	for _, se := range tx.Revoke {
		if _, ok := s.sessions[sessionKey(se.UserID, se.ID)]; !ok {
			return user.ErrNotFound
		}
	}
	return nil
}

func (s *Store) writeSessions(tx *user.Tx) {
	for _, se := range tx.Sessions {
		s.sessions[sessionKey(se.UserID, se.ID)] = *se
	}
	if se := tx.Stamp; se != nil {
		k := sessionKey(se.UserID, se.ID)
		cur := s.sessions[k]
		cur.Epoch, cur.ReauthUntil = se.Epoch, se.ReauthUntil
		s.sessions[k] = cur
	}
	if se := tx.Reauth; se != nil {
		k := sessionKey(se.UserID, se.ID)
		cur := s.sessions[k]
		cur.ReauthUntil = se.ReauthUntil
		s.sessions[k] = cur
	}
	for _, se := range tx.Revoke {
		delete(s.sessions, sessionKey(se.UserID, se.ID))
	}
}

func (s *Store) checkCodes(tx *user.Tx) error {
	if c := tx.UseCode; c != nil {
		if cur, ok := s.codes[c.Hash]; !ok || cur.ExpiresAt.Unix() <= tx.Now.Unix() {
			return user.ErrInvalidCode
		}
	}
	return nil
}

func (s *Store) writeCodes(tx *user.Tx) {
	for _, c := range tx.Codes {
		s.codes[c.Hash] = *c
	}
	if c := tx.UseCode; c != nil {
		delete(s.codes, c.Hash)
	}
}

func (s *Store) checkWishes(tx *user.Tx) error {
	for _, w := range tx.Unwish {
		if _, ok := s.wishes[w.UserID+"/"+w.ProductID]; !ok {
			return user.ErrNotFound
		}
	}
	for _, w := range tx.Wishes {
		_, ok := s.wishes[w.UserID+"/"+w.ProductID]
		if ok && w.New {
			return user.ErrConflict
		}
		if !ok && !w.New {
			return user.ErrNotFound
		}
	}
	return nil
}

func (s *Store) writeWishes(tx *user.Tx) {
	for _, w := range tx.Wishes {
		c := *w
		c.Images, c.Categories = slices.Clone(w.Images), slices.Clone(w.Categories)
		s.wishes[w.UserID+"/"+w.ProductID] = c
	}
	for _, w := range tx.Unwish {
		delete(s.wishes, w.UserID+"/"+w.ProductID)
	}
}

func (s *Store) checkMFA(tx *user.Tx) error {
	if t := tx.UseMFAToken; t != nil {
		if cur, ok := s.tokens[t.UserID+"/"+t.Hash]; !ok || cur.ExpiresAt.Unix() <= tx.Now.Unix() {
			return user.ErrInvalidCode
		}
	}
	if m := tx.MFA; m != nil && m.Pending {
		if cur, ok := s.mfa[m.UserID]; ok && !cur.Pending {
			return user.ErrConflict
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
	return nil
}

func (s *Store) writeMFA(tx *user.Tx) {
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
	if m := tx.MFAUse; m != nil && m.UserID != tx.RemoveMFA {
		cur := s.mfa[m.UserID]
		if m.RecoveryHash != "" {
			cur.Recovery = slices.DeleteFunc(slices.Clone(cur.Recovery), func(h string) bool { return h == m.RecoveryHash })
		} else {
			cur.LastStep = m.Step
		}
		s.mfa[m.UserID] = cur
	}
}

func (s *Store) checkAdmins(tx *user.Tx) error {
	if tx.AdminDelta < 0 && s.admins+int64(tx.AdminDelta) < 1 {
		return user.ErrLastAdmin
	}
	return nil
}

func (s *Store) writeAdmins(tx *user.Tx) { s.admins += int64(tx.AdminDelta) }

func (s *Store) checkFailures(tx *user.Tx) error {
	if f := tx.Failure; f != nil {
		cur, ok := s.users[f.User.ID]
		if !ok || !sameWindow(cur.Failures, f.User.Failures) {
			return user.ErrConflict
		}
	}
	if u := tx.ClearFailures; u != nil {
		if _, ok := s.users[u.ID]; !ok {
			return user.ErrConflict
		}
	}
	if f := tx.LoginFailure; f != nil && !sameWindow(s.loginFails[f.Login], f.Prev) {
		return user.ErrConflict
	}
	return nil
}

// sameWindow compares what a failure write is conditioned on, to the second as stored.
func sameWindow(a, b user.Failures) bool {
	return a.Count == b.Count && a.Until.Unix() == b.Until.Unix()
}

func (s *Store) writeFailures(tx *user.Tx) {
	if f := tx.Failure; f != nil {
		cur := s.users[f.User.ID]
		cur.Failures = f.Next
		s.users[cur.ID] = cur
	}
	if u := tx.ClearFailures; u != nil {
		cur := s.users[u.ID]
		cur.Failures = user.Failures{}
		s.users[cur.ID] = cur
	}
	if f := tx.LoginFailure; f != nil {
		s.loginFails[f.Login] = f.Next
	}
}

// writeLog appends the mails to the outbox and the events to their user's log.
func (s *Store) writeLog(tx *user.Tx) {
	for _, m := range tx.Mails {
		s.Outbox = append(s.Outbox, *m)
	}
	for _, e := range tx.Events {
		s.events[e.UserID] = append(s.events[e.UserID], *e)
	}
	if e := tx.Created; e != nil {
		// No stream here: the creation event is written with the user.
		s.events[e.UserID] = append(s.events[e.UserID], *e)
	}
}
