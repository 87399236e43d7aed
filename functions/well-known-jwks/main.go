// Command well-known-jwks is the Lambda of GET /.well-known/jwks.json; see httpapi.JWKS.
// It reads the key ring's public keys only: no KMS.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("well-known-jwks", httpapi.JWKS(a.Keys)))
}
