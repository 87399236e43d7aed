package user

import (
	"context"

	"github.com/userbase/userbase/pkg/mail"
)

// DeleteAccount deletes the caller's account, in a re-authenticated session or after
// checking its password: the user and its login locks go in one write (so the email and
// phone are free at once and every session stops working), then everything else under
// the user.
func (s *Service) DeleteAccount(ctx context.Context, p *Principal, password string, c Client) error {
	if _, err := s.reauthenticated(ctx, p, password, "password", c); err != nil {
		return err
	}
	err := s.retryOwn(ctx, p, func(u *User) error {
		now := s.now().UTC()
		tx := &Tx{Now: now, Remove: u, AdminDelta: -activeAdmin(u)}
		// The notice goes only to a confirmed address: signing up someone else's address and
		// deleting the account again, over and over, must not mail its owner each time.
		if u.EmailVerified {
			n, err := s.notice(u, mail.KindAccountDeleted, u.Email, now)
			if err != nil {
				return err
			}
			tx.Mails = []*mail.Mail{n}
		}
		// The last active admin cannot go this way either (last_admin), and an admin
		// leaving is counted out.
		return s.store.Apply(ctx, tx)
	})
	if err != nil {
		return err
	}
	if err := s.store.DeleteUserItems(ctx, p.User.ID); err != nil {
		return err
	}
	if s.opts.AvatarObjects != nil {
		return s.opts.AvatarObjects.DeleteUser(ctx, p.User.ID)
	}
	return nil
}

// Events lists the caller's security events, newest first.
func (s *Service) Events(ctx context.Context, userID string) ([]*Event, error) {
	return s.store.Events(ctx, userID)
}
