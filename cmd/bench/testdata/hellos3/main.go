// Command hellos3 is a cold-start floor: hello-world that builds pkg/awsclient's
// DynamoDB and S3 clients at start, as a function that stores avatars does, and calls
// neither. cmd/bench times its start beside hello-world's, like a function's, to show
// what linking and building the two SDK clients costs before any code of this product
// runs. It lives under testdata so that ./... never builds it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/s3client"
)

var (
	cfg = awsclient.Config()
	db  = awsclient.DynamoDB(cfg)
	s3  = s3client.New(cfg)
)

func handle(_ context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello"}, nil
}

func main() {
	_, _ = db, s3
	lambda.Start(handle)
}
