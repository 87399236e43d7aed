// Command me-passkeys-options is the Lambda of POST /v1/me/passkeys/options; see httpapi.BeginPasskey.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.With(app.RelyingParty))
	lambda.Start(httpapi.Route("me-passkeys-options", httpapi.BeginPasskey(a.Users)))
}
