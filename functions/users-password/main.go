// Command users-password is the Lambda of PUT /v1/users/{id}/password; see httpapi.SetUserPassword.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-password", httpapi.SetUserPassword(a.Users)))
}
