// Command users-exists is the Lambda of GET /v1/users/exists; see httpapi.UserExists.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-exists", httpapi.UserExists(a.Users)))
}
