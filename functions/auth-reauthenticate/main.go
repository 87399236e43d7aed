// Command auth-reauthenticate is the Lambda of POST /v1/auth/reauthenticate; see
// httpapi.Reauthenticate.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-reauthenticate", httpapi.Reauthenticate(a.Users)))
}
