// Command auth-reauthenticate is the Lambda of POST /v1/auth/reauthenticate; see
// httpapi.Reauthenticate. A passkey is one of its proofs, so it links the passkey verifier
// (pkg/passkey).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/passkey"
)

func main() {
	a := app.Must(app.WithKMS(kmskeys.New), app.With(passkey.Verify))
	lambda.Start(httpapi.Route("auth-reauthenticate", httpapi.Reauthenticate(a.Users)))
}
