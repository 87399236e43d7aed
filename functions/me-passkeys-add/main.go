// Command me-passkeys-add is the Lambda of POST /v1/me/passkeys; see httpapi.AddPasskey. It links the passkey verifier (pkg/passkey),
// which no function that does not verify a passkey carries.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/passkey"
)

func main() {
	a := app.Must(app.With(passkey.Verify))
	lambda.Start(httpapi.Route("me-passkeys-add", httpapi.AddPasskey(a.Users)))
}
