// Package avatarstore builds the avatar store of the configured bucket for the functions
// that write or delete avatar images (app.WithAvatarStore). It is apart from pkg/app
// because it links the S3 client, which no other function should carry.
package avatarstore

import (
	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/avatar/objects"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/s3client"
	"github.com/userbase/userbase/pkg/config"
)

// New builds the S3 client and the store over the configured bucket.
func New(cfg *config.Config) app.AvatarStore {
	return objects.New(s3client.New(awsclient.Config()), cfg.BucketName, cfg.AvatarURLTTL)
}
