// Package sesclient builds the SES client (see pkg/awsclient).
package sesclient

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/userbase/userbase/pkg/awsclient"
)

// New builds an SES client.
func New(cfg aws.Config) *ses.Client {
	return ses.NewFromConfig(cfg, func(o *ses.Options) {
		o.BaseEndpoint = awsclient.Endpoint("AWS_ENDPOINT_URL_SES")
	})
}
