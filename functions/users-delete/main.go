// Command users-delete is the Lambda of DELETE /v1/users/{id}; see httpapi.DeleteUser.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/avatarstore"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must(app.WithAvatarStore(avatarstore.New))
	lambda.Start(httpapi.Route("users-delete", httpapi.DeleteUser(a.Users)))
}
