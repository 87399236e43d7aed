// Command me-passkeys-list is the Lambda of GET /v1/me/passkeys; see httpapi.ListPasskeys.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-passkeys-list", httpapi.ListPasskeys(a.Users)))
}
