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
	l := s.links(ctx)
	link, err := s.linkTemplate(in.ConfirmationURL, l.Reset, l.Self)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	limit := s.mailLimit(mail.KindResetPassword, key, now)
	u, err := s.store.Account(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	tx := &Tx{Now: now, Limits: []Counter{limit}}
	if u != nil && u.Active {
		code, m, err := s.codeMail(u, CodeResetPassword, mail.KindResetPassword, u.Email, link, s.opts.ResetTTL, now)
		if err != nil {
			return err
		}
		code.Epoch = u.ResetEpoch
		tx.Codes, tx.Mails = []*Code{code}, []*mail.Mail{m}
	}
	return limitReached(s.store.Apply(ctx, tx), now)
}

// ResetPassword sets a new password with a reset code, once, and ends every session and
// every other outstanding reset code of the user: one read, one write. The code is checked
// before anything is hashed, and attempts are limited per source address, so bad codes
// cost the service nothing but a read.
func (s *Service) ResetPassword(ctx context.Context, code, newPassword string, c Client) error {
	var errs apperr.Fields
	if strings.TrimSpace(code) == "" {
		errs.Add("code", apperr.FieldRequired)
	}
	password := s.checkNewPassword(newPassword, "new_password", &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	limit := s.resetLimit(c.IP, s.now().UTC())
	return s.useCode(ctx, code, CodeResetPassword, &limit, func(now time.Time, cd *Code, u *User, tx *Tx) error {
		if cd.Email != u.Email || cd.Epoch != u.ResetEpoch {
			// Mailed to an address the account no longer has, or issued before the
			// password last changed.
			return ErrInvalidCode
		}
		hash, err := s.hashNew(password)
		if err != nil {
			return err
		}
		next := withPassword(u, hash, now)
		next.Failures = Failures{} // proving control of the mailbox lifts a lock
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
// is ErrInvalidCode, all alike. With limit, every attempt counts against it (read with the
// code, so a limited caller costs one read) and past it nothing is checked.
func (s *Service) useCode(ctx context.Context, code, kind string, limit *Counter, change func(now time.Time, c *Code, u *User, tx *Tx) error) error {
	uid, ok := splitCode(code)
	counter := ""
	if limit != nil {
		counter = limit.Key
	}
	hash := auth.HashSecret(strings.TrimSpace(code))
	return optimistic(ctx, func(int) error {
		now := s.now().UTC()
		var (
			c     *Code
			u     *User
			count int64
			err   error
		)
		if ok {
			c, u, count, err = s.store.CodeUser(ctx, hash, uid, counter)
		} else if limit != nil {
			count, err = s.store.Count(ctx, counter)
		}
		if err != nil {
			return err
		}
		if limit != nil && count >= limit.Max {
			return limited(limit.ExpiresAt.Sub(now))
		}
		bad := c == nil || u == nil || c.Kind != kind || c.UserID != u.ID || !c.ExpiresAt.After(now)
		tx := &Tx{Now: now}
		if !bad {
			tx.UseCode = c
			err = change(now, c, u, tx)
			bad = errors.Is(err, ErrInvalidCode)
			if err != nil && !bad {
				return err
			}
		}
		if bad {
			if limit != nil {
				if err := s.store.Hit(ctx, *limit); err != nil {
					return err
				}
			}
			return ErrInvalidCode
		}
		if limit != nil {
			tx.Hits = append(tx.Hits, *limit)
		}
		return s.store.Apply(ctx, tx)
	})
}

// PasswordChange is a signed-in user's new password.
type PasswordChange struct {
	Current, New, Confirm string
}

// ChangePassword replaces the password, in a re-authenticated session or after checking the
// current one, and ends every other session (the caller's own is moved to the new epoch in
// the same write) and every outstanding reset code.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, in PasswordChange, c Client) error {
	var errs apperr.Fields
	password := s.checkNewPassword(in.New, "new_password", &errs)
	if in.Confirm == "" {
		errs.Add("confirm_password", apperr.FieldRequired)
	} else if auth.NormalizePassword(in.Confirm) != password && in.New != "" {
		errs.Add("confirm_password", apperr.FieldMismatch)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	proved, err := s.reauthenticated(ctx, p, in.Current, "current_password", c)
	if err != nil {
		return err
	}
	hash, err := s.hashNew(password)
	if err != nil {
		return err
	}
	return s.retryOwn(ctx, p, func(u *User) error {
		now := s.now().UTC()
		next := withPassword(u, hash, now)
		stamp := *p.Session
		if proved {
			stamp = *s.reopened(p, now)
		}
		stamp.Epoch = next.SessionEpoch
		evs, notice, err := s.securityChange(u, EventPasswordChanged, mail.KindPasswordChanged, now, c, nil)
		if err != nil {
			return err
		}
		return sessionEnded(s.store.Apply(ctx, &Tx{Now: now, Save: &Save{Next: next, Prev: u}, Stamp: &stamp,
			Events: evs, Mails: notice}))
	})
}

// withPassword is cur with a new password hash: a new version, a new session epoch and a
// new reset epoch, so every earlier session and every outstanding reset code ends in the
// same write. A password the user sets never expires.
func withPassword(cur *User, hash string, now time.Time) *User {
	next := *cur
	next.PasswordHash, next.SessionEpoch, next.Version, next.UpdatedAt = hash, cur.SessionEpoch+1, cur.Version+1, now
	next.ResetEpoch, next.PasswordExpiresAt = cur.ResetEpoch+1, time.Time{}
	return &next
}

// checkPassword verifies a password a signed-in user typed to confirm an action. Wrong
// ones count toward the sign-in lock, so a stolen token cannot guess the password freely.
func (s *Service) checkPassword(ctx context.Context, u *User, password, field string, c Client) error {
	if password == "" {
		return apperr.Invalid(apperr.Field(field, apperr.FieldRequired))
	}
	now := s.now().UTC()
	if u.Failures.LockedUntil.After(now) {
		s.hasher.Burn(password)
		return locked(u.Failures, now)
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
