// Command me-passkeys-delete is the Lambda of DELETE /v1/me/passkeys/{id}; see httpapi.RemovePasskey.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-passkeys-delete", httpapi.RemovePasskey(a.Users)))
}
