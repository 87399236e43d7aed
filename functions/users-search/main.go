// Command users-search is the Lambda of GET /v1/users; see httpapi.SearchUsers.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-search", httpapi.SearchUsers(a.Users)))
}
