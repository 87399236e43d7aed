// Command hello is the floor of the cold-start budget: the least aws-lambda-go function
// for an API Gateway REST proxy event. cmd/bench builds it with the functions' flags and
// times its start beside theirs. It lives under testdata so that ./... never builds it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello"}, nil
}

func main() { lambda.Start(handle) }
