// Command profile-fields is the Lambda of GET /v1/profile-fields; see
// httpapi.ProfileFields. It reads the configuration, not the table.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		app.Fatal(err)
	}
	lambda.Start(httpapi.Route("profile-fields", httpapi.ProfileFields(cfg.ProfileFields)))
}
