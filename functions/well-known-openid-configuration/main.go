// Command well-known-openid-configuration is the Lambda of GET
// /.well-known/openid-configuration; see httpapi.Discovery. It reads only its
// configuration (ISSUER), as httpapi.Route does for every function.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	lambda.Start(httpapi.Route("well-known-openid-configuration", httpapi.Discovery()))
}
