// Command me-language is the Lambda of PUT /v1/me/language; see httpapi.SetLanguage.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-language", httpapi.SetLanguage(a.Users)))
}
