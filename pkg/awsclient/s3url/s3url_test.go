package s3url

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

var signingTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// atTime is the SDK's own signer with the clock stopped, so its URLs can be compared.
type atTime struct{ s *v4.Signer }

func (a atTime) PresignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return a.s.PresignHTTP(ctx, c, r, payloadHash, service, region, signingTime, optFns...)
}

// sdkURL is what s3.PresignClient makes for the same object, with the S3 client set up
// as pkg/awsclient/s3client sets it up.
func sdkURL(t *testing.T, cfg aws.Config, override, bucket, key string, ttl time.Duration) string {
	t.Helper()
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if override != "" {
			o.BaseEndpoint, o.UsePathStyle = aws.String(override), true
		}
	})
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	pc := s3.NewPresignClient(c, func(o *s3.PresignOptions) { o.Presigner = atTime{signer} })
	req, err := pc.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, s3.WithPresignExpires(ttl))
	if err != nil {
		t.Fatal(err)
	}
	return req.URL
}

func TestSameURLAsTheSDK(t *testing.T) {
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")
	session := credentials.NewStaticCredentialsProvider("ASIAEXAMPLE", "secret", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH")
	for _, tt := range []struct {
		name, region, override, bucket, key string
		creds                               aws.CredentialsProvider
		ttl                                 time.Duration
	}{
		{"virtual-hosted", "eu-west-1", "", "userbase-avatarbucket-1a2b3c", "avatars/01jb0user/0123456789abcdef0123456789abcdef.jpg", creds, 15 * time.Minute},
		{"us-east-1", "us-east-1", "", "userbase-avatarbucket-1a2b3c", "avatars/u/x_thumb.png", creds, time.Hour},
		{"session token", "us-east-1", "", "bucket-1", "avatars/u/a.jpg", session, 15 * time.Minute},
		{"china", "cn-north-1", "", "bucket-1", "avatars/u/a.jpg", creds, time.Minute},
		{"dotted bucket", "eu-central-1", "", "avatars.example.com", "avatars/u/a.jpg", creds, time.Minute},
		{"local path style", "us-east-1", "http://127.0.0.1:9000", "userbase-local", "avatars/u/a.jpg", creds, 15 * time.Minute},
		{"reserved characters", "us-east-1", "http://127.0.0.1:9000", "userbase-local", "avatars/u/a b+c~d=é%.jpg", creds, 7 * 24 * time.Hour},
		{"endpoint with a path", "us-east-1", "http://localhost:9000/s3", "userbase-local", "avatars/u/a.jpg", creds, time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := aws.Config{Region: tt.region, Credentials: tt.creds}
			p := newPresigner(cfg, tt.bucket, tt.override, func() time.Time { return signingTime })
			got, err := p.GetURL(context.Background(), tt.key, tt.ttl)
			if err != nil {
				t.Fatal(err)
			}
			if want := sdkURL(t, cfg, tt.override, tt.bucket, tt.key, tt.ttl); got != want {
				t.Errorf("got  %s\nwant %s (s3.PresignClient)", got, want)
			}
			u, _ := url.Parse(got)
			if q := u.Query(); q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || q.Get("X-Amz-SignedHeaders") != "host" || q.Get("X-Amz-Signature") == "" {
				t.Errorf("got %s, want a SigV4 query-signed URL", got)
			}
		})
	}
}

func TestGetURLRefuses(t *testing.T) {
	ctx := context.Background()
	good := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	for _, tt := range []struct {
		name     string
		cfg      aws.Config
		override string
		key      string
		ttl      time.Duration
	}{
		{"no credentials", aws.Config{Region: "us-east-1"}, "", "k", time.Minute},
		{"empty key", good, "", "", time.Minute},
		{"under a second", good, "", "k", time.Millisecond},
		{"over seven days", good, "", "k", MaxTTL + time.Second},
		{"relative override", good, "localhost:9000", "k", time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if u, err := newPresigner(tt.cfg, "bucket", tt.override, time.Now).GetURL(ctx, tt.key, tt.ttl); err == nil {
				t.Errorf("got %s, want an error", u)
			}
		})
	}
}

// The local stack's S3 server (gofakes3) serves the URLs.
func TestLocalS3ServesTheURL(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("userbase-local"); err != nil {
		t.Fatal(err)
	}
	if _, err := backend.PutObject("userbase-local", "avatars/u/a.jpg", map[string]string{"Content-Type": "image/jpeg"}, strings.NewReader("jpeg bytes"), 10, nil); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithHostBucket(false),
		gofakes3.WithLogger(gofakes3.StdLog(log.New(io.Discard, "", 0))))
	srv := httptest.NewServer(faker.Server())
	defer srv.Close()

	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	u, err := newPresigner(cfg, "userbase-local", srv.URL, time.Now).GetURL(context.Background(), "avatars/u/a.jpg", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "jpeg bytes" {
		t.Errorf("GET %s: got %d %q, want 200 and the object", u, resp.StatusCode, body)
	}
}
