// Command api-fallback is the Lambda that API Gateway calls for what no route function
// serves: CORS preflights on every path, a method a path lacks (405) and a path the API
// lacks (404); see httpapi.Fallback. It reads no table.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/httpapi"
)

func main() {
	lambda.Start(httpapi.Route("api-fallback", httpapi.Fallback()))
}
