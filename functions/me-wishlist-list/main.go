// Command me-wishlist-list is the Lambda of GET /v1/me/wishlist; see httpapi.ListWishlist.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-wishlist-list", httpapi.ListWishlist(a.Users)))
}
