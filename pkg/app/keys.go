package app

import (
	"context"
	"errors"
	"sync"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
)

// Tokens mints and verifies access tokens with ring, as configured.
func Tokens(cfg *config.Config, ring *keys.Ring) *keys.Tokens {
	return keys.NewTokens(ring, cfg.TokenAudience, cfg.AccessTokenTTL)
}

// WithKMS gives the function the stack's KMS key that build makes (kmskeys.New): for the
// functions that mint access tokens or seal and open TOTP secrets, and keys-init. Package
// app does not build it itself, so that the others (verifying a token needs no private
// key) link no KMS client: 65 KB and a tenth of a millisecond of package init each. Their
// IAM policies grant no KMS action either (deploy_test derives both from the code).
//
// The client is built on first use: a cold start should not pay for it before a request
// needs a private key or a secret.
func WithKMS(build func(*config.Config) keys.KMS) Option {
	return func(a *App) {
		cfg := a.Config
		a.kms = &lazyKMS{get: sync.OnceValue(func() keys.KMS { return build(cfg) })}
	}
}

// lazyKMS builds the KMS client on first use.
type lazyKMS struct {
	get func() keys.KMS
}

var _ keys.KMS = (*lazyKMS)(nil)

func (l *lazyKMS) GenerateDataKey(ctx context.Context) ([]byte, []byte, string, error) {
	return l.get().GenerateDataKey(ctx)
}

func (l *lazyKMS) Decrypt(ctx context.Context, ciphertext []byte) ([]byte, error) {
	return l.get().Decrypt(ctx, ciphertext)
}

// errNoKMS is a private key or a sealed secret asked for in a function built without
// WithKMS: a wiring mistake.
var errNoKMS = errors.New("app: this function is built without KMS (app.WithKMS)")

// noKMS is the KMS of a function built without WithKMS.
type noKMS struct{}

func (noKMS) GenerateDataKey(context.Context) ([]byte, []byte, string, error) {
	return nil, nil, "", errNoKMS
}

func (noKMS) Decrypt(context.Context, []byte) ([]byte, error) { return nil, errNoKMS }
