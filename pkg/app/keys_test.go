package app

import (
	"context"
	"errors"
	"testing"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
)

func TestWithKMSBuildsOnFirstUse(t *testing.T) {
	builds := 0
	a := &App{Config: &config.Config{KMSKeyID: "alias/k"}, kms: noKMS{}}
	WithKMS(func(cfg *config.Config) keys.KMS {
		builds++
		if cfg.KMSKeyID != "alias/k" {
			t.Errorf("built with key %q", cfg.KMSKeyID)
		}
		return keys.NewFakeKMS()
	})(a)
	if builds != 0 {
		t.Fatalf("built %d times before first use", builds)
	}
	for range 2 {
		if _, _, _, err := a.kms.GenerateDataKey(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if builds != 1 {
		t.Errorf("built %d times, want once", builds)
	}
}

func TestWithoutKMSEveryCallFails(t *testing.T) {
	var k keys.KMS = noKMS{}
	if _, _, _, err := k.GenerateDataKey(context.Background()); !errors.Is(err, errNoKMS) {
		t.Errorf("GenerateDataKey: %v", err)
	}
	if _, err := k.Decrypt(context.Background(), []byte("sealed")); !errors.Is(err, errNoKMS) {
		t.Errorf("Decrypt: %v", err)
	}
}
