// Package kmskeys builds the stack's KMS key for the functions that need it
// (app.WithKMS). It is apart from pkg/app because it links the KMS client, which no other
// function should carry.
package kmskeys

import (
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
)

// New builds the KMS client and the data keys of the configured key.
func New(cfg *config.Config) keys.KMS {
	return kmsclient.NewDataKeys(kmsclient.New(awsclient.Config()), cfg.KMSKeyID)
}
