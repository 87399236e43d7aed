package user

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
)

// Enrollment is a TOTP secret waiting for its first code.
type Enrollment struct {
	Secret     string
	OTPAuthURL string
}

// ErrMFAOn is a TOTP enrollment asked for while one is in force: turn it off first.
var ErrMFAOn = &apperr.Error{Code: apperr.Conflict, Detail: "mfa_enabled"}

// errNoSecrets is a TOTP use with no way to seal or open its secret: a wiring mistake.
var errNoSecrets = errors.New("user: no Secrets configured for TOTP")

// totpAAD binds a sealed TOTP secret to its user, so a sealed secret copied onto another
// user's enrollment does not open.
func totpAAD(userID string) string { return "totp:" + userID }

// BeginTOTP starts (or restarts) TOTP enrollment: a new secret, not in force until a code
// from it confirms it. Turning a second factor on is a sensitive change: it needs a
// re-authenticated session.
func (s *Service) BeginTOTP(ctx context.Context, p *Principal) (*Enrollment, error) {
	if _, err := s.reauthenticated(ctx, p, "", "", Client{}); err != nil {
		return nil, err
	}
	if p.User.MFAEnabled {
		return nil, ErrMFAOn
	}
	if s.opts.Secrets == nil {
		return nil, errNoSecrets
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := s.opts.Secrets.Seal(ctx, []byte(secret), totpAAD(p.User.ID))
	if err != nil {
		return nil, err
	}
	m := &MFA{UserID: p.User.ID, SealedSecret: sealed, Pending: true}
	if err := s.store.Apply(ctx, &Tx{Now: s.now().UTC(), MFA: m}); errors.Is(err, ErrConflict) {
		return nil, ErrMFAOn // turned on by another request since this one read the account
	} else if err != nil {
		return nil, err
	}
	return &Enrollment{Secret: secret, OTPAuthURL: auth.TOTPURL(s.opts.Issuer, p.User.Email, secret)}, nil
}

// totpSecret opens the sealed secret of an enrollment.
func (s *Service) totpSecret(ctx context.Context, m *MFA) (string, error) {
	if s.opts.Secrets == nil {
		return "", errNoSecrets
	}
	b, err := s.opts.Secrets.Open(ctx, m.SealedSecret, totpAAD(m.UserID))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ConfirmTOTP turns MFA on with a code from the pending secret and returns ten recovery
// codes, shown this once; only their salted hashes are kept. Every other session of the
// user ends: whoever else held one signed in without the second factor.
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string, c Client) ([]string, error) {
	if code == "" {
		return nil, apperr.Invalid(apperr.Field("code", apperr.FieldRequired))
	}
	// The write is conditioned on the account read: a change made meanwhile (a profile
	// update, a failed sign-in) is read again, not answered with 409.
	var codes []string
	err := optimistic(ctx, func(attempt int) error {
		var err error
		codes, err = s.confirmTOTP(ctx, p, code, attempt, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// confirmTOTP is one attempt of ConfirmTOTP; a retry needs the caller's session still live.
func (s *Service) confirmTOTP(ctx context.Context, p *Principal, code string, attempt int, c Client) ([]string, error) {
	u, m, _, err := s.store.MFAUser(ctx, p.User.ID, "")
	if err != nil {
		return nil, err
	}
	if attempt > 0 && !stillLive(p, u) {
		return nil, ErrUnauthenticated
	}
	if u.MFAEnabled {
		return nil, ErrMFAOn
	}
	now := s.now().UTC()
	if m == nil || !m.Pending {
		return nil, ErrInvalidCode
	}
	secret, err := s.totpSecret(ctx, m)
	if err != nil {
		return nil, err
	}
	step, ok := auth.VerifyTOTP(secret, code, now, m.LastStep)
	if !ok {
		return nil, ErrInvalidCode
	}
	salt, err := auth.NewRecoverySalt()
	if err != nil {
		return nil, err
	}
	codes, hashes, err := auth.NewRecoveryCodes(salt)
	if err != nil {
		return nil, err
	}
	next := *u
	next.MFAEnabled, next.Version, next.UpdatedAt, next.SessionEpoch = true, u.Version+1, now, u.SessionEpoch+1
	stamp := *p.Session
	stamp.Epoch = next.SessionEpoch
	evs, notice, err := s.securityChange(u, EventMFAEnabled, mail.KindMFAEnabled, now, c, nil)
	if err != nil {
		return nil, err
	}
	err = s.store.Apply(ctx, &Tx{Now: now, Save: &Save{Next: &next, Prev: u}, Stamp: &stamp,
		MFA:    &MFA{UserID: u.ID, SealedSecret: m.SealedSecret, LastStep: step, Recovery: hashes, RecoverySalt: salt},
		Events: evs, Mails: notice})
	if err != nil {
		return nil, sessionEnded(err)
	}
	return codes, nil
}

// DisableTOTP turns MFA off with a TOTP or recovery code, in a re-authenticated session or
// with the password. A wrong code counts toward the sign-in lock, and the code is spent.
func (s *Service) DisableTOTP(ctx context.Context, p *Principal, password, code string, c Client) error {
	if strings.TrimSpace(code) == "" {
		return apperr.Invalid(apperr.Field("code", apperr.FieldRequired))
	}
	if _, err := s.reauthenticated(ctx, p, password, "password", c); err != nil {
		return err
	}
	// The write is conditioned on the account read: a change made meanwhile (a profile
	// update, a failed sign-in) is read again, not answered with 409.
	return optimistic(ctx, func(attempt int) error {
		u, m, _, err := s.store.MFAUser(ctx, p.User.ID, "")
		if errors.Is(err, ErrNotFound) {
			return ErrUnauthenticated
		}
		if err != nil {
			return err
		}
		if attempt > 0 && !stillLive(p, u) {
			return ErrUnauthenticated
		}
		now := s.now().UTC()
		if !u.MFAEnabled || m == nil || m.Pending {
			return ErrInvalidCode
		}
		use, err := s.secondFactor(ctx, u, m, code, c, now)
		if err != nil {
			return err
		}
		next := *u
		next.MFAEnabled, next.Version, next.UpdatedAt = false, u.Version+1, now
		evs, notice, err := s.securityChange(u, EventMFADisabled, mail.KindMFADisabled, now, c, nil)
		if err != nil {
			return err
		}
		tx := &Tx{Now: now, Save: &Save{Next: &next, Prev: u}, RemoveMFA: u.ID, MFAUse: use,
			Events: evs, Mails: notice}
		if password != "" { // both factors were proved: the password above, the code here
			tx.Reauth = s.reopened(p, now)
		}
		return sessionEnded(s.store.Apply(ctx, tx))
	})
}

// secondFactor checks a TOTP or recovery code of u's enrollment m. A wrong code counts as a
// failed sign-in of u; a right one is returned as the use to spend in the same write. While
// u is locked out no code is tried, right or wrong, wherever it is asked for: else a window
// already open would let codes be guessed past the lock.
func (s *Service) secondFactor(ctx context.Context, u *User, m *MFA, code string, c Client, now time.Time) (*MFAUse, error) {
	if u.Failures.LockedUntil.After(now) {
		return nil, locked(u.Failures, now)
	}
	secret, err := s.totpSecret(ctx, m)
	if err != nil {
		return nil, err
	}
	use, ok := mfaUse(m, secret, code, now)
	if ok {
		return use, nil
	}
	if err := s.failLogin(ctx, u, c, s.ipFailures(c.IP, now), now, "wrong_mfa_code"); !errors.Is(err, ErrInvalidCredentials) {
		return nil, err
	}
	return nil, ErrInvalidCode
}

// mfaUse checks a code against an enrollment whose secret is open: six digits are a TOTP
// code, anything else a recovery code.
func mfaUse(m *MFA, secret, code string, now time.Time) (*MFAUse, bool) {
	code = strings.TrimSpace(code)
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		step, ok := auth.VerifyTOTP(secret, code, now, m.LastStep)
		return &MFAUse{UserID: m.UserID, Step: step}, ok
	}
	n := auth.NormalizeRecoveryCode(code)
	if n == "" {
		return nil, false
	}
	h := auth.HashRecoveryCode(m.RecoverySalt, n)
	for _, r := range m.Recovery {
		if auth.SameHash(r, h) {
			return &MFAUse{UserID: m.UserID, RecoveryHash: h}, true
		}
	}
	return nil, false
}
