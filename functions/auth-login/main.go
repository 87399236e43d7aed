// Command auth-login is the Lambda of POST /v1/auth/login; see httpapi.Login.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.WithKMS(kmskeys.New))
	lambda.Start(httpapi.Route("auth-login", httpapi.Login(a.Users)))
}
