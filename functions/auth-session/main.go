// Command auth-session is the Lambda of GET /v1/auth/session; see httpapi.Session.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("auth-session", httpapi.Session(a.Users)))
}
