package user

import (
	"context"
	"errors"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/mail"
)

// ResendVerification mails a new code for the address waiting to be confirmed: the pending
// new address if there is one, else the current one if unverified. With nothing to confirm
// it does nothing, and answers the same.
func (s *Service) ResendVerification(ctx context.Context, p *Principal, confirmationURL string) error {
	link, err := s.linkTemplate(confirmationURL, s.opts.DefaultVerifyURL)
	if err != nil {
		return err
	}
	u := p.User
	address := u.PendingEmail
	if address == "" {
		if u.EmailVerified {
			return nil
		}
		address = u.Email
	}
	now := s.now().UTC()
	code, m, err := s.verification(u, address, link, now)
	if err != nil {
		return err
	}
	limit := s.mailLimit(m.Kind, address, now)
	err = s.store.Apply(ctx, &Tx{Now: now, Code: code, Mails: []*mail.Mail{m}, Limit: &limit})
	if errors.Is(err, ErrLimited) {
		return apperr.Limited(limit.ExpiresAt.Sub(now))
	}
	return err
}

// ConfirmEmail confirms the address a verification code was sent to: the current address,
// or a pending new one, which then becomes the account's email (the old address gets a
// notice). One read, one write.
func (s *Service) ConfirmEmail(ctx context.Context, code string, c Client) (*User, error) {
	if code == "" {
		return nil, apperr.Invalid(apperr.Field("code", apperr.FieldRequired))
	}
	var out *User
	err := s.useCode(ctx, code, CodeVerifyEmail, func(now time.Time, cd *Code, u *User, tx *Tx) error {
		next := *u
		next.Version, next.UpdatedAt = u.Version+1, now
		switch {
		case cd.Email == u.Email:
			next.EmailVerified = true
		case cd.Email == u.PendingEmail:
			next.Email, next.PendingEmail, next.EmailVerified = u.PendingEmail, "", true
			ev, err := s.event(u.ID, EventEmailChanged, now, c, nil)
			if err != nil {
				return err
			}
			m, err := s.notice(u, mail.KindEmailChanged, u.Email, now)
			if err != nil {
				return err
			}
			m.Address = MaskEmail(next.Email)
			tx.Events, tx.Mails = []*Event{ev}, []*mail.Mail{m}
		default:
			return ErrInvalidCode // the code is for an address the account no longer has
		}
		tx.Save = &Save{Next: &next, Prev: u}
		out = &next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MaskEmail shows enough of an address to recognize it: "n***@example.com".
func MaskEmail(e string) string {
	for i := 0; i < len(e); i++ {
		if e[i] == '@' && i > 0 {
			return e[:1] + "***" + e[i:]
		}
	}
	return "***"
}
