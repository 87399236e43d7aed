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
		notice, err := s.securityNotice(u, mail.KindAccountDeleted, now)
		if err != nil {
			return err
		}
		tx := &Tx{Now: now, Remove: u, AdminDelta: -activeAdmin(u), Mails: notice}
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
