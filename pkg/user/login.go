package user

import (
	"context"
	"errors"
	"fmt"
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

// ErrPasswordExpired is a correct admin-generated password past its lifetime.
var ErrPasswordExpired = apperr.New(apperr.PasswordExpired)

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
	st, err := s.store.LoginView(ctx, key, ip.Key)
	if err != nil {
		return nil, err
	}
	if st.Count >= ip.Max {
		return nil, limited(ip.ExpiresAt.Sub(now))
	}
	u := st.User
	if u == nil {
		// Spend the time a real check takes, and count the failure against the login just
		// as an account's would be counted, so neither timing nor the lock tells whether
		// the account exists.
		s.hasher.Burn(password)
		return nil, s.failUnknown(ctx, key, st.Failures, ip, now)
	}
	// A lock holds whatever the password: checking it first means a correct guess during
	// the lock reveals nothing. The hash is still spent, so a locked account answers no
	// faster than an open one.
	if u.Failures.LockedUntil.After(now) {
		s.hasher.Burn(password)
		return nil, locked(u.Failures, now)
	}
	ok, rehash, err := s.hasher.Verify(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("verify password of %s: %w", u.ID, err)
	}
	if !ok {
		return nil, s.failLogin(ctx, u, in.Client, ip, now, "wrong_password")
	}
	// The role first: the admin route tells a member nothing more than a wrong password
	// does, not even that the account is disabled.
	if adminOnly && u.Role != RoleAdmin {
		return nil, ErrInvalidCredentials
	}
	if !u.Active {
		return nil, apperr.New(apperr.AccountDisabled)
	}
	if !u.PasswordExpiresAt.IsZero() && !now.Before(u.PasswordExpiresAt) {
		return nil, ErrPasswordExpired
	}
	if u.MFAEnabled {
		return nil, s.startMFA(ctx, u, in.Client, now, MethodPassword)
	}
	tx := &Tx{Now: now}
	if rehash {
		if h, err := s.hasher.Hash(password); err == nil {
			next := *u
			next.PasswordHash, next.Version, next.Failures = h, u.Version+1, Failures{}
			tx.Save = &Save{Next: &next, Prev: u}
		}
	}
	a, err := s.signIn(ctx, u, tx, in.Client, MethodPassword)
	if errors.Is(err, ErrConflict) && tx.Save != nil {
		// The user changed meanwhile; the hash upgrade can wait for the next sign-in.
		a, err = s.signIn(ctx, u, &Tx{Now: now}, in.Client, MethodPassword)
	}
	return a, err
}

// signIn starts a session for u in tx's write, signed in by methods, with the sign-in
// event, clearing any failure state.
func (s *Service) signIn(ctx context.Context, u *User, tx *Tx, c Client, methods ...string) (*Auth, error) {
	a, sess, err := s.newSession(u, tx.Now, c, methods...)
	if err != nil {
		return nil, err
	}
	// Minted before the write: a token that cannot be signed leaves no session behind.
	if a.Access, err = s.mint(ctx, u, sess); err != nil {
		return nil, err
	}
	tx.Sessions = append(tx.Sessions, sess)
	ev, err := s.event(u.ID, EventLoginSucceeded, tx.Now, c, map[string]string{
		"session_id": sess.ID, "method": strings.Join(methods, "+")})
	if err != nil {
		return nil, err
	}
	tx.Events = append(tx.Events, ev)
	if tx.Save == nil && u.Failures != (Failures{}) {
		tx.ClearFailures = u
	}
	if err := s.store.Apply(ctx, tx); err != nil {
		return nil, err
	}
	if tx.Save != nil {
		a.User = tx.Save.Next
	}
	a.User.Failures = Failures{}
	return a, nil
}

// locked is the answer while a login is locked out.
func locked(f Failures, now time.Time) error {
	return limited(f.LockedUntil.Sub(now))
}

// nextFailure is f after one more failure at now: counted in the current window, and
// locked once the window holds too many, each lock in a row twice as long as the last, up
// to the longest.
func (s *Service) nextFailure(f Failures, now time.Time) (next Failures, lockedNow bool) {
	t := s.opts.Throttle
	next = Failures{Count: f.Count + 1, Until: f.Until, LockLevel: f.LockLevel}
	if !f.Until.After(now) {
		next.Count, next.Until = 1, now.Add(t.Window)
	}
	if next.Count < int64(t.MaxFailures) {
		return next, false
	}
	lock := t.Lock << min(f.LockLevel, 20)
	if lock > t.LockMax || lock <= 0 {
		lock = t.LockMax
	}
	return Failures{Until: now, LockedUntil: now.Add(lock), LockLevel: f.LockLevel + 1}, true
}

// failLogin counts a failed proof of u — a wrong password or second factor, at sign-in or
// at re-authentication — and locks the account once the window holds too many.
// Concurrent failures each count: a write that finds the state changed re-reads it and
// tries again.
func (s *Service) failLogin(ctx context.Context, u *User, c Client, ip Counter, now time.Time, reason string) error {
	err := optimistic(ctx, func(attempt int) error {
		if attempt > 0 {
			cur, err := s.store.User(ctx, u.ID)
			if err != nil {
				return err
			}
			if cur.Failures.LockedUntil.After(now) {
				return locked(cur.Failures, now)
			}
			u = cur
		}
		next, lockedNow := s.nextFailure(u.Failures, now)
		failed, err := s.event(u.ID, EventLoginFailed, now, c, map[string]string{"reason": reason})
		if err != nil {
			return err
		}
		tx := &Tx{Now: now, Failure: &Failure{User: u, Next: next}, Hits: []Counter{ip}, Events: []*Event{failed}}
		if lockedNow {
			ev, err := s.event(u.ID, EventLocked, now, c, map[string]string{"until": next.LockedUntil.Format(time.RFC3339)})
			if err != nil {
				return err
			}
			tx.Events = append(tx.Events, ev)
		}
		return s.store.Apply(ctx, tx)
	})
	if err == nil || errors.Is(err, ErrConflict) {
		// Too many concurrent failures to count this one too; they locked or will lock
		// the account without it. The answer stays what a wrong password gets.
		return ErrInvalidCredentials
	}
	return err
}

// failUnknown counts a failed sign-in for a login that names no account exactly as
// failLogin counts one of an account, on an item of the login's own.
func (s *Service) failUnknown(ctx context.Context, login string, f Failures, ip Counter, now time.Time) error {
	if login == "" {
		// Not even the shape of a login: only the source address is counted.
		if err := s.store.Hit(ctx, ip); err != nil {
			return err
		}
		return ErrInvalidCredentials
	}
	if f.LockedUntil.After(now) {
		return locked(f, now)
	}
	err := optimistic(ctx, func(attempt int) error {
		if attempt > 0 {
			st, err := s.store.LoginView(ctx, login, ip.Key)
			if err != nil {
				return err
			}
			if st.User != nil {
				return nil // the login names an account now; this failure need not count
			}
			if st.Failures.LockedUntil.After(now) {
				return locked(st.Failures, now)
			}
			f = st.Failures
		}
		next, _ := s.nextFailure(f, now)
		return s.store.Apply(ctx, &Tx{Now: now, Hits: []Counter{ip}, LoginFailure: &LoginFailure{
			Login: login, Prev: f, Next: next, ExpiresAt: now.Add(s.opts.Throttle.LockMax + s.opts.Throttle.Window)}})
	})
	if err == nil || errors.Is(err, ErrConflict) {
		return ErrInvalidCredentials
	}
	return err
}

// startMFA answers a correct first factor (method) of an MFA account: a single-use token,
// valid a few minutes, that POST /v1/auth/mfa exchanges with a code for a session.
func (s *Service) startMFA(ctx context.Context, u *User, c Client, now time.Time, method string) error {
	return s.startMFAIn(ctx, u, &Tx{Now: now}, c, method)
}

// startMFAIn is startMFA writing the token in tx's write, with what else tx spends (the
// first factor's code).
func (s *Service) startMFAIn(ctx context.Context, u *User, tx *Tx, c Client, method string) error {
	code, _, err := auth.NewCode()
	if err != nil {
		return err
	}
	token := u.ID + "." + code
	tx.MFAToken = &MFAToken{UserID: u.ID, Hash: auth.HashSecret(token), ExpiresAt: tx.Now.Add(s.opts.MFATokenTTL),
		IP: truncate(c.IP, 64), UserAgent: truncate(c.UserAgent, 512), Method: method}
	if err := s.store.Apply(ctx, tx); err != nil {
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
	if t == nil || !t.ExpiresAt.After(now) || m == nil || m.Pending {
		return nil, ErrInvalidCredentials
	}
	use, err := s.secondFactor(ctx, u, m, code, c, now)
	if err != nil {
		return nil, err
	}
	if !u.Active {
		// Disabled since the password step: told only to who holds both factors, as at
		// every other sign-in.
		return nil, apperr.New(apperr.AccountDisabled)
	}
	first := t.Method
	if first == "" {
		first = MethodPassword
	}
	a, err := s.signIn(ctx, u, &Tx{Now: now, UseMFAToken: t, MFAUse: use}, c, first, MethodOTP)
	if errors.Is(err, ErrInvalidCode) {
		// The token or the code was spent by a concurrent request.
		return nil, ErrInvalidCode
	}
	return a, err
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
