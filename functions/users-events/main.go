// Command users-events is the Lambda of GET /v1/users/{id}/events; see httpapi.UserEvents.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-events", httpapi.UserEvents(a.Users)))
}
