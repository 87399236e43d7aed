package user

import (
	"context"
	"errors"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
)

// Enrollment is a TOTP secret waiting for its first code.
type Enrollment struct {
	Secret     string
	OTPAuthURL string
}

// BeginTOTP starts (or restarts) TOTP enrollment: a new secret, not in force until a code
// from it confirms it.
func (s *Service) BeginTOTP(ctx context.Context, p *Principal) (*Enrollment, error) {
	if p.User.MFAEnabled {
		return nil, apperr.New(apperr.Conflict)
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		return nil, err
	}
	m := &MFA{UserID: p.User.ID, Secret: secret, Pending: true}
	if err := s.store.Apply(ctx, &Tx{Now: s.now().UTC(), MFA: m}); err != nil {
		return nil, err
	}
	return &Enrollment{Secret: secret, OTPAuthURL: auth.TOTPURL(s.opts.Issuer, p.User.Email, secret)}, nil
}

// ConfirmTOTP turns MFA on with a code from the pending secret and returns ten recovery
// codes, shown this once; only their hashes are kept.
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string, c Client) ([]string, error) {
	if code == "" {
		return nil, apperr.Invalid(apperr.Field("code", apperr.FieldRequired))
	}
	u, m, _, err := s.store.MFAUser(ctx, p.User.ID, "")
	if err != nil {
		return nil, err
	}
	if u.MFAEnabled {
		return nil, apperr.New(apperr.Conflict)
	}
	now := s.now().UTC()
	if m == nil || !m.Pending {
		return nil, ErrInvalidCode
	}
	step, ok := auth.VerifyTOTP(m.Secret, code, now, m.LastStep)
	if !ok {
		return nil, ErrInvalidCode
	}
	codes, hashes, err := auth.NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	next := *u
	next.MFAEnabled, next.Version, next.UpdatedAt = true, u.Version+1, now
	ev, err := s.event(u.ID, EventMFAEnabled, now, c, nil)
	if err != nil {
		return nil, err
	}
	n, err := s.notice(u, mail.KindMFAEnabled, u.Email, now)
	if err != nil {
		return nil, err
	}
	err = s.store.Apply(ctx, &Tx{Now: now, Save: &Save{Next: &next, Prev: u},
		MFA:    &MFA{UserID: u.ID, Secret: m.Secret, LastStep: step, Recovery: hashes},
		Events: []*Event{ev}, Mails: []*mail.Mail{n}})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns MFA off, with the password and a TOTP or recovery code.
func (s *Service) DisableTOTP(ctx context.Context, p *Principal, password, code string, c Client) error {
	var errs apperr.Fields
	if password == "" {
		errs.Add("password", apperr.FieldRequired)
	}
	if code == "" {
		errs.Add("code", apperr.FieldRequired)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, p.User, password, "password", c); err != nil {
		return err
	}
	u, m, _, err := s.store.MFAUser(ctx, p.User.ID, "")
	if errors.Is(err, ErrNotFound) {
		return ErrUnauthenticated
	}
	if err != nil {
		return err
	}
	now := s.now().UTC()
	if !u.MFAEnabled || m == nil || m.Pending {
		return ErrInvalidCode
	}
	if _, ok := mfaUse(m, code, now); !ok {
		return ErrInvalidCode
	}
	next := *u
	next.MFAEnabled, next.Version, next.UpdatedAt = false, u.Version+1, now
	ev, err := s.event(u.ID, EventMFADisabled, now, c, nil)
	if err != nil {
		return err
	}
	n, err := s.notice(u, mail.KindMFADisabled, u.Email, now)
	if err != nil {
		return err
	}
	return s.store.Apply(ctx, &Tx{Now: now, Save: &Save{Next: &next, Prev: u}, RemoveMFA: u.ID,
		Events: []*Event{ev}, Mails: []*mail.Mail{n}})
}
