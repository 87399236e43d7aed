// Command users-create is the Lambda of POST /v1/users; see httpapi.CreateUser.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-create", httpapi.CreateUser(a.Users)))
}
