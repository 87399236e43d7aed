package user

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
)

// ErrReauthRequired is a sensitive change asked for without a fresh proof of identity.
var ErrReauthRequired = apperr.New(apperr.ReauthenticationRequired)

// ReauthInput is a proof of identity: the password, and a TOTP or recovery code when MFA
// is on; or instead a passkey of the user's answering a sign-in challenge.
type ReauthInput struct {
	Password string
	Code     string
	Passkey  PasskeyInput
}

// Reauthenticate checks a signed-in user's password (and second factor) and opens the
// session's re-authentication window. Signing in never opens it: a token stolen right after
// a sign-in must not be enough for a sensitive change. Wrong proofs count toward the
// sign-in lock.
func (s *Service) Reauthenticate(ctx context.Context, p *Principal, in ReauthInput, c Client) (time.Time, error) {
	var errs apperr.Fields
	if in.Passkey.ChallengeID != "" || len(in.Passkey.Credential) > 0 {
		// A passkey asserted with user verification is a proof on its own, as at sign-in.
		in.Passkey.check(&errs)
		if in.Password != "" {
			errs.Add("password", apperr.FieldExclusive)
		}
		if in.Code != "" {
			errs.Add("code", apperr.FieldExclusive)
		}
		if err := errs.Err(); err != nil {
			return time.Time{}, err
		}
		return s.reauthenticateWithPasskey(ctx, p, in.Passkey, c)
	}
	if in.Password == "" {
		errs.Add("password", apperr.FieldRequired)
	}
	if p.User.MFAEnabled && strings.TrimSpace(in.Code) == "" {
		errs.Add("code", apperr.FieldRequired)
	}
	if err := errs.Err(); err != nil {
		return time.Time{}, err
	}
	if err := s.checkPassword(ctx, p.User, in.Password, "password", c); err != nil {
		return time.Time{}, err
	}
	var use *MFAUse
	method := MethodPassword
	if p.User.MFAEnabled {
		method += "+" + MethodOTP // as a sign-in with both records it
		u, m, _, err := s.store.MFAUser(ctx, p.User.ID, "")
		if err != nil {
			return time.Time{}, err
		}
		if m == nil || m.Pending {
			return time.Time{}, ErrInvalidCode
		}
		if use, err = s.secondFactor(ctx, u, m, in.Code, c, s.now().UTC()); err != nil {
			return time.Time{}, err
		}
	}
	return s.openWindow(ctx, p, use, c, method)
}

// openWindow writes the session's re-authentication window, spending use if any.
func (s *Service) openWindow(ctx context.Context, p *Principal, use *MFAUse, c Client, method string) (time.Time, error) {
	return s.openWindowIn(ctx, p, &Tx{Now: s.now().UTC(), MFAUse: use}, c, method)
}

// openWindowIn writes the session's re-authentication window in tx's write, with what
// else tx spends.
func (s *Service) openWindowIn(ctx context.Context, p *Principal, tx *Tx, c Client, method string) (time.Time, error) {
	now := tx.Now
	se := *p.Session
	se.ReauthUntil = now.Add(s.opts.ReauthWindow)
	ev, err := s.event(p.User.ID, EventReauthenticated, now, c, map[string]string{"method": method, "session_id": se.ID})
	if err != nil {
		return time.Time{}, err
	}
	tx.Reauth, tx.Events = &se, append(tx.Events, ev)
	err = s.store.Apply(ctx, tx)
	switch {
	case errors.Is(err, ErrNotFound):
		return time.Time{}, ErrUnauthenticated // the session ended meanwhile
	case err != nil:
		return time.Time{}, err
	}
	p.Session.ReauthUntil = se.ReauthUntil
	return se.ReauthUntil, nil
}

// reauthenticated lets a sensitive change go ahead: with a password in the request, once it
// is checked; else only inside the session's re-authentication window. proved says the
// caller opens the window in its own write: not when MFA is on, since a window good for
// other requests needs the second factor too, as POST /v1/auth/reauthenticate asks; a
// stolen token and a phished password must not add a passkey that signs in without it.
func (s *Service) reauthenticated(ctx context.Context, p *Principal, password, field string, c Client) (proved bool, err error) {
	if password != "" {
		if err := s.checkPassword(ctx, p.User, password, field, c); err != nil {
			return false, err
		}
		return !p.User.MFAEnabled, nil
	}
	if p.Session != nil && p.Session.ReauthUntil.After(s.now()) {
		return false, nil
	}
	return false, ErrReauthRequired
}

// reopened is the caller's session with its re-authentication window opened at now, for a
// change whose request carried the proof.
func (s *Service) reopened(p *Principal, now time.Time) *Session {
	se := *p.Session
	se.ReauthUntil = now.Add(s.opts.ReauthWindow)
	return &se
}
