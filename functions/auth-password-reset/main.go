// Command auth-password-reset is the Lambda of POST /v1/auth/password/reset; see httpapi.ResetPassword.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-password-reset", httpapi.ResetPassword(a.Users)))
}
