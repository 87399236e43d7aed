package user

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
)

// ForgotInput asks for a password reset mail.
type ForgotInput struct {
	Email           string // the account's email, or a phone it signs in with
	ConfirmationURL string
	Client          Client
}

// ForgotPassword mails a reset link or code to the account's address. It answers the same,
// after the same work, whether or not the account exists: one read, then one write — the
// code and mail for a known account, only the per-address counter for an unknown one — so
// neither the answer nor its timing tells who has an account.
func (s *Service) ForgotPassword(ctx context.Context, in ForgotInput) error {
	var errs apperr.Fields
	key := ""
	if strings.TrimSpace(in.Email) == "" {
		errs.Add("email", apperr.FieldRequired)
	} else if k, ok := NormalizeLogin(in.Email); ok {
		key = k
	} else {
		errs.Add("email", apperr.FieldInvalidEmail)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	link, err := s.linkTemplate(in.ConfirmationURL, s.opts.DefaultResetURL)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	limit := s.mailLimit(mail.KindResetPassword, key, now)
	u, err := s.store.Account(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	tx := &Tx{Now: now, Limit: &limit}
	if u != nil && u.Active {
		code, m, err := s.codeMail(u, CodeResetPassword, mail.KindResetPassword, u.Email, link, s.opts.ResetTTL, now)
		if err != nil {
			return err
		}
		tx.Code, tx.Mails = code, []*mail.Mail{m}
	}
	if err := s.store.Apply(ctx, tx); errors.Is(err, ErrLimited) {
		return apperr.Limited(limit.ExpiresAt.Sub(now))
	} else if err != nil {
		return err
	}
	return nil
}

// mailLimit is the hourly counter of one kind of mail to one address.
func (s *Service) mailLimit(kind, address string, now time.Time) Counter {
	w := now.Truncate(time.Hour)
	return Counter{Key: fmt.Sprintf("mail#%s#%s#%d", kind, address, w.Unix()),
		Max: int64(s.opts.MailLimitPerHour), ExpiresAt: w.Add(time.Hour)}
}

// ResetPassword sets a new password with a reset code, once, and ends every session: one
// read, one write.
func (s *Service) ResetPassword(ctx context.Context, code, newPassword string, c Client) error {
	var errs apperr.Fields
	if strings.TrimSpace(code) == "" {
		errs.Add("code", apperr.FieldRequired)
	}
	password := s.checkNewPassword(newPassword, "new_password", &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.useCode(ctx, code, CodeResetPassword, func(now time.Time, cd *Code, u *User, tx *Tx) error {
		if cd.Email != u.Email {
			return ErrInvalidCode // mailed to an address the account no longer has
		}
		next := withPassword(u, hash, now)
		clearFailures(next) // proving control of the mailbox lifts a lock
		ev, err := s.event(u.ID, EventPasswordReset, now, c, nil)
		if err != nil {
			return err
		}
		m, err := s.notice(u, mail.KindPasswordChanged, u.Email, now)
		if err != nil {
			return err
		}
		tx.Save, tx.Events, tx.Mails = &Save{Next: next, Prev: u}, []*Event{ev}, []*mail.Mail{m}
		return nil
	})
}

// useCode reads a code and its user, lets change fill in the write that consumes it, and
// writes it. A code that is malformed, unknown, of another kind, expired or already used
// is ErrInvalidCode, all alike.
func (s *Service) useCode(ctx context.Context, code, kind string, change func(now time.Time, c *Code, u *User, tx *Tx) error) error {
	uid, ok := splitCode(code)
	if !ok {
		return ErrInvalidCode
	}
	hash := auth.HashSecret(strings.TrimSpace(code))
	for attempt := 0; ; attempt++ {
		now := s.now().UTC()
		c, u, err := s.store.CodeUser(ctx, hash, uid)
		if errors.Is(err, ErrNotFound) {
			return ErrInvalidCode
		}
		if err != nil {
			return err
		}
		if c.Kind != kind || c.UserID != u.ID || !c.ExpiresAt.After(now) {
			return ErrInvalidCode
		}
		tx := &Tx{Now: now, UseCode: c}
		if err := change(now, c, u, tx); err != nil {
			return err
		}
		err = s.store.Apply(ctx, tx)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue // the user changed between the read and the write: read again
		}
		return err
	}
}

// PasswordChange is a signed-in user's new password.
type PasswordChange struct {
	Current, New, Confirm string
}

// ChangePassword replaces the password after checking the current one, and ends every
// other session (the caller's own is moved to the new epoch in the same write).
func (s *Service) ChangePassword(ctx context.Context, p *Principal, in PasswordChange, c Client) error {
	var errs apperr.Fields
	if in.Current == "" {
		errs.Add("current_password", apperr.FieldRequired)
	}
	password := s.checkNewPassword(in.New, "new_password", &errs)
	if in.Confirm == "" {
		errs.Add("confirm_password", apperr.FieldRequired)
	} else if auth.NormalizePassword(in.Confirm) != password && in.New != "" {
		errs.Add("confirm_password", apperr.FieldMismatch)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	u := p.User
	if err := s.checkPassword(ctx, u, in.Current, "current_password", c); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	next := withPassword(u, hash, now)
	stamp := *p.Session
	stamp.Epoch = next.SessionEpoch
	ev, err := s.event(u.ID, EventPasswordChanged, now, c, nil)
	if err != nil {
		return err
	}
	m, err := s.notice(u, mail.KindPasswordChanged, u.Email, now)
	if err != nil {
		return err
	}
	return s.store.Apply(ctx, &Tx{Now: now, Save: &Save{Next: next, Prev: u}, Stamp: &stamp,
		Events: []*Event{ev}, Mails: []*mail.Mail{m}})
}

// withPassword is cur with a new password hash: a new version, and a new session epoch, so
// every earlier session ends in the same write.
func withPassword(cur *User, hash string, now time.Time) *User {
	next := *cur
	next.PasswordHash, next.SessionEpoch, next.Version, next.UpdatedAt = hash, cur.SessionEpoch+1, cur.Version+1, now
	return &next
}

// checkPassword verifies a password a signed-in user typed to confirm an action. Wrong
// ones count toward the sign-in lock, so a stolen token cannot guess the password freely.
func (s *Service) checkPassword(ctx context.Context, u *User, password, field string, c Client) error {
	if password == "" {
		return apperr.Invalid(apperr.Field(field, apperr.FieldRequired))
	}
	now := s.now().UTC()
	if u.LockedUntil.After(now) {
		return s.locked(u, now)
	}
	ok, _, err := s.hasher.Verify(auth.NormalizePassword(password), u.PasswordHash)
	if err != nil {
		return fmt.Errorf("verify password of %s: %w", u.ID, err)
	}
	if !ok {
		if err := s.failLogin(ctx, u, c, s.ipFailures(c.IP, now), now, "wrong_password"); !errors.Is(err, ErrInvalidCredentials) {
			return err
		}
		return apperr.Invalid(apperr.Field(field, apperr.FieldInvalidPassword))
	}
	return nil
}
