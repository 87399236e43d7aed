// Command authorizer is the Lambda authorizer of the client's own APIs (REST API REQUEST or
// TOKEN, HTTP API payload 1.0 or 2.0); see pkg/authorizer and docs/integrate.md. It
// verifies access tokens with the key ring's public keys and reads the token's session:
// the table only, read only. It links neither KMS nor the password hasher, and not
// pkg/app, which builds both.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/authorizer"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		logging.Fatal(err)
	}
	logging.SetLevel(cfg.LogLevel)
	st := store.New(awsclient.DynamoDB(awsclient.Config()), cfg.TableName)
	// A ring without KMS: it verifies with the public keys and never signs.
	tokens := keys.NewTokens(keys.New(keys.Options{Store: st}), cfg.TokenAudience, cfg.AccessTokenTTL)
	// No hasher: the authorizer only checks sessions.
	sessions := user.NewService(st, nil, time.Now, user.Options{SessionTTL: cfg.SessionTTL, SessionIdle: cfg.SessionIdle})
	a, err := authorizer.New(tokens, cfg.Issuer, sessions, logging.Logger())
	if err != nil {
		logging.Fatal(err)
	}
	lambda.Start(a.Handle)
}
