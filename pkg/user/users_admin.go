package user

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
)

// AdminCreate is an account an admin creates.
type AdminCreate struct {
	Email    string
	Password string // "" generates one, returned once
	Role     string // "" is member
	Profile
	SponsorID       string
	ConfirmationURL string // with it an invitation mail goes out; without it the address counts as confirmed
	// Active and EmailVerified, when set, are what an admin may write on any account: a
	// disabled account, or an address confirmed (or not) whatever ConfirmationURL says.
	Active, EmailVerified *bool
}

// CreateUser creates an account for an admin: the same uniqueness transaction as register,
// no session. Without a password a strong one is generated and returned, once.
func (s *Service) CreateUser(ctx context.Context, admin *Principal, in AdminCreate, c Client) (*User, string, error) {
	now := s.now().UTC()
	var errs apperr.Fields
	email := s.checkNewEmail(in.Email, "email", &errs)
	generated := ""
	password := in.Password
	if password == "" {
		var err error
		if generated, err = generatePassword(); err != nil {
			return nil, "", err
		}
		password = generated
	}
	password = s.checkNewPassword(password, "password", &errs)
	role := in.Role
	if role == "" {
		role = RoleMember
	} else if role != RoleMember && role != RoleAdmin {
		errs.Add("role", apperr.FieldInvalidChoice)
	}
	id, err := auth.NewID()
	if err != nil {
		return nil, "", err
	}
	u := &User{ID: id, Email: email, Role: role, Active: in.Active == nil || *in.Active, CreatedAt: now, UpdatedAt: now, Version: 1}
	in.Profile.apply(u, now, &errs)
	if err := s.applyAttributes(u, in.Attributes, in.Attributes != nil, true, false, &errs); err != nil {
		return nil, "", err
	}
	if err := s.sponsor(ctx, u, in.SponsorID, &errs); err != nil {
		return nil, "", err
	}
	if err := errs.Err(); err != nil {
		return nil, "", err
	}
	link := ""
	if in.ConfirmationURL != "" {
		if link, err = s.linkTemplate(in.ConfirmationURL, "", s.links(ctx).Self); err != nil {
			return nil, "", err
		}
	}
	if u.Language == "" {
		u.Language = "en"
	}
	if u.PasswordHash, err = s.hashNew(password); err != nil {
		return nil, "", err
	}
	if generated != "" {
		// Whoever generated it knows it too: it must be replaced soon.
		u.PasswordExpiresAt = now.Add(s.opts.GeneratedPasswordTTL)
	}
	tx := &Tx{Now: now, Create: u, Sponsor: u.SponsorID, AdminDelta: activeAdmin(u)}
	if in.ConfirmationURL != "" {
		code, m, err := s.codeMail(u, CodeVerifyEmail, mail.KindInvite, u.Email, link, s.opts.VerifyTTL, now)
		if err != nil {
			return nil, "", err
		}
		tx.Codes, tx.Mails = []*Code{code}, []*mail.Mail{m}
		tx.Limits = []Counter{s.mailLimit(m.Kind, u.Email, now)}
	} else {
		u.EmailVerified = true
	}
	if in.EmailVerified != nil {
		u.EmailVerified = *in.EmailVerified
	}
	ev, err := s.event(u.ID, EventAccountCreated, now, c, map[string]string{"by": admin.User.ID})
	if err != nil {
		return nil, "", err
	}
	ev.ID = u.ID
	tx.Created = ev
	if err := s.store.Apply(ctx, tx); err != nil {
		return nil, "", limitReached(err, now)
	}
	return u, generated, nil
}

// generatePassword makes a password of 20 characters from a 57-letter alphabet without
// look-alikes: about 116 bits.
func generatePassword() (string, error) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String(), nil
}

// ErrUserNotFound is an admin route's unknown user id.
var ErrUserNotFound = apperr.New(apperr.NotFound)

// GetUser reads one user for an admin.
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	if !auth.ValidID(id) {
		return nil, ErrUserNotFound
	}
	u, err := s.store.User(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUserNotFound
	}
	return u, err
}

// UserByLogin reads the account an email or phone signs in with.
func (s *Service) UserByLogin(ctx context.Context, login string) (*User, error) {
	key, ok := NormalizeLogin(login)
	if !ok {
		return nil, ErrUserNotFound
	}
	u, err := s.store.Account(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUserNotFound
	}
	return u, err
}

// Exists reports whether an account signs in with login (an email or a phone, normalized
// as login does).
func (s *Service) Exists(ctx context.Context, login string) (bool, error) {
	if strings.TrimSpace(login) == "" {
		return false, apperr.Invalid(apperr.Field("login", apperr.FieldRequired))
	}
	key, ok := NormalizeLogin(login)
	if !ok {
		return false, nil
	}
	_, err := s.store.Account(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// AdminUpdate applies an admin's partial update: every field a user may write, plus role,
// active and email_verified. Demoting or disabling the last active admin is refused
// (last_admin); disabling ends the user's sessions at once.
func (s *Service) AdminUpdate(ctx context.Context, admin *Principal, id string, patch Patch, c Client) (*User, error) {
	cur, err := s.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, admin, cur, patch, true, false, c)
}

// DeleteUser deletes an account for an admin: the user, its login locks and its sessions
// at once; with data, also everything under the user and its avatar objects. Deleting a
// user already gone is not an error. Without data, what stays (events, wishlist, MFA
// enrollment, avatar objects) stays under the user's id, where a later with_data delete
// of the same id still finds it.
func (s *Service) DeleteUser(ctx context.Context, admin *Principal, id string, withData bool) error {
	if !auth.ValidID(id) {
		return nil
	}
	// The removal is conditioned on the version read: a change made meanwhile (a profile
	// update, a sign-in failure) is read again, not answered with 409.
	gone := false
	err := optimistic(ctx, func(int) error {
		u, err := s.store.User(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			gone = true
			return nil
		case err != nil:
			return err
		}
		return s.store.Apply(ctx, &Tx{Now: s.now().UTC(), Remove: u, AdminDelta: -activeAdmin(u)})
	})
	if err != nil {
		return err
	}
	if gone && !withData {
		return nil
	}
	if withData {
		return s.deleteData(ctx, id)
	}
	return s.store.DeleteSessionItems(ctx, id)
}

func (s *Service) deleteData(ctx context.Context, id string) error {
	if err := s.store.DeleteUserItems(ctx, id); err != nil {
		return err
	}
	if s.opts.AvatarObjects != nil {
		return s.opts.AvatarObjects.DeleteUser(ctx, id)
	}
	return nil
}

// SetPassword sets a user's password for an admin, with the password rules, and ends every
// session of that user.
func (s *Service) SetPassword(ctx context.Context, admin *Principal, id, newPassword string, c Client) error {
	if id == admin.User.ID { // one's own password, as at PUT /v1/me/password
		if _, err := s.reauthenticated(ctx, admin, "", "", c); err != nil {
			return err
		}
	}
	var errs apperr.Fields
	password := s.checkNewPassword(newPassword, "new_password", &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	hash, err := s.hashNew(password)
	if err != nil {
		return err
	}
	return optimistic(ctx, func(int) error {
		cur, err := s.GetUser(ctx, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		next := withPassword(cur, hash, now)
		next.Failures = Failures{}
		evs, notice, err := s.securityChange(cur, EventPasswordChanged, mail.KindPasswordChanged, now, c, map[string]string{"by": admin.User.ID})
		if err != nil {
			return err
		}
		return s.store.Apply(ctx, &Tx{Now: now, Save: &Save{Next: next, Prev: cur}, Events: evs, Mails: notice})
	})
}

// ForceConfirmEmail confirms, for an admin, the pending new address (which then becomes
// the email) or else the current one.
func (s *Service) ForceConfirmEmail(ctx context.Context, admin *Principal, id string, c Client) (*User, error) {
	var out *User
	err := optimistic(ctx, func(int) error {
		cur, err := s.GetUser(ctx, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		next := *cur
		next.EmailVerified, next.Version, next.UpdatedAt = true, cur.Version+1, now
		tx := &Tx{Now: now, Save: &Save{Next: &next, Prev: cur}}
		if cur.PendingEmail != "" {
			// A new address, as if its owner had confirmed it: the same defences.
			next.Email, next.PendingEmail = cur.PendingEmail, ""
			if err := s.emailChanged(ctx, cur, &next, nil, now, c, tx); err != nil {
				return err
			}
			tx.Events[len(tx.Events)-1].Detail = map[string]string{"by": admin.User.ID}
		}
		if err := s.store.Apply(ctx, tx); err != nil {
			return err
		}
		out = &next
		return nil
	})
	return out, err
}

// UserEvents lists a user's security events for an admin.
func (s *Service) UserEvents(ctx context.Context, id string) ([]*Event, error) {
	if _, err := s.GetUser(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Events(ctx, id)
}

// RequireAdmin is the check every admin route makes.
func RequireAdmin(p *Principal) error {
	if p.User.Role != RoleAdmin {
		return apperr.New(apperr.Forbidden)
	}
	return nil
}
