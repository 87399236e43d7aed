// Command me-delete is the Lambda of DELETE /v1/me; see httpapi.DeleteMe.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/avatarstore"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.WithAvatarStore(avatarstore.New))
	lambda.Start(httpapi.Route("me-delete", httpapi.DeleteMe(a.Users)))
}
