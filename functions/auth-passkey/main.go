// Command auth-passkey is the Lambda of POST /v1/auth/passkey; see httpapi.PasskeySignIn. It links the passkey verifier (pkg/passkey),
// which no function that does not verify a passkey carries.
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
	lambda.Start(httpapi.Route("auth-passkey", httpapi.PasskeySignIn(a.Users)))
}
