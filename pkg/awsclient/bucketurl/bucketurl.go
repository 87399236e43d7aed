// Package bucketurl tells the origin of an S3 bucket's object URLs, as the S3 client of
// pkg/awsclient/s3client presigns them, without linking the S3 SDK: the account pages need
// it for their Content-Security-Policy and nothing else of S3.
package bucketurl

import (
	"net/url"
	"os"
	"strings"
)

// Origin is scheme://host[:port] of bucket's object URLs: the endpoint override
// AWS_ENDPOINT_URL_S3 when set (path-style, as s3client addresses it then), else the
// regional virtual-hosted S3 host of AWS_REGION; "" without a bucket or a region.
func Origin(bucket string) string {
	if bucket == "" {
		return ""
	}
	if ep := os.Getenv("AWS_ENDPOINT_URL_S3"); ep != "" {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" {
			return ""
		}
		return u.Scheme + "://" + u.Host
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return ""
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	if strings.Contains(bucket, ".") {
		// The SDK signs such buckets path-style: a dot breaks the wildcard certificate.
		return "https://s3." + region + "." + suffix
	}
	return "https://" + bucket + ".s3." + region + "." + suffix
}
