// Package s3client builds the S3 client (see pkg/awsclient).
package s3client

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/userbase/userbase/pkg/awsclient"
)

// New builds an S3 client; path-style addressing when an endpoint override is set, as
// local S3 servers need.
func New(cfg aws.Config) *s3.Client {
	ep := awsclient.Endpoint("AWS_ENDPOINT_URL_S3")
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = ep
		o.UsePathStyle = ep != nil
	})
}
