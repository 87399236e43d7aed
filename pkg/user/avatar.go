package user

import (
	"context"

	"github.com/userbase/userbase/pkg/logging"
)

// AvatarURLs signs the URLs of avatar images (pkg/avatar: the private bucket). Signing
// needs no request to the bucket, so every function that renders a user has one.
type AvatarURLs interface {
	// URLs signs short-lived GET URLs of an image and its thumbnail.
	URLs(ctx context.Context, key string) (image, thumb string, err error)
}

// AvatarObjects deletes avatar images (pkg/avatar/objects). Only the functions that
// replace, remove or delete avatars have one: it links the S3 client.
type AvatarObjects interface {
	// Delete removes an image and its thumbnail; one already gone is not an error.
	Delete(ctx context.Context, key string) error
	// DeleteUser removes every object of a user.
	DeleteUser(ctx context.Context, userID string) error
}

// AvatarURL is the signed URL of u's avatar, or "" when u has none (or it cannot be signed
// now: the profile is still worth answering with).
func (s *Service) AvatarURL(ctx context.Context, u *User) string {
	if u.AvatarKey == "" || s.opts.AvatarURLs == nil {
		return ""
	}
	img, _, err := s.opts.AvatarURLs.URLs(ctx, u.AvatarKey)
	if err != nil {
		logging.Logger().Error("sign avatar url", "user_id", u.ID, "error", err.Error())
		return ""
	}
	return img
}

// AvatarURLs signs both URLs of u's avatar, for the data export.
func (s *Service) AvatarURLs(ctx context.Context, u *User) (image, thumb string) {
	if u.AvatarKey == "" || s.opts.AvatarURLs == nil {
		return "", ""
	}
	image, thumb, _ = s.opts.AvatarURLs.URLs(ctx, u.AvatarKey)
	return image, thumb
}

// SetAvatar points the user at a newly stored image (key), counting toward the daily
// profile-update limit, then deletes the previous image. If the user cannot be saved, the
// new image is deleted, so no object is left unreferenced.
func (s *Service) SetAvatar(ctx context.Context, p *Principal, key string, c Client) (*User, error) {
	return s.swapAvatar(ctx, p, key, c)
}

// RemoveAvatar deletes the user's avatar record and objects. Removing none is not an
// error; it does not count toward the daily limit.
func (s *Service) RemoveAvatar(ctx context.Context, p *Principal, c Client) error {
	if p.User.AvatarKey == "" {
		return nil
	}
	_, err := s.swapAvatar(ctx, p, "", c)
	return err
}

func (s *Service) swapAvatar(ctx context.Context, p *Principal, key string, c Client) (*User, error) {
	var out, cur *User
	err := s.retryOwn(ctx, p, func(u *User) error {
		cur = u
		now := s.now().UTC()
		next := *cur
		next.AvatarKey, next.Version, next.UpdatedAt = key, cur.Version+1, now
		tx := &Tx{Now: now, Save: &Save{Next: &next, Prev: cur}}
		if key != "" {
			tx.Limits = []Counter{s.dailyLimit(cur.ID, now)}
		}
		if err := s.store.Apply(ctx, tx); err != nil {
			return limitReached(err, now)
		}
		out = &next
		return nil
	})
	if err != nil {
		if key != "" && s.opts.AvatarObjects != nil {
			_ = s.opts.AvatarObjects.Delete(ctx, key) // nothing points at it
		}
		return nil, err
	}
	if cur.AvatarKey != "" && s.opts.AvatarObjects != nil {
		if derr := s.opts.AvatarObjects.Delete(ctx, cur.AvatarKey); derr != nil {
			logging.Logger().Error("delete old avatar", "user_id", cur.ID, "error", derr.Error())
		}
	}
	return out, nil
}

// CheckProfileLimit answers rate_limited when the user has no profile change left today,
// before an upload spends the work of decoding an image it could not keep.
func (s *Service) CheckProfileLimit(ctx context.Context, p *Principal) error {
	now := s.now().UTC()
	limit := s.dailyLimit(p.User.ID, now)
	n, err := s.store.Count(ctx, limit.Key)
	if err != nil {
		return err
	}
	if n >= limit.Max {
		return limited(limit.ExpiresAt.Sub(now))
	}
	return nil
}
