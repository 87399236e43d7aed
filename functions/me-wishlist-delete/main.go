// Command me-wishlist-delete is the Lambda of DELETE /v1/me/wishlist/{product_id}; see httpapi.DeleteWish.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-wishlist-delete", httpapi.DeleteWish(a.Users)))
}
