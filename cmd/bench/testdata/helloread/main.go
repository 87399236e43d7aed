// Command helloread is the floor of a signed-in read: hello-world plus the one DynamoDB
// call GET /v1/me makes (a BatchGetItem of the account's profile and the token's session,
// through pkg/awsclient's client), and nothing else: no token check, no profile view, no
// log line. cmd/bench runs it with GET /v1/me's environment beside the function, so the
// whole-invocation table shows what one read costs above hello-world on this machine.
// It lives under testdata so that ./... never builds it.
package main

import (
	"context"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/awsclient"
)

var (
	db    = awsclient.DynamoDB(awsclient.Config())
	table = os.Getenv("TABLE_NAME")
)

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
	}
}

func handle(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	// A session token is <user>.<session>.<secret>.
	uid, rest, _ := strings.Cut(strings.TrimPrefix(ev.Headers["Authorization"], "Bearer "), ".")
	sid, _, _ := strings.Cut(rest, ".")
	out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		table: {Keys: []map[string]types.AttributeValue{key("USER#"+uid, "PROFILE"), key("USER#"+uid, "SESSION#"+sid)}, ConsistentRead: aws.Bool(true)},
	}})
	if err != nil || len(out.Responses[table]) != 2 {
		return events.APIGatewayProxyResponse{StatusCode: 500}, nil
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello"}, nil
}

func main() { lambda.Start(handle) }
