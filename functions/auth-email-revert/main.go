// Command auth-email-revert is the Lambda of POST /v1/auth/email/revert; see
// httpapi.RevertEmail.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-email-revert", httpapi.RevertEmail(a.Users)))
}
