// Command me-mfa-totp-delete is the Lambda of DELETE /v1/me/mfa/totp; see httpapi.DisableTOTP.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.WithKMS(kmskeys.New))
	lambda.Start(httpapi.Route("me-mfa-totp-delete", httpapi.DisableTOTP(a.Users)))
}
