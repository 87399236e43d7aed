// Command me-export is the Lambda of GET /v1/me/export; see httpapi.Export.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-export", httpapi.Export(a.Users)))
}
