// Command me-get is the Lambda of GET /v1/me; see httpapi.Me.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-get", httpapi.Me(a.Users)))
}
