package app

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/s3client"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/user"
)

// Avatars builds the avatar store of the configured bucket.
func Avatars(cfg *config.Config) *avatar.Store {
	c := s3client.New(awsclient.Config())
	return avatar.New(c, s3.NewPresignClient(c), cfg.BucketName, cfg.AvatarURLTTL)
}

// lazyAvatars builds the avatar store on first use: most requests render users without an
// avatar, and they should not pay for an S3 client at cold start.
type lazyAvatars struct {
	get func() *avatar.Store
}

func newLazyAvatars(cfg *config.Config) *lazyAvatars {
	return &lazyAvatars{get: sync.OnceValue(func() *avatar.Store { return Avatars(cfg) })}
}

var _ user.Avatars = (*lazyAvatars)(nil)

func (l *lazyAvatars) URLs(ctx context.Context, key string) (string, string, error) {
	return l.get().URLs(ctx, key)
}

func (l *lazyAvatars) Delete(ctx context.Context, key string) error {
	return l.get().Delete(ctx, key)
}

func (l *lazyAvatars) DeleteUser(ctx context.Context, userID string) error {
	return l.get().DeleteUser(ctx, userID)
}
