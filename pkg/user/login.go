package user

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
)

// LoginInput is a sign-in attempt.
type LoginInput struct {
	Login    string
	Password string
	Client   Client
}

// Login checks a password and starts a session: one read (the account with its failure
// state, and the source address's failure count), one write.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Auth, error) {
	return s.login(ctx, in, false)
}

// AdminLogin is Login for admins only; every other account fails as a wrong password does.
func (s *Service) AdminLogin(ctx context.Context, in LoginInput) (*Auth, error) {
	return s.login(ctx, in, true)
}

func (s *Service) login(ctx context.Context, in LoginInput, adminOnly bool) (*Auth, error) {
	var errs apperr.Fields
	if strings.TrimSpace(in.Login) == "" {
		errs.Add("login", apperr.FieldRequired)
	}
	if in.Password == "" {
		errs.Add("password", apperr.FieldRequired)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	password := auth.NormalizePassword(in.Password)
	ip := s.ipFailures(in.Client.IP, now)
	key, _ := NormalizeLogin(in.Login) // "" for what is no login: only the counter is read
	u, ipCount, err := s.store.LoginView(ctx, key, ip.Key)
	if err != nil {
		return nil, err
	}
	if ipCount >= ip.Max {
		return nil, apperr.Limited(ip.ExpiresAt.Sub(now))
	}
	if u == nil {
		// Spend the time a real check takes, so timing does not tell whether the account
		// exists; count the failure against the address.
		s.hasher.Burn(password)
		if err := s.store.Hit(ctx, ip); err != nil {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	// A lock holds whatever the password: checking it first means a correct guess during
	// the lock reveals nothing.
	if u.LockedUntil.After(now) {
		return nil, s.locked(u, now)
	}
	ok, rehash, err := s.hasher.Verify(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("verify password of %s: %w", u.ID, err)
	}
	if !ok {
		return nil, s.failLogin(ctx, u, in.Client, ip, now, "wrong_password")
	}
	if !u.Active {
		return nil, apperr.New(apperr.AccountDisabled)
	}
	if adminOnly && u.Role != RoleAdmin {
		return nil, ErrInvalidCredentials
	}
	if u.MFAEnabled {
		return nil, s.startMFA(ctx, u, in.Client, now)
	}
	tx := &Tx{Now: now}
	if rehash {
		if h, err := s.hasher.Hash(password); err == nil {
			next := *u
			next.PasswordHash, next.Version = h, u.Version+1
			clearFailures(&next)
			tx.Save = &Save{Next: &next, Prev: u}
		}
	}
	a, err := s.signIn(ctx, u, tx, in.Client)
	if errors.Is(err, ErrConflict) && tx.Save != nil {
		// The user changed meanwhile; the hash upgrade can wait for the next sign-in.
		a, err = s.signIn(ctx, u, &Tx{Now: now}, in.Client)
	}
	return a, err
}

// signIn starts a session for u in tx's write, with the sign-in event, clearing any
// failure state.
func (s *Service) signIn(ctx context.Context, u *User, tx *Tx, c Client) (*Auth, error) {
	a, sess, err := s.newSession(u, tx.Now, c)
	if err != nil {
		return nil, err
	}
	tx.Sessions = append(tx.Sessions, sess)
	ev, err := s.event(u.ID, EventLoginSucceeded, tx.Now, c, map[string]string{"session_id": sess.ID})
	if err != nil {
		return nil, err
	}
	tx.Events = append(tx.Events, ev)
	if tx.Save == nil && hasFailures(u) {
		tx.ClearFailures = u
	}
	if err := s.store.Apply(ctx, tx); err != nil {
		return nil, err
	}
	if tx.Save != nil {
		a.User = tx.Save.Next
	}
	clearFailures(a.User)
	return a, nil
}

func hasFailures(u *User) bool { return u.FailCount > 0 || u.LockLevel > 0 || !u.LockedUntil.IsZero() }

func clearFailures(u *User) {
	u.FailCount, u.FailUntil, u.LockedUntil, u.LockLevel = 0, time.Time{}, time.Time{}, 0
}

// ipFailures is the counter of failed sign-ins from one address in the current window.
func (s *Service) ipFailures(ip string, now time.Time) Counter {
	w := now.Truncate(s.opts.Throttle.Window)
	return Counter{Key: fmt.Sprintf("loginip#%s#%d", ip, w.Unix()), Max: int64(s.opts.Throttle.MaxIPFailures),
		ExpiresAt: w.Add(s.opts.Throttle.Window)}
}

// locked is the answer while u is locked out.
func (s *Service) locked(u *User, now time.Time) error {
	return apperr.Limited(u.LockedUntil.Sub(now))
}

// failLogin counts a failed sign-in of u — a wrong password or second factor — and locks
// the account once the window holds too many. Concurrent failures each count: a write
// that finds the state changed re-reads it and tries again.
func (s *Service) failLogin(ctx context.Context, u *User, c Client, ip Counter, now time.Time, reason string) error {
	t := s.opts.Throttle
	for attempt := 0; ; attempt++ {
		f := &Failure{User: u, Count: u.FailCount + 1, Until: u.FailUntil, LockLevel: u.LockLevel}
		if !u.FailUntil.After(now) {
			f.Count, f.Until = 1, now.Add(t.Window)
		}
		failed, err := s.event(u.ID, EventLoginFailed, now, c, map[string]string{"reason": reason})
		if err != nil {
			return err
		}
		tx := &Tx{Now: now, Failure: f, Hits: []Counter{ip}, Events: []*Event{failed}}
		if f.Count >= int64(t.MaxFailures) {
			lock := t.Lock << min(u.LockLevel, 20)
			if lock > t.LockMax || lock <= 0 {
				lock = t.LockMax
			}
			f.Count, f.Until, f.LockedUntil, f.LockLevel = 0, now, now.Add(lock), u.LockLevel+1
			ev, err := s.event(u.ID, EventLocked, now, c, map[string]string{"until": f.LockedUntil.Format(time.RFC3339)})
			if err != nil {
				return err
			}
			tx.Events = append(tx.Events, ev)
		}
		err = s.store.Apply(ctx, tx)
		switch {
		case err == nil:
			return ErrInvalidCredentials
		case !errors.Is(err, ErrConflict):
			return err
		case attempt >= 20:
			// Too many concurrent failures to count this one too; they locked or will lock
			// the account without it. The answer stays what a wrong password gets.
			return ErrInvalidCredentials
		}
		// Another failure won the race: wait a little, then count this one on top of it.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(10<<min(attempt, 4))) * time.Millisecond):
		}
		cur, err := s.store.User(ctx, u.ID)
		if err != nil {
			return err
		}
		if cur.LockedUntil.After(now) {
			return s.locked(cur, now)
		}
		u = cur
	}
}

// startMFA answers a correct password of an MFA account: a single-use token, valid a few
// minutes, that POST /v1/auth/mfa exchanges with a code for a session.
func (s *Service) startMFA(ctx context.Context, u *User, c Client, now time.Time) error {
	code, _, err := auth.NewCode()
	if err != nil {
		return err
	}
	token := u.ID + "." + code
	t := &MFAToken{UserID: u.ID, Hash: auth.HashSecret(token), ExpiresAt: now.Add(s.opts.MFATokenTTL),
		IP: truncate(c.IP, 64), UserAgent: truncate(c.UserAgent, 512)}
	if err := s.store.Apply(ctx, &Tx{Now: now, MFAToken: t}); err != nil {
		return err
	}
	return &apperr.Error{Code: apperr.MFARequired, Extra: map[string]any{"mfa_token": token}}
}

// CompleteMFA finishes a sign-in with the token of a correct password and a TOTP or
// recovery code: one read, one write.
func (s *Service) CompleteMFA(ctx context.Context, token, code string, c Client) (*Auth, error) {
	var errs apperr.Fields
	if token == "" {
		errs.Add("mfa_token", apperr.FieldRequired)
	}
	if strings.TrimSpace(code) == "" {
		errs.Add("code", apperr.FieldRequired)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	uid, ok := splitCode(token)
	if !ok {
		return nil, ErrInvalidCredentials
	}
	now := s.now().UTC()
	hash := auth.HashSecret(token)
	u, m, t, err := s.store.MFAUser(ctx, uid, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	if t == nil || !t.ExpiresAt.After(now) || m == nil || m.Pending || !u.Active {
		return nil, ErrInvalidCredentials
	}
	if u.LockedUntil.After(now) {
		return nil, s.locked(u, now)
	}
	use, ok := mfaUse(m, code, now)
	if !ok {
		if err := s.failLogin(ctx, u, c, s.ipFailures(c.IP, now), now, "wrong_mfa_code"); !errors.Is(err, ErrInvalidCredentials) {
			return nil, err
		}
		return nil, ErrInvalidCode
	}
	a, err := s.signIn(ctx, u, &Tx{Now: now, UseMFAToken: t, MFAUse: use}, c)
	if errors.Is(err, ErrInvalidCode) {
		// The token or the code was spent by a concurrent request.
		return nil, ErrInvalidCode
	}
	return a, err
}

// mfaUse checks a code against an enrollment: six digits are a TOTP code, anything else a
// recovery code.
func mfaUse(m *MFA, code string, now time.Time) (*MFAUse, bool) {
	code = strings.TrimSpace(code)
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		step, ok := auth.VerifyTOTP(m.Secret, code, now, m.LastStep)
		return &MFAUse{UserID: m.UserID, Step: step}, ok
	}
	n := auth.NormalizeRecoveryCode(code)
	if n == "" {
		return nil, false
	}
	h := auth.HashSecret(n)
	for _, r := range m.Recovery {
		if auth.SameHash(r, h) {
			return &MFAUse{UserID: m.UserID, RecoveryHash: h}, true
		}
	}
	return nil, false
}

// event makes a security event.
func (s *Service) event(userID, typ string, now time.Time, c Client, detail map[string]string) (*Event, error) {
	id, err := auth.NewID()
	if err != nil {
		return nil, err
	}
	return &Event{ID: id, UserID: userID, Type: typ, At: now, IP: truncate(c.IP, 64),
		UserAgent: truncate(c.UserAgent, 512), Detail: detail}, nil
}

// splitCode reads the user id off a "<user id>.<secret>" code or token.
func splitCode(code string) (userID string, ok bool) {
	uid, secret, found := strings.Cut(strings.TrimSpace(code), ".")
	if !found || !auth.ValidID(uid) || !auth.ValidCode(secret) {
		return "", false
	}
	return uid, true
}
