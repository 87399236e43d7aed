// Package bucketurl says where the objects of an S3 bucket are addressed: the regional
// virtual host, path style on the region's endpoint for a name that cannot be a host label,
// or path style on the AWS_ENDPOINT_URL_S3 override, as pkg/awsclient/s3client addresses
// the bucket. pkg/awsclient/s3url signs URLs there; the account pages admit its origin in
// their Content-Security-Policy. It links no SDK.
package bucketurl

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Endpoint returns the scheme and host (with a path prefix for an override) where the
// objects of bucket in region are addressed, and whether the bucket goes in the path.
// override is the AWS_ENDPOINT_URL_S3 value, "" for none.
func Endpoint(bucket, region, override string) (*url.URL, bool, error) {
	switch {
	case override != "":
		// Local S3 servers take the bucket in the path, as s3client sets UsePathStyle.
		u, err := url.Parse(override)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return u, true, fmt.Errorf("endpoint override %q is not an absolute URL", override)
		}
		return u, true, nil
	case virtualHostable(bucket):
		return &url.URL{Scheme: "https", Host: bucket + ".s3." + region + "." + dnsSuffix(region)}, false, nil
	default:
		// A bucket name with dots does not match the wildcard certificate of the virtual
		// host, so the SDK falls back to path style, and so do we.
		return &url.URL{Scheme: "https", Host: "s3." + region + "." + dnsSuffix(region)}, true, nil
	}
}

// Origin is scheme://host[:port] of the object URLs of bucket in this process's
// environment (AWS_REGION, AWS_ENDPOINT_URL_S3); "" without a bucket or a region.
func Origin(bucket string) string {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	override := os.Getenv("AWS_ENDPOINT_URL_S3")
	if bucket == "" || region == "" && override == "" {
		return ""
	}
	u, _, err := Endpoint(bucket, region, override)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// virtualHostable reports whether bucket can be the first label of an HTTPS host name.
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for _, c := range []byte(bucket) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// dnsSuffix is the domain of the S3 endpoints of region's partition.
func dnsSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}
