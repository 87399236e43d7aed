// Command hellos3 is a cold-start floor: hello-world that links pkg/awsclient's DynamoDB
// and S3 clients and builds DynamoDB's at start, as a function that stores avatars does
// (its S3 client is built on first use, app.WithAvatarStore), and calls neither. cmd/bench
// times its start beside hello-world's, like a function's, to show what the two SDK
// clients cost before any code of this product runs. It lives under testdata so that ./...
// never builds it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/s3client"
)

var (
	db = awsclient.DynamoDB(awsclient.Config())
	// Linked, not called: its package init runs at start, the client is never built.
	newS3 = s3client.New
)

func handle(_ context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello"}, nil
}

func main() {
	_, _ = db, newS3
	lambda.Start(handle)
}
