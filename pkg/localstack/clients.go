package localstack

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// AWSConfig returns an SDK configuration for the local services: the local
// region and dummy credentials. Endpoints are per service; the DynamoDB, S3
// and SES methods set them.
func (s *Stack) AWSConfig() aws.Config {
	return aws.Config{
		Region:      samtemplate.LocalRegion,
		Credentials: credentials.NewStaticCredentialsProvider(localAccessKeyID, localSecretAccessKey, ""),
	}
}

// DynamoDB returns a client of DynamoDB Local.
func (s *Stack) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(s.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(s.DynamoEndpoint)
	})
}

// S3 returns a client of the local S3, with path-style addressing (bucket
// names in the path, not the host name).
func (s *Stack) S3() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.S3Endpoint)
		o.UsePathStyle = true
	})
}

// SES returns a client of the SES emulator through the same proxy the
// functions use, so SetSESReachable(false) reaches it too.
func (s *Stack) SES() *ses.Client {
	return ses.NewFromConfig(s.AWSConfig(), func(o *ses.Options) {
		o.BaseEndpoint = aws.String(s.SESEndpoint)
	})
}

// KMS returns a client of the local KMS.
func (s *Stack) KMS() *kms.Client {
	return kms.NewFromConfig(s.AWSConfig(), func(o *kms.Options) {
		o.BaseEndpoint = aws.String(s.KMSEndpoint)
	})
}
