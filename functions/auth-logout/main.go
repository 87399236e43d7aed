// Command auth-logout is the Lambda of POST /v1/auth/logout; see httpapi.Logout.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-logout", httpapi.Logout(a.Users)))
}
