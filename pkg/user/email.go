package user

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/mail"
)

// ResendVerification mails a new code for the address waiting to be confirmed: the pending
// new address if there is one, else the current one if unverified. With nothing to confirm
// it does nothing, and answers the same.
func (s *Service) ResendVerification(ctx context.Context, p *Principal, confirmationURL string) error {
	l := s.links(ctx)
	link, err := s.linkTemplate(confirmationURL, l.Verify, l.Self)
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
	err = s.store.Apply(ctx, &Tx{Now: now, Codes: []*Code{code}, Mails: []*mail.Mail{m},
		Limits: []Counter{s.mailLimit(m.Kind, address, now)}})
	return limitReached(err, now)
}

// ConfirmEmail confirms the address a verification code was sent to: the current address,
// or a pending new one, which then becomes the account's email. A new address ends every
// session but the one of by (the confirming caller, when signed in as the same user), and
// the old address gets a notice with a code that reverts the change; until that code
// expires the old address stays reserved for the user. One read, one write.
func (s *Service) ConfirmEmail(ctx context.Context, code string, by *Principal, c Client) (*User, error) {
	if code == "" {
		return nil, apperr.Invalid(apperr.Field("code", apperr.FieldRequired))
	}
	var out *User
	err := s.useCode(ctx, code, CodeVerifyEmail, nil, func(now time.Time, cd *Code, u *User, tx *Tx) error {
		next := *u
		next.Version, next.UpdatedAt = u.Version+1, now
		tx.Save = &Save{Next: &next, Prev: u}
		switch {
		case cd.Email == u.Email:
			next.EmailVerified = true
		case cd.Email == u.PendingEmail:
			next.Email, next.PendingEmail, next.EmailVerified = u.PendingEmail, "", true
			if err := s.emailChanged(ctx, u, &next, by, now, c, tx); err != nil {
				return err
			}
		default:
			return ErrInvalidCode // the code is for an address the account no longer has
		}
		out = &next
		return nil
	})
	if errors.Is(err, ErrNotFound) && by != nil {
		// The confirming session ended meanwhile: the code still confirms, keeping none.
		return s.ConfirmEmail(ctx, code, nil, c)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// emailChanged fills in what a confirmed change of u's email to next.Email brings: every
// other session ends (whoever changed the address may not be the owner), and the old
// address, reserved for the user a while, gets a notice with a code that reverts it.
func (s *Service) emailChanged(ctx context.Context, u, next *User, by *Principal, now time.Time, c Client, tx *Tx) error {
	next.SessionEpoch = u.SessionEpoch + 1
	if by != nil && by.User.ID == u.ID && by.Session != nil && by.Session.Epoch == u.SessionEpoch {
		stamp := *by.Session
		stamp.Epoch = next.SessionEpoch
		tx.Stamp = &stamp
	}
	ev, err := s.event(u.ID, EventEmailChanged, now, c, nil)
	if err != nil {
		return err
	}
	revert, m, err := s.codeMail(u, CodeRevertEmail, mail.KindEmailChanged, u.Email, s.links(ctx).Revert, s.opts.RevertTTL, now)
	if err != nil {
		return err
	}
	m.Address = MaskEmail(next.Email)
	next.EmailSeq = u.EmailSeq + 1
	revert.Epoch = next.EmailSeq
	next.Reverts = append(liveReverts(u.Reverts, now, next.EmailSeq), Revert{Seq: next.EmailSeq, ExpiresAt: revert.ExpiresAt})
	tx.Save.ReserveUntil = revert.ExpiresAt
	tx.Codes, tx.Events, tx.Mails = append(tx.Codes, revert), append(tx.Events, ev), append(tx.Mails, m)
	return nil
}

// liveReverts are the revert codes of rs that have not expired at now and undo a change
// numbered below seq, in a new slice.
func liveReverts(rs []Revert, now time.Time, seq int64) []Revert {
	var out []Revert
	for _, r := range rs {
		if r.Seq < seq && r.ExpiresAt.After(now) {
			out = append(out, r)
		}
	}
	return out
}

// RevertEmail undoes an email change with the code mailed to the old address: the old
// address is the account's again, and every session ends, since whoever changed it may
// still hold one. Outstanding reset codes end too (they went to the other address), and so
// do the revert codes of every later change: they went to addresses whoever took the
// account may hold, and would take it back. The codes of earlier changes still work.
func (s *Service) RevertEmail(ctx context.Context, code string, c Client) (*User, error) {
	if code == "" {
		return nil, apperr.Invalid(apperr.Field("code", apperr.FieldRequired))
	}
	var out *User
	err := s.useCode(ctx, code, CodeRevertEmail, nil, func(now time.Time, cd *Code, u *User, tx *Tx) error {
		if !slices.ContainsFunc(u.Reverts, func(r Revert) bool { return r.Seq == cd.Epoch }) {
			return ErrInvalidCode // ended by the revert of an earlier change
		}
		next := *u
		next.Reverts = liveReverts(u.Reverts, now, cd.Epoch)
		next.Email, next.PendingEmail, next.EmailVerified = cd.Email, "", true
		next.Version, next.UpdatedAt = u.Version+1, now
		next.SessionEpoch, next.ResetEpoch = u.SessionEpoch+1, u.ResetEpoch+1
		ev, err := s.event(u.ID, EventEmailChangeReverted, now, c, map[string]string{"from": MaskEmail(u.Email)})
		if err != nil {
			return err
		}
		tx.Save, tx.Events = &Save{Next: &next, Prev: u}, []*Event{ev}
		out = &next
		return nil
	})
	if err != nil {
		// ErrEmailTaken: the reservation lapsed and someone else took the address.
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
