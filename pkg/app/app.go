// Package app builds, once per process, what the route functions share: configuration,
// the DynamoDB client, the store and the account service.
package app

import (
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/s3url"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// App is a function's wiring.
type App struct {
	Config *config.Config
	Store  *store.Store
	Users  *user.Service
	// Avatars writes and deletes avatar images; nil unless the function asked for it with
	// WithAvatarStore.
	Avatars AvatarStore
	// Keys is the signing key ring and the sealer of secrets; Tokens mints and verifies
	// access tokens with it. Neither reads anything before first use.
	Keys   *keys.Ring
	Tokens *keys.Tokens
	// Metrics writes the function's CloudWatch metrics (EMF lines on standard output).
	Metrics *metrics.Recorder
}

// Option adds to a function's wiring.
type Option func(*App)

// New reads the configuration and builds the store and service. Every service signs
// avatar URLs (a SigV4 signature, no S3 client); only with WithAvatarStore does it
// delete avatar images too.
func New(opts ...Option) (*App, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	logging.SetLevel(cfg.LogLevel)
	awsCfg := awsclient.Config()
	a := &App{Config: cfg, Store: store.New(awsclient.DynamoDB(awsCfg), cfg.TableName),
		Metrics: metrics.New(logging.Logger(), cfg.MetricsNamespace)}
	for _, o := range opts {
		o(a)
	}
	a.Keys = Keys(cfg, a.Store)
	a.Tokens = Tokens(cfg, a.Keys)
	urls := avatar.NewSigner(s3url.New(awsCfg, cfg.BucketName), cfg.AvatarURLTTL)
	var objects user.AvatarObjects
	if a.Avatars != nil { // not a non-nil interface holding nil
		objects = a.Avatars
	}
	a.Users = service(cfg, countingStore{a.Store, a.Metrics}, time.Now, urls, objects, a.Keys.Sealer(),
		accessTokens{a.Tokens, a.Metrics}, a.Store)
	return a, nil
}

// Service builds the account service over any store, without avatar storage; tests and
// tools use it. With ring it seals TOTP secrets and mints access tokens with it.
func Service(cfg *config.Config, st user.Store, now func() time.Time, ring ...*keys.Ring) *user.Service {
	if len(ring) == 0 || ring[0] == nil {
		return service(cfg, st, now, nil, nil, nil, nil, nil)
	}
	return service(cfg, st, now, nil, nil, ring[0].Sealer(), accessTokens{t: Tokens(cfg, ring[0])}, nil)
}

func service(cfg *config.Config, st user.Store, now func() time.Time, urls user.AvatarURLs, objects user.AvatarObjects,
	secrets user.Secrets, tokens user.Tokens, suppressions user.MailSuppressions) *user.Service {
	h := auth.Hasher{MemoryKiB: cfg.Argon2.MemoryKiB, Iterations: cfg.Argon2.Iterations, Parallelism: cfg.Argon2.Parallelism}
	return user.NewService(st, h, now, user.Options{
		SessionTTL:           cfg.SessionTTL,
		SessionIdle:          cfg.SessionIdle,
		ReauthWindow:         cfg.ReauthWindow,
		GeneratedPasswordTTL: cfg.GeneratedPasswordTTL,
		ResetLimitPerHour:    cfg.ResetLimitPerHour,
		DefaultRevertURL:     cfg.DefaultRevertURL,
		WishlistMax:          cfg.WishlistMax,
		RegisterLimitPerHour: cfg.RegisterLimitPerHour,
		DefaultVerifyURL:     cfg.DefaultVerifyURL,
		DefaultResetURL:      cfg.DefaultResetURL,
		AllowConfirmationURL: cfg.Admits,
		Issuer:               cfg.AppName,
		Fields:               cfg.ProfileFields,
		ProfileUpdatesPerDay: cfg.ProfileUpdatesPerDay,
		AvatarURLs:           urls,
		AvatarObjects:        objects,
		Secrets:              secrets,
		Tokens:               tokens,
		MailSuppressions:     suppressions,
		MailLimitPerHour:     cfg.MailLimitPerHour,
		Throttle: user.Throttle{
			MaxFailures: cfg.LoginMaxFailures, Window: cfg.LoginWindow, Lock: cfg.LoginLock,
			LockMax: cfg.LoginLockMax, MaxIPFailures: cfg.LoginMaxIPFailures,
		},
	})
}

// Must is New for main: a broken configuration stops the function at init with one clear
// log line, which Lambda reports as an init error.
func Must(opts ...Option) *App {
	a, err := New(opts...)
	if err != nil {
		Fatal(err)
	}
	return a
}

// Fatal logs err and exits.
func Fatal(err error) { logging.Fatal(err) }
