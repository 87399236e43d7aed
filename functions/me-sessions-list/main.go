// Command me-sessions-list is the Lambda of GET /v1/me/sessions; see httpapi.ListSessions.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-sessions-list", httpapi.ListSessions(a.Users)))
}
