// Package awsclient is the one place that builds AWS clients, once per process. The SES
// and S3 builders live in subpackages so a function links only the SDKs it uses: each
// service package adds megabytes to a binary.
//
// It reads the Lambda environment directly instead of calling config.LoadDefaultConfig,
// which costs a cold start several milliseconds of file and profile lookups that a Lambda
// never needs. The SDK's standard AWS_ENDPOINT_URL_<SERVICE> variables point clients at the
// local stack's emulators.
package awsclient

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Config is the base configuration for every client: region and credentials from the
// environment Lambda provides.
func Config() aws.Config {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	cfg := aws.Config{Region: region, RetryMaxAttempts: 3}
	if id := os.Getenv("AWS_ACCESS_KEY_ID"); id != "" {
		cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			id, os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")))
	}
	return cfg
}

// DynamoDB builds a DynamoDB client.
func DynamoDB(cfg aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = Endpoint("AWS_ENDPOINT_URL_DYNAMODB")
	})
}

// Endpoint is the endpoint override in the named variable, or nil.
func Endpoint(name string) *string {
	if v := os.Getenv(name); v != "" {
		return aws.String(v)
	}
	return nil
}
