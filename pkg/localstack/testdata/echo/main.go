// Command echo is the test Lambda of the local stack's integration test. As
// an API function it answers with the event it received, its process ID and
// its environment, and a few paths misbehave on purpose. As a stream
// function it writes a SEEN#<pk> item for every record, and fails on
// records whose pk starts with OUTBOX#fail. As a custom resource's function it
// answers at the ResponseURL: FAILED when the property Fail is set, nothing at all
// when Silent is, else SUCCESS.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
)

func main() {
	lambda.Start(handle)
}

// Reply is what the API answers.
type Reply struct {
	Event events.APIGatewayProxyRequest `json:"event"`
	PID   int                           `json:"pid"`
	Env   map[string]string             `json:"env"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records     []json.RawMessage `json:"Records"`
		RequestType string            `json:"RequestType"`
	}
	_ = json.Unmarshal(raw, &probe)
	if probe.RequestType != "" {
		var ev cfn.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		if ev.ResourceProperties["Silent"] != nil {
			return nil, nil
		}
		return cfn.LambdaWrap(handleCustom)(ctx, ev)
	}
	if probe.Records != nil {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return nil, handleStream(ctx, ev)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	return handleAPI(ctx, ev)
}

func handleCustom(_ context.Context, ev cfn.Event) (string, map[string]any, error) {
	if f, ok := ev.ResourceProperties["Fail"].(string); ok {
		return "echo", nil, errors.New(f)
	}
	return "echo", nil, nil
}

func handleAPI(ctx context.Context, ev events.APIGatewayProxyRequest) (any, error) {
	switch ev.Resource {
	case "/crash":
		os.Exit(3)
	case "/error":
		return nil, errors.New("failed on purpose")
	case "/slow":
		<-time.After(time.Minute)
	case "/malformed":
		return "not a proxy response", nil
	case "/barrier":
		if err := barrier(ctx); err != nil {
			return events.APIGatewayProxyResponse{StatusCode: 500, Body: err.Error()}, nil
		}
	case "/mail":
		if err := sendMail(ctx, ev.Body); err != nil {
			return events.APIGatewayProxyResponse{StatusCode: 500, Body: err.Error()}, nil
		}
	case "/png":
		return events.APIGatewayProxyResponse{
			StatusCode: 200, Headers: map[string]string{"Content-Type": "image/png"},
			Body: base64.StdEncoding.EncodeToString([]byte("\x89PNG")), IsBase64Encoded: true,
		}, nil
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	b, err := json.Marshal(Reply{Event: ev, PID: os.Getpid(), Env: env})
	if err != nil {
		return nil, err
	}
	return events.APIGatewayProxyResponse{
		StatusCode:        200,
		Headers:           map[string]string{"Content-Type": "application/json"},
		MultiValueHeaders: map[string][]string{"X-Echo": {"a", "b"}},
		Body:              string(b),
	}, nil
}

// barrier returns once two processes have reached it, which proves two
// invocations run at the same time.
func barrier(ctx context.Context) error {
	dir := os.Getenv("BARRIER_DIR")
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(os.Getpid())), nil, 0o644); err != nil {
		return err
	}
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) >= 2 {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("barrier: alone until the deadline")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func awsConfig() aws.Config {
	return aws.Config{
		Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
	}
}

func sendMail(ctx context.Context, to string) error {
	client := ses.NewFromConfig(awsConfig(), func(o *ses.Options) {
		o.BaseEndpoint = aws.String(os.Getenv("AWS_ENDPOINT_URL_SES"))
		o.RetryMaxAttempts = 1
	})
	_, err := client.SendEmail(ctx, &ses.SendEmailInput{
		Source:      aws.String("echo@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{to}},
		Message: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("hello")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("hello " + to)}},
		},
	})
	return err
}

func handleStream(ctx context.Context, ev events.DynamoDBEvent) error {
	db := dynamodb.NewFromConfig(awsConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"))
	})
	for _, r := range ev.Records {
		pk := r.Change.NewImage["pk"].String()
		if strings.HasPrefix(pk, "OUTBOX#fail") {
			return fmt.Errorf("record %s fails on purpose", pk)
		}
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(os.Getenv("TABLE_NAME")),
			Item: map[string]types.AttributeValue{
				"pk":    &types.AttributeValueMemberS{Value: "SEEN#" + pk},
				"sk":    &types.AttributeValueMemberS{Value: "SEEN"},
				"event": &types.AttributeValueMemberS{Value: r.EventName + " " + r.EventSource + " " + r.Change.StreamViewType},
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
