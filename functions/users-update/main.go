// Command users-update is the Lambda of PATCH /v1/users/{id}; see httpapi.UpdateUser.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-update", httpapi.UpdateUser(a.Users)))
}
