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
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/userbase/userbase/pkg/awsclient/leanhttp"
)

// Config is the base configuration for every client: region and credentials from the
// environment Lambda provides.
func Config() aws.Config {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	// Standard is the retry mode every client falls back to; named here, each client's
	// construction skips the SDK's lookup of it, which builds and drops a formatted error.
	cfg := aws.Config{Region: region, RetryMaxAttempts: 3, RetryMode: aws.RetryModeStandard}
	if id := os.Getenv("AWS_ACCESS_KEY_ID"); id != "" {
		cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			id, os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")))
	}
	return cfg
}

// DynamoDB builds a DynamoDB client.
//
// Its endpoint is resolved once, here, by the SDK's own rules, instead of on every call:
// with account-ID endpoints off (Lambda's static credentials carry no account ID, so the
// SDK's default would fall back to the regional endpoint anyway) every operation's
// endpoint parameters are the same, and the rules engine cost each call tens of
// microseconds of CPU.
//
// Its calls go through leanhttp, which sends a request and reads its answer on the
// calling goroutine: net/http's hand-off between connection goroutines was a quarter of a
// warm GET /v1/me's CPU. The answers of its reads are decoded by leanReads.
func DynamoDB(cfg aws.Config) *dynamodb.Client {
	base := Endpoint("AWS_ENDPOINT_URL_DYNAMODB")
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if cfg.HTTPClient == nil {
			o.HTTPClient = leanhttp.New()
		}
		o.BaseEndpoint = base
		o.AccountIDEndpointMode = aws.AccountIDEndpointModeDisabled
		o.EndpointResolverV2 = resolveOnce(o.Region, base)
		o.APIOptions = append(o.APIOptions, useLeanReads)
	})
}

// fixedEndpoint is an endpoint resolved once; an error in resolving it is each call's.
type fixedEndpoint struct {
	endpoint smithyendpoints.Endpoint
	err      error
}

func (f fixedEndpoint) ResolveEndpoint(context.Context, dynamodb.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return f.endpoint, f.err
}

// resolveOnce resolves DynamoDB's endpoint for region and base (the override, or nil) with
// the SDK's default resolver, as each call would.
func resolveOnce(region string, base *string) fixedEndpoint {
	var r *string // no region is none, as the SDK binds it
	if region != "" {
		r = aws.String(region)
	}
	ep, err := dynamodb.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), dynamodb.EndpointParameters{
		Region: r, UseDualStack: aws.Bool(false), UseFIPS: aws.Bool(false), Endpoint: base,
		AccountIdEndpointMode: aws.String(string(aws.AccountIDEndpointModeDisabled)),
	})
	return fixedEndpoint{endpoint: ep, err: err}
}

// Endpoint is the endpoint override in the named variable, or nil.
func Endpoint(name string) *string {
	if v := os.Getenv(name); v != "" {
		return aws.String(v)
	}
	return nil
}
