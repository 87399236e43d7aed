// Command users-get is the Lambda of GET /v1/users/{id}; see httpapi.GetUser.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-get", httpapi.GetUser(a.Users)))
}
