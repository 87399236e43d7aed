// Package awsclient is the one place that builds AWS clients, once per process.
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
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
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
		o.BaseEndpoint = endpoint("AWS_ENDPOINT_URL_DYNAMODB")
	})
}

// SES builds an SES client.
func SES(cfg aws.Config) *ses.Client {
	return ses.NewFromConfig(cfg, func(o *ses.Options) {
		o.BaseEndpoint = endpoint("AWS_ENDPOINT_URL_SES")
	})
}

// S3 builds an S3 client; path-style addressing when an endpoint override is set, as
// local S3 servers need.
func S3(cfg aws.Config) *s3.Client {
	ep := endpoint("AWS_ENDPOINT_URL_S3")
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = ep
		o.UsePathStyle = ep != nil
	})
}

func endpoint(name string) *string {
	if v := os.Getenv(name); v != "" {
		return aws.String(v)
	}
	return nil
}
