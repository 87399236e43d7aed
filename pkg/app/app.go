// Package app builds, once per process, what the route functions share: configuration,
// the DynamoDB client, the store and the account service.
package app

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// App is a function's wiring.
type App struct {
	Config *config.Config
	Store  *store.Store
	Users  *user.Service
	// Keys is the signing key ring and the sealer of secrets; Tokens mints and verifies
	// access tokens with it. Neither reads anything before first use.
	Keys   *keys.Ring
	Tokens *keys.Tokens
}

// New reads the configuration and builds the store and service.
func New() (*App, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	st := store.New(awsclient.DynamoDB(awsclient.Config()), cfg.TableName)
	svc := service(cfg, st, time.Now, newLazyAvatars(cfg))
	ring := Keys(cfg, st)
	return &App{Config: cfg, Store: st, Users: svc, Keys: ring, Tokens: Tokens(cfg, ring)}, nil
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
func Fatal(err error) {
	slog.New(slog.NewJSONHandler(os.Stdout, nil)).Error("init", "error", fmt.Sprint(err))
	os.Exit(1)
}
