// Command me-avatar-put is the Lambda of PUT /v1/me/avatar; see avatarapi.Put.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/avatarstore"
	"github.com/userbase/userbase/pkg/avatar/upload"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/httpapi/avatarapi"
)

func main() {
	a := app.Must(app.WithAvatarStore(avatarstore.New))
	lambda.Start(httpapi.Route("me-avatar-put", avatarapi.Put(a.Users, a.Avatars, upload.Limits{})))
}
