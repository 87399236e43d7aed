package app

import (
	"context"
	"sync"

	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/user"
)

// AvatarStore writes and deletes avatar images (pkg/avatar/objects over the S3 client).
type AvatarStore interface {
	Put(ctx context.Context, userID string, r *avatar.Result) (string, error)
	user.AvatarObjects
}

// WithAvatarStore gives the function the avatar store that build makes (avatarstore.New):
// for the functions that upload, replace or delete avatars, and delete users. Package app
// does not build it itself, so that the other functions do not link the S3 client.
//
// The store is built on first use: a cold start should not pay for an S3 client that a
// request may not need (removing no avatar, deleting a user without data).
func WithAvatarStore(build func(*config.Config) AvatarStore) Option {
	return func(a *App) {
		cfg := a.Config
		a.Avatars = &lazyStore{get: sync.OnceValue(func() AvatarStore { return build(cfg) })}
	}
}

type lazyStore struct {
	get func() AvatarStore
}

func (l *lazyStore) Put(ctx context.Context, userID string, r *avatar.Result) (string, error) {
	return l.get().Put(ctx, userID, r)
}

func (l *lazyStore) Delete(ctx context.Context, key string) error {
	return l.get().Delete(ctx, key)
}

func (l *lazyStore) DeleteUser(ctx context.Context, userID string) error {
	return l.get().DeleteUser(ctx, userID)
}
