// Command auth-email-verification is the Lambda of POST /v1/auth/email/verification; see httpapi.ResendVerification.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-email-verification", httpapi.ResendVerification(a.Users)))
}
