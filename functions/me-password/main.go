// Command me-password is the Lambda of PUT /v1/me/password; see httpapi.ChangePassword.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-password", httpapi.ChangePassword(a.Users)))
}
