// Command me-events is the Lambda of GET /v1/me/events; see httpapi.MyEvents.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-events", httpapi.MyEvents(a.Users)))
}
