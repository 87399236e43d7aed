// Command me-mfa-totp-confirm is the Lambda of POST /v1/me/mfa/totp/confirm; see httpapi.ConfirmTOTP.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.WithKMS(kmskeys.New))
	lambda.Start(httpapi.Route("me-mfa-totp-confirm", httpapi.ConfirmTOTP(a.Users)))
}
