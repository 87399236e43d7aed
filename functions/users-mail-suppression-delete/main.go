// Command users-mail-suppression-delete is the Lambda of DELETE
// /v1/users/{id}/mail-suppression; see httpapi.ClearMailSuppression.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("users-mail-suppression-delete", httpapi.ClearMailSuppression(a.Users)))
}
