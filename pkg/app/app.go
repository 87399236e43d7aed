// Package app builds, once per process, what the route functions share: configuration,
// the DynamoDB client, the store and the account service.
package app

import (
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// App is a function's wiring.
type App struct {
	Config *config.Config
	Store  *store.Store
	Users  *user.Service
}

// Part adds to the service what only some functions link, such as the passkey verifier
// (pkg/passkey.Verifier): a function names the parts it needs, and no other function
// carries their code.
type Part func(cfg *config.Config, o *user.Options)

// New reads the configuration and builds the store and service, with parts.
func New(parts ...Part) (*App, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	logging.SetLevel(cfg.LogLevel)
	st := store.New(awsclient.DynamoDB(awsclient.Config()), cfg.TableName)
	svc := service(cfg, st, time.Now, newLazyAvatars(cfg), parts...)
	return &App{Config: cfg, Store: st, Users: svc}, nil
}

// Service builds the account service over any store, without avatar storage; tests and
// tools use it.
func Service(cfg *config.Config, st user.Store, now func() time.Time) *user.Service {
	return service(cfg, st, now, nil)
}

func service(cfg *config.Config, st user.Store, now func() time.Time, avatars user.Avatars, parts ...Part) *user.Service {
	h := auth.Hasher{MemoryKiB: cfg.Argon2.MemoryKiB, Iterations: cfg.Argon2.Iterations, Parallelism: cfg.Argon2.Parallelism}
	o := user.Options{
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
		Avatars:              avatars,
		MailLimitPerHour:     cfg.MailLimitPerHour,
		Throttle: user.Throttle{
			MaxFailures: cfg.LoginMaxFailures, Window: cfg.LoginWindow, Lock: cfg.LoginLock,
			LockMax: cfg.LoginLockMax, MaxIPFailures: cfg.LoginMaxIPFailures,
		},
	}
	for _, part := range parts {
		part(cfg, &o)
	}
	return user.NewService(st, h, now, o)
}

// RelyingParty is the Part of the functions that hand out passkey options: the relying
// party of WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS (a bad one stops the function at init).
// Verifying an answer needs none: the challenge keeps the relying party it was made for.
func RelyingParty(_ *config.Config, o *user.Options) {
	rp, err := config.LoadRelyingParty()
	if err != nil {
		Fatal(err)
	}
	o.RelyingParty = user.RelyingParty{ID: rp.ID, Origins: rp.Origins}
}

// Must is New for main: a broken configuration stops the function at init with one clear
// log line, which Lambda reports as an init error.
func Must(parts ...Part) *App {
	a, err := New(parts...)
	if err != nil {
		Fatal(err)
	}
	return a
}

// Fatal logs err and exits.
func Fatal(err error) { logging.Fatal(err) }
