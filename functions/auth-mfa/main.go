// Command auth-mfa is the Lambda of POST /v1/auth/mfa; see httpapi.CompleteMFA.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.WithKMS(kmskeys.New))
	lambda.Start(httpapi.Route("auth-mfa", httpapi.CompleteMFA(a.Users)))
}
