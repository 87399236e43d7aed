// Command users-email-confirm is the Lambda of POST /v1/users/{id}/email/confirm; see httpapi.ConfirmUserEmail.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-email-confirm", httpapi.ConfirmUserEmail(a.Users)))
}
