// Command account-pages is the Lambda of the hosted account pages: GET /account, GET
// /account/{proxy+} and POST /account/qr; see pages.Handler. It reads no table.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/awsclient/bucketurl"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/pages"
)

func main() {
	cfg, err := config.LoadPages()
	if err != nil {
		logging.Fatal(err)
	}
	lambda.Start(httpapi.Route("account-pages", pages.Handler(pages.Options{
		AppName: cfg.AppName, ImageOrigin: bucketurl.Origin(cfg.BucketName),
	})))
}
