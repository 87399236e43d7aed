// Command well-known-openid-configuration is the Lambda of GET
// /.well-known/openid-configuration; see httpapi.Discovery. It reads only its
// configuration (ISSUER).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		app.Fatal(err)
	}
	lambda.Start(httpapi.Route("well-known-openid-configuration", httpapi.Discovery(cfg.Issuer)))
}
