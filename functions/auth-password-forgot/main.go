// Command auth-password-forgot is the Lambda of POST /v1/auth/password/forgot; see httpapi.ForgotPassword.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-password-forgot", httpapi.ForgotPassword(a.Users)))
}
