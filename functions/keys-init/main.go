// Command keys-init is the Lambda of the KeysInit custom resource; see keysinit.Handler.
// It answers CloudFormation itself (a PUT to the event's ResponseURL), also when its own
// configuration is broken, so a deploy never waits an hour for it.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/keysinit"
)

func main() {
	var ring *keys.Ring
	var ttl time.Duration
	a, err := app.New(app.WithKMS(kmskeys.New))
	if err == nil {
		ring, ttl = a.Keys, a.Config.AccessTokenTTL
	}
	lambda.Start(cfn.LambdaWrap(keysinit.Handler(ring, ttl, err)))
}
