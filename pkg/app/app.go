// Package app builds, once per process, what the route functions share: configuration,
// the DynamoDB client, the store and the account service.
package app

import (
	"context"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/site"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// App is a function's wiring.
type App struct {
	Config *config.Config
	Store  *store.Store
	Users  *user.Service
}

// New reads the configuration and builds the store and service.
func New() (*App, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	logging.SetLevel(cfg.LogLevel)
	st := store.New(awsclient.DynamoDB(awsclient.Config()), cfg.TableName)
	svc := service(cfg, st, time.Now, newLazyAvatars(cfg))
	return &App{Config: cfg, Store: st, Users: svc}, nil
}

// Service builds the account service over any store, without avatar storage; tests and
// tools use it.
func Service(cfg *config.Config, st user.Store, now func() time.Time) *user.Service {
	return service(cfg, st, now, nil)
}

func service(cfg *config.Config, st user.Store, now func() time.Time, avatars user.Avatars) *user.Service {
	h := auth.Hasher{MemoryKiB: cfg.Argon2.MemoryKiB, Iterations: cfg.Argon2.Iterations, Parallelism: cfg.Argon2.Parallelism}
	return user.NewService(st, h, now, user.Options{
		SessionTTL:           cfg.SessionTTL,
		SessionIdle:          cfg.SessionIdle,
		ReauthWindow:         cfg.ReauthWindow,
		GeneratedPasswordTTL: cfg.GeneratedPasswordTTL,
		ResetLimitPerHour:    cfg.ResetLimitPerHour,
		DefaultRevertURL:     cfg.DefaultRevertURL,
		Links:                func(ctx context.Context) user.Links { return Links(cfg, site.Base(ctx)) },
		WishlistMax:          cfg.WishlistMax,
		RegisterLimitPerHour: cfg.RegisterLimitPerHour,
		DefaultVerifyURL:     cfg.DefaultVerifyURL,
		DefaultResetURL:      cfg.DefaultResetURL,
		AllowConfirmationURL: cfg.Admits,
		Issuer:               cfg.AppName,
		Fields:               cfg.ProfileFields,
		ProfileUpdatesPerDay: cfg.ProfileUpdatesPerDay,
		Avatars:              avatars,
		MailLimitPerHour:     cfg.MailLimitPerHour,
		Throttle: user.Throttle{
			MaxFailures: cfg.LoginMaxFailures, Window: cfg.LoginWindow, Lock: cfg.LoginLock,
			LockMax: cfg.LoginLockMax, MaxIPFailures: cfg.LoginMaxIPFailures,
		},
	})
}

// Links are the mail links of a request that reached the API at base (see pkg/site): the
// configured default URLs, and for each one not configured the hosted account page under
// PublicURL, else under base; the origin of the pages is admitted for confirmation_url.
// Without PublicURL or base (a tool outside Lambda) the defaults stand alone.
func Links(cfg *config.Config, base string) user.Links {
	l := user.Links{Verify: cfg.DefaultVerifyURL, Reset: cfg.DefaultResetURL, Revert: cfg.DefaultRevertURL}
	if cfg.PublicURL != "" {
		base = cfg.PublicURL
	}
	if base == "" {
		return l
	}
	for _, d := range []struct {
		link *string
		page string
	}{{&l.Verify, site.VerifyPath}, {&l.Reset, site.ResetPath}, {&l.Revert, site.RevertPath}} {
		if *d.link == "" {
			*d.link = site.CodeLink(base, d.page)
		}
	}
	l.Self = site.Origin(base)
	return l
}

// Must is New for main: a broken configuration stops the function at init with one clear
// log line, which Lambda reports as an init error.
func Must() *App {
	a, err := New()
	if err != nil {
		Fatal(err)
	}
	return a
}

// Fatal logs err and exits.
func Fatal(err error) { logging.Fatal(err) }
