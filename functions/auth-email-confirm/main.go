// Command auth-email-confirm is the Lambda of POST /v1/auth/email/confirm; see httpapi.ConfirmEmail.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-email-confirm", httpapi.ConfirmEmail(a.Users)))
}
