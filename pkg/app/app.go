// Package app builds, once per process, what the route functions share: configuration,
// the DynamoDB client, the store and the account service.
package app

import (
	"context"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/s3url"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/site"
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

	parts []Part
	kms   keys.KMS // noKMS unless WithKMS
}

// Option adds to a function's wiring.
type Option func(*App)

// Part adds to the service what only some functions link, such as the passkey verifier
// (pkg/passkey.Verify): a function names the parts it needs, with With, and no other
// function carries their code.
type Part func(cfg *config.Config, o *user.Options)

// With adds parts to the service.
func With(parts ...Part) Option { return func(a *App) { a.parts = append(a.parts, parts...) } }

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
		Metrics: metrics.New(logging.Logger(), cfg.MetricsNamespace), kms: noKMS{}}
	for _, o := range opts {
		o(a)
	}
	a.Keys = keys.New(keys.Options{Store: a.Store, KMS: a.kms}) // read on first use
	a.Tokens = Tokens(cfg, a.Keys)
	urls := avatar.NewSigner(s3url.New(awsCfg, cfg.BucketName), cfg.AvatarURLTTL)
	var objects user.AvatarObjects
	if a.Avatars != nil { // not a non-nil interface holding nil
		objects = a.Avatars
	}
	a.Users = service(cfg, countingStore{a.Store, a.Metrics}, time.Now, urls, objects, a.Keys.Sealer(),
		accessTokens{a.Tokens, a.Metrics}, a.Store, a.parts...)
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
	secrets user.Secrets, tokens user.Tokens, suppressions user.MailSuppressions, parts ...Part) *user.Service {
	h := auth.Hasher{MemoryKiB: cfg.Argon2.MemoryKiB, Iterations: cfg.Argon2.Iterations, Parallelism: cfg.Argon2.Parallelism}
	o := user.Options{
		SessionTTL:           cfg.SessionTTL,
		SessionIdle:          cfg.SessionIdle,
		ReauthWindow:         cfg.ReauthWindow,
		GeneratedPasswordTTL: cfg.GeneratedPasswordTTL,
		ResetLimitPerHour:    cfg.ResetLimitPerHour,
		DefaultRevertURL:     cfg.DefaultRevertURL,
		Links:                func(ctx context.Context) user.Links { return Links(cfg, jwt.IssuerOf(ctx)) },
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

// Links are the mail links of a request whose issuer is base: the configured default URLs,
// and for each one not configured the hosted account page under base; the pages' origin is
// admitted for confirmation_url. The issuer is the API's own base URL (its discovery
// document lives under it): ISSUER, else the URL the request reached (httpapi.Issuer), so
// a deployment mails links to its own pages with nothing configured. Without a base (a
// tool outside Lambda) the defaults stand alone.
func Links(cfg *config.Config, base string) user.Links {
	l := user.Links{Verify: cfg.DefaultVerifyURL, Reset: cfg.DefaultResetURL, Revert: cfg.DefaultRevertURL}
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
func Must(opts ...Option) *App {
	a, err := New(opts...)
	if err != nil {
		Fatal(err)
	}
	return a
}

// Fatal logs err and exits.
func Fatal(err error) { logging.Fatal(err) }
