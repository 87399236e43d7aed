// Package s3url signs GET URLs of S3 objects with Signature Version 4 alone (see
// pkg/awsclient). Nearly every function renders a user's avatar_url, which takes a
// signature and no request to S3: signing it here keeps the S3 client, megabytes of
// binary, out of every function but those that write or delete objects.
//
// The URLs are the ones the SDK's s3.PresignClient makes (the tests hold them to be equal
// byte for byte): virtual-hosted on the region's S3 endpoint, or path style on the
// AWS_ENDPOINT_URL_S3 override, as pkg/awsclient/s3client addresses the bucket.
package s3url

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/bucketurl"
)

// MaxTTL is the longest lifetime SigV4 allows a presigned URL.
const MaxTTL = 7 * 24 * time.Hour

// unsignedPayload is the payload hash of a presigned S3 request: the body is not signed.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Presigner signs GET URLs of the objects of one bucket.
type Presigner struct {
	creds     aws.CredentialsProvider
	region    string
	bucket    string
	endpoint  *url.URL // scheme and host, with the bucket in the path when pathStyle
	pathStyle bool
	err       error // a bad endpoint override, reported by every GetURL
	signer    *v4.Signer
	now       func() time.Time
}

// New returns a presigner for bucket with the region and credentials of cfg and the
// endpoint override AWS_ENDPOINT_URL_S3, if set.
func New(cfg aws.Config, bucket string) *Presigner {
	return newPresigner(cfg, bucket, aws.ToString(awsclient.Endpoint("AWS_ENDPOINT_URL_S3")), time.Now)
}

func newPresigner(cfg aws.Config, bucket, override string, now func() time.Time) *Presigner {
	p := &Presigner{
		creds:  cfg.Credentials,
		region: cfg.Region,
		bucket: bucket,
		// S3 signs the path as sent: escaping it again would break keys with reserved
		// characters (the S3 client sets the same option).
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
		now:    now,
	}
	var err error
	if p.endpoint, p.pathStyle, err = bucketurl.Endpoint(bucket, cfg.Region, override); err != nil {
		p.err = fmt.Errorf("s3url: %w", err)
	}
	return p
}

// GetURL returns a URL that GETs the object under key for ttl (whole seconds, at most
// MaxTTL). It is local computation: it cannot tell whether the object exists.
func (p *Presigner) GetURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if p.err != nil {
		return "", p.err
	}
	if key == "" {
		return "", errors.New("s3url: empty key")
	}
	if ttl < time.Second || ttl > MaxTTL {
		return "", fmt.Errorf("s3url: lifetime %v outside 1s..%v", ttl, MaxTTL)
	}
	if p.creds == nil {
		return "", errors.New("s3url: no credentials")
	}
	creds, err := p.creds.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("s3url: credentials: %w", err)
	}
	path, raw := "/"+key, "/"+escapePath(key)
	if p.pathStyle {
		prefix := strings.TrimSuffix(p.endpoint.Path, "/") + "/" + p.bucket
		path, raw = prefix+path, prefix+raw
	}
	q := url.Values{}
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(ttl/time.Second), 10))
	// The operation name the SDK's presigner adds; S3 ignores it.
	q.Set("x-id", "GetObject")
	u := &url.URL{Scheme: p.endpoint.Scheme, Host: p.endpoint.Host, Path: path, RawPath: raw, RawQuery: q.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("s3url: %w", err)
	}
	signed, _, err := p.signer.PresignHTTP(ctx, creds, req, unsignedPayload, "s3", p.region, p.now())
	if err != nil {
		return "", fmt.Errorf("s3url: sign %s: %w", key, err)
	}
	return signed, nil
}

// escapePath percent-encodes all but S3's unreserved characters, keeping the slashes, as
// the SDK escapes object keys in paths.
func escapePath(key string) string {
	var b strings.Builder
	for _, c := range []byte(key) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
