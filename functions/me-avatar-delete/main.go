// Command me-avatar-delete is the Lambda of DELETE /v1/me/avatar; see avatarapi.Delete.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/avatarstore"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/httpapi/avatarapi"
)

func main() {
	a := app.Must(app.WithAvatarStore(avatarstore.New))
	lambda.Start(httpapi.Route("me-avatar-delete", avatarapi.Delete(a.Users)))
}
