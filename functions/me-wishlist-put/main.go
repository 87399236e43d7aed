// Command me-wishlist-put is the Lambda of PUT /v1/me/wishlist/{product_id}; see httpapi.PutWish.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	a := app.Must()
	lambda.Start(httpapi.Route("me-wishlist-put", httpapi.PutWish(a.Users)))
}
