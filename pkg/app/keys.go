package app

import (
	"context"
	"sync"

	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
)

// Keys builds the process's key ring over st and the stack's KMS key. It reads nothing
// until first used: the ring is loaded on first use, and the KMS client is built only
// when a private key or a sealed secret is first needed (verifying tokens needs neither).
func Keys(cfg *config.Config, st keys.Store) *keys.Ring {
	return keys.New(keys.Options{Store: st, KMS: newLazyKMS(cfg)})
}

// Tokens mints and verifies access tokens with ring, as configured.
func Tokens(cfg *config.Config, ring *keys.Ring) *keys.Tokens {
	return keys.NewTokens(ring, cfg.TokenAudience, cfg.AccessTokenTTL)
}

// lazyKMS builds the KMS client on first use.
type lazyKMS struct {
	get func() *kmsclient.DataKeys
}

func newLazyKMS(cfg *config.Config) *lazyKMS {
	return &lazyKMS{get: sync.OnceValue(func() *kmsclient.DataKeys {
		return kmsclient.NewDataKeys(kmsclient.New(awsclient.Config()), cfg.KMSKeyID)
	})}
}

var _ keys.KMS = (*lazyKMS)(nil)

func (l *lazyKMS) GenerateDataKey(ctx context.Context) ([]byte, []byte, string, error) {
	return l.get().GenerateDataKey(ctx)
}

func (l *lazyKMS) Decrypt(ctx context.Context, ciphertext []byte) ([]byte, error) {
	return l.get().Decrypt(ctx, ciphertext)
}
