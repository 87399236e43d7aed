// Command probe prints what the legacy (v1) endpoint resolver of each service module that
// cmd/sdkpatch rewrites answers, for regions of every partition and every variant.
// main_test.go runs it built with the SDK as it is and with sdkpatch's go.mod, and wants
// the same lines. It lives under testdata so that ./... never builds it.
package main

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

var regions = []string{
	"us-east-1", "eu-west-1", "ca-central-1", "ca-central-1-fips", "us-east-1-fips", "local",
	"cn-north-1", "eusc-de-east-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1",
	"us-isof-south-1", "us-gov-west-1", "xx-nowhere-9", "",
}

func main() {
	type opts struct{ fips, dual bool }
	variants := []opts{{}, {fips: true}, {dual: true}, {fips: true, dual: true}}
	for _, r := range regions {
		for _, v := range variants {
			fips, dual := aws.FIPSEndpointStateUnset, aws.DualStackEndpointStateUnset
			if v.fips {
				fips = aws.FIPSEndpointStateEnabled
			}
			if v.dual {
				dual = aws.DualStackEndpointStateEnabled
			}
			show := func(service string, e aws.Endpoint, err error) {
				fmt.Printf("%s %q fips=%v dual=%v: %s %s %s %v\n", service, r, v.fips, v.dual, e.URL, e.SigningRegion, e.SigningName, err)
			}
			e, err := dynamodb.NewDefaultEndpointResolver().ResolveEndpoint(r, dynamodb.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual})
			show("dynamodb", e, err)
			e, err = dynamodbstreams.NewDefaultEndpointResolver().ResolveEndpoint(r, dynamodbstreams.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual})
			show("dynamodbstreams", e, err)
			e, err = kms.NewDefaultEndpointResolver().ResolveEndpoint(r, kms.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual})
			show("kms", e, err)
			e, err = s3.NewDefaultEndpointResolver().ResolveEndpoint(r, s3.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual})
			show("s3", e, err)
			e, err = ses.NewDefaultEndpointResolver().ResolveEndpoint(r, ses.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual})
			show("ses", e, err)
			e, err = sqs.NewDefaultEndpointResolver().ResolveEndpoint(r, sqs.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual})
			show("sqs", e, err)
		}
	}
}
