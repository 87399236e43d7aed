// Command locales is the Lambda of GET /v1/locales; see httpapi.Locales. It reads no
// configuration and no table.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	lambda.Start(httpapi.Route("locales", httpapi.Locales()))
}
