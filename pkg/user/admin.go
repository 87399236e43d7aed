package user

import (
	"context"
	"errors"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
)

// EnsureAdmin makes sure an active admin account with this email exists: it creates one
// (address confirmed, no mail), or promotes and enables an existing account, keeping its
// password. It reports whether it created the account. The admin CLI's create-admin and the
// local stack's ADMIN_EMAIL both come here.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (created bool, err error) {
	var errs apperr.Fields
	email = s.checkEmail(email, "email", &errs)
	if err := errs.Err(); err != nil {
		return false, err
	}
	cur, err := s.store.Account(ctx, email)
	switch {
	case err == nil:
		if cur.Role == RoleAdmin && cur.Active {
			return false, nil
		}
		next := *cur
		next.Role, next.Active, next.Version, next.UpdatedAt = RoleAdmin, true, cur.Version+1, s.now().UTC()
		return false, s.store.Apply(ctx, &Tx{Now: next.UpdatedAt, Save: &Save{Next: &next, Prev: cur}, AdminDelta: 1})
	case !errors.Is(err, ErrNotFound):
		return false, err
	}
	password = s.checkNewPassword(password, "password", &errs)
	if err := errs.Err(); err != nil {
		return false, err
	}
	id, err := auth.NewID()
	if err != nil {
		return false, err
	}
	now := s.now().UTC()
	u := &User{ID: id, Email: email, EmailVerified: true, Role: RoleAdmin, Active: true, Language: "en",
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if u.PasswordHash, err = s.hashNew(password); err != nil {
		return false, err
	}
	if err := s.store.Apply(ctx, &Tx{Now: now, Create: u, AdminDelta: 1}); err != nil {
		return false, err
	}
	return true, nil
}
