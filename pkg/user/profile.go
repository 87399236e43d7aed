package user

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/mail"
)

// Patch is a partial update of a user: a nil member is not changed; a pointer to "" clears
// an optional field. Role, Active and EmailVerified are for admins only.
type Patch struct {
	Profile
	// AttributesSet is true when the request named attributes at all (null clears every
	// attribute the writer may write).
	AttributesSet bool
	Email         *string
	Role          *string
	Active        *bool
	EmailVerified *bool
	// CurrentPassword, when given, is the proof an email or phone change needs outside a
	// re-authenticated session.
	CurrentPassword string
}

// UpdateProfile applies a user's own partial update: one write after the authenticating
// read, conditioned on the version read. A concurrent update makes it re-read and apply
// the patch again, so neither is lost. It counts toward the daily profile-update limit.
// Changing the email or phone is sensitive: it needs a re-authenticated session or the
// current password in the patch.
func (s *Service) UpdateProfile(ctx context.Context, p *Principal, patch Patch, c Client) (*User, error) {
	return s.update(ctx, p, p.User, patch, false, true, c)
}

// SetLanguage is PUT /v1/me/language: a patch of the language alone. It does not count
// toward the daily limit (the contract counts PATCH /v1/me and avatar changes): a user
// past it can still switch the language they read.
func (s *Service) SetLanguage(ctx context.Context, p *Principal, language string, c Client) (*User, error) {
	if strings.TrimSpace(language) == "" {
		return nil, apperr.Invalid(apperr.Field("language", apperr.FieldRequired))
	}
	return s.update(ctx, p, p.User, Patch{Profile: Profile{Language: &language}}, false, false, c)
}

// update applies patch to cur; counted puts it toward the daily profile-update limit.
func (s *Service) update(ctx context.Context, p *Principal, cur *User, patch Patch, byAdmin, counted bool, c Client) (*User, error) {
	var (
		out            *User
		checked, proof bool
	)
	err := optimistic(ctx, func(attempt int) error {
		if attempt > 0 {
			var err error
			if cur.ID == p.User.ID { // one's own account: the session must still be live
				cur, err = s.reread(ctx, p)
			} else {
				cur, err = s.store.User(ctx, cur.ID)
			}
			switch {
			case errors.Is(err, ErrNotFound):
				return ErrUserNotFound // deleted meanwhile
			case err != nil:
				return err
			}
		}
		now := s.now().UTC()
		next, tx, err := s.patched(ctx, cur, patch, byAdmin, now, c)
		if err != nil {
			return err
		}
		// An admin changing their own account through the admin routes proves it is them
		// as anyone else would: a stolen admin token must not change the admin's address.
		if !byAdmin || cur.ID == p.User.ID {
			if !checked && (patch.CurrentPassword != "" || sensitive(cur, next)) {
				if proof, err = s.reauthenticated(ctx, p, patch.CurrentPassword, "current_password", c); err != nil {
					return err
				}
				checked = true
			}
			if proof {
				tx.Reauth = s.reopened(p, now)
			}
		}
		if counted {
			tx.Limits = append(tx.Limits, s.dailyLimit(cur.ID, now))
		}
		if err := s.store.Apply(ctx, tx); err != nil {
			return limitReached(sessionEnded(err), now)
		}
		out = next
		return nil
	})
	return out, err
}

// sensitive reports whether a change from cur to next touches what signs the user in or
// reaches them: a new email asked for, or a new phone.
func sensitive(cur, next *User) bool {
	return next.Phone != cur.Phone || next.PendingEmail != "" && next.PendingEmail != cur.PendingEmail
}

// patched validates patch against cur and returns the new user and the write that saves
// it, with the mails and events an email change brings.
// CheckPatch is the value errors patch meets on cur, with nothing written: the members of
// a body whose others had the wrong type are still checked, so the answer names every bad
// field.
func (s *Service) CheckPatch(ctx context.Context, cur *User, patch Patch, byAdmin bool) apperr.Fields {
	_, _, err := s.patched(ctx, cur, patch, byAdmin, s.now().UTC(), Client{})
	if e, ok := apperr.As(err); ok && e.Code == apperr.ValidationFailed {
		return e.Fields
	}
	return nil
}

func (s *Service) patched(ctx context.Context, cur *User, patch Patch, byAdmin bool, now time.Time, c Client) (*User, *Tx, error) {
	next := *cur
	next.Attributes = maps.Clone(cur.Attributes)
	var errs apperr.Fields
	patch.Profile.apply(&next, now, &errs)
	if err := s.applyAttributes(&next, patch.Attributes, patch.AttributesSet, byAdmin, true, &errs); err != nil {
		return nil, nil, err
	}
	if byAdmin {
		if patch.Role != nil {
			if *patch.Role != RoleMember && *patch.Role != RoleAdmin {
				errs.Add("role", apperr.FieldInvalidChoice)
			} else {
				next.Role = *patch.Role
			}
		}
		if patch.Active != nil {
			next.Active = *patch.Active
		}
		if patch.EmailVerified != nil {
			next.EmailVerified = *patch.EmailVerified
		}
	}
	var newEmail string
	if patch.Email != nil {
		newEmail = s.checkNewEmail(*patch.Email, "email", &errs)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	next.Version, next.UpdatedAt = cur.Version+1, now
	tx := &Tx{Now: now, Save: &Save{Next: &next, Prev: cur}}
	switch {
	case patch.Email == nil:
	case newEmail == cur.Email:
		next.PendingEmail = "" // back to the current address: nothing to confirm
	default:
		// The address changes only when the code mailed to it is confirmed; the old
		// address hears of the request.
		next.PendingEmail = newEmail
		code, m, err := s.verification(&next, newEmail, s.links(ctx).Verify, now)
		if err != nil {
			return nil, nil, err
		}
		n, err := s.notice(cur, mail.KindEmailChangeNotice, cur.Email, now)
		if err != nil {
			return nil, nil, err
		}
		n.Address = MaskEmail(newEmail)
		ev, err := s.event(cur.ID, EventEmailChangeRequested, now, c, map[string]string{"new_email": MaskEmail(newEmail)})
		if err != nil {
			return nil, nil, err
		}
		tx.Codes, tx.Mails, tx.Events = []*Code{code}, []*mail.Mail{m, n}, []*Event{ev}
		tx.Limits = append(tx.Limits, s.mailLimit(m.Kind, newEmail, now))
	}
	if byAdmin && cur.Role != next.Role {
		ev, err := s.event(cur.ID, EventRoleChanged, now, c, map[string]string{"from": cur.Role, "to": next.Role})
		if err != nil {
			return nil, nil, err
		}
		tx.Events = append(tx.Events, ev)
	}
	if !next.Active && cur.Active {
		next.SessionEpoch++ // disabling ends every session at once
	}
	tx.AdminDelta = activeAdmin(&next) - activeAdmin(cur)
	return &next, tx, nil
}

// applyAttributes holds attributes to the configured custom fields and merges them into u.
// A name no field declares, or one the writer may not write, is a body-shape error of its
// own (unknown_field, read_only) rather than a value error.
func (s *Service) applyAttributes(u *User, attrs map[string]any, set, byAdmin, partial bool, errs *apperr.Fields) error {
	if set && attrs == nil {
		// "attributes": null clears every attribute the writer may write.
		attrs = map[string]any{}
		for _, f := range s.opts.Fields.Fields() {
			if _, ok := u.Attributes[f.Name]; ok && (byAdmin || f.UserEditable) {
				attrs[f.Name] = nil
			}
		}
	}
	if attrs == nil && partial {
		return nil
	}
	clean, fieldErrs := s.opts.Fields.Validate(attrs, byAdmin, partial)
	var unknown, readOnly []apperr.FieldError
	for _, f := range fieldErrs {
		switch f.Code {
		case apperr.FieldUnknown:
			unknown = append(unknown, f)
		case apperr.FieldReadOnly:
			readOnly = append(readOnly, f)
		default:
			*errs = append(*errs, f)
		}
	}
	if len(readOnly) > 0 {
		return &apperr.Error{Code: apperr.ReadOnly, Fields: append(readOnly, unknown...)}
	}
	if len(unknown) > 0 {
		return &apperr.Error{Code: apperr.UnknownField, Fields: unknown}
	}
	for k, v := range clean {
		if u.Attributes == nil {
			u.Attributes = map[string]any{}
		}
		if v == nil {
			delete(u.Attributes, k)
		} else {
			u.Attributes[k] = v
		}
	}
	if len(u.Attributes) == 0 {
		u.Attributes = nil
	}
	return nil
}

// activeAdmin is 1 for an active admin, else 0: the count of admins moves by differences.
func activeAdmin(u *User) int {
	if u.Role == RoleAdmin && u.Active {
		return 1
	}
	return 0
}
