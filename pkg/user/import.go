package user

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
)

// ImportRecord is an account brought over from another system with its password hash.
type ImportRecord struct {
	ID            string // kept when it is a valid id, else a new one is made
	Email         string
	Phone         string
	PasswordHash  string // an argon2id PHC string or a bcrypt hash ($2a$, $2b$, $2y$)
	FirstName     string
	LastName      string
	Role          string // "" is member
	EmailVerified bool
	CreatedAt     time.Time // zero is now
	Language      string
}

// ErrAlreadyImported is an import of a record that is already there: the account its
// email names has its id (or, for a record without one, its very password hash, which a
// random salt makes unique). It is what re-running a line written just before an
// interruption finds.
var ErrAlreadyImported = errors.New("user: already imported")

// ImportUser creates an account from another system's record: the fields are validated as
// CreateUser validates them, the password hash is stored as given (its shape is checked;
// nothing is hashed) and a bcrypt hash is replaced by argon2id at the first sign-in. An
// existing account is never overwritten: a taken email or phone is ErrEmailTaken or
// ErrPhoneTaken, a taken id ErrConflict, and the same record imported before
// ErrAlreadyImported. No mail goes out and no session starts.
func (s *Service) ImportUser(ctx context.Context, rec ImportRecord) error {
	now := s.now().UTC()
	var errs apperr.Fields
	email := s.checkNewEmail(rec.Email, "email", &errs)
	switch {
	case rec.PasswordHash == "":
		errs.Add("password_hash", apperr.FieldRequired)
	case !auth.ValidHash(rec.PasswordHash):
		errs.Add("password_hash", apperr.FieldInvalidFormat)
	}
	role := rec.Role
	if role == "" {
		role = RoleMember
	} else if role != RoleMember && role != RoleAdmin {
		errs.Add("role", apperr.FieldInvalidChoice)
	}
	created := rec.CreatedAt.UTC()
	if created.IsZero() {
		created = now
	} else if created.After(now) {
		errs.Add("created_at", apperr.FieldInvalidFormat)
	}
	id := rec.ID
	if !auth.ValidID(id) {
		var err error
		if id, err = auth.NewID(); err != nil {
			return err
		}
	}
	u := &User{ID: id, Email: email, EmailVerified: rec.EmailVerified, Role: role, Active: true,
		CreatedAt: created, UpdatedAt: now, Version: 1, PasswordHash: rec.PasswordHash}
	p := Profile{FirstName: &rec.FirstName, LastName: &rec.LastName, Phone: &rec.Phone, Language: &rec.Language}
	p.apply(u, now, &errs)
	if err := s.applyAttributes(u, nil, false, true, false, &errs); err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if u.Language == "" {
		u.Language = "en"
	}
	err := s.store.Apply(ctx, &Tx{Now: now, Create: u, AdminDelta: activeAdmin(u)})
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrEmailTaken) || errors.Is(err, ErrPhoneTaken) {
		if same, rerr := s.imported(ctx, rec, u); rerr != nil {
			return fmt.Errorf("look for an earlier import: %w", rerr)
		} else if same {
			return ErrAlreadyImported
		}
	}
	return err
}

// imported reports whether the account u would have been is there already from an
// earlier import of rec.
func (s *Service) imported(ctx context.Context, rec ImportRecord, u *User) (bool, error) {
	var cur *User
	var err error
	if u.ID == rec.ID {
		cur, err = s.store.User(ctx, u.ID)
	} else {
		cur, err = s.store.Account(ctx, u.Email)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	if u.ID == rec.ID {
		return cur.ID == u.ID && cur.Email == u.Email, nil
	}
	return cur.Email == u.Email && cur.PasswordHash == rec.PasswordHash, nil
}
