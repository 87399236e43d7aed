// Command auth-passkey-options is the Lambda of POST /v1/auth/passkey/options; see httpapi.PasskeySignInOptions.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.With(app.RelyingParty))
	lambda.Start(httpapi.Route("auth-passkey-options", httpapi.PasskeySignInOptions(a.Users)))
}
