// Command me-sessions-delete is the Lambda of DELETE /v1/me/sessions/{session_id}; see httpapi.RevokeSession.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-sessions-delete", httpapi.RevokeSession(a.Users)))
}
