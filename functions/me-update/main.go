// Command me-update is the Lambda of PATCH /v1/me; see httpapi.UpdateMe.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-update", httpapi.UpdateMe(a.Users)))
}
