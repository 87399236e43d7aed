package awsclient

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The template declares the endpoint overrides empty for sam local's env.json: empty must
// mean none, as an unset variable does.
func TestEndpointEmptyIsNone(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
	if e := Endpoint("AWS_ENDPOINT_URL_DYNAMODB"); e != nil {
		t.Errorf("empty variable: endpoint %q, want none", *e)
	}
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
	if e := Endpoint("AWS_ENDPOINT_URL_DYNAMODB"); e == nil || *e != "http://127.0.0.1:8000" {
		t.Errorf("set variable: endpoint %v, want it", e)
	}
}

// The endpoint resolved once is the one the SDK's default resolver gives a call.
func TestResolveOnce(t *testing.T) {
	for _, c := range []struct {
		region string
		base   *string
		want   string
	}{
		{"eu-west-1", nil, "https://dynamodb.eu-west-1.amazonaws.com"},
		{"cn-north-1", nil, "https://dynamodb.cn-north-1.amazonaws.com.cn"},
		{"us-east-1", Endpoint("NO_SUCH_VARIABLE_SET"), "https://dynamodb.us-east-1.amazonaws.com"},
	} {
		f := resolveOnce(c.region, c.base)
		if f.err != nil || f.endpoint.URI.String() != c.want {
			t.Errorf("%s: endpoint %q, error %v; want %q", c.region, f.endpoint.URI.String(), f.err, c.want)
		}
	}
	base := "http://127.0.0.1:8000"
	if f := resolveOnce("us-east-1", &base); f.err != nil || f.endpoint.URI.String() != base {
		t.Errorf("override: endpoint %q, error %v; want %q", f.endpoint.URI.String(), f.err, base)
	}
	if f := resolveOnce("", nil); f.err == nil {
		t.Errorf("no region: endpoint %q, want an error", f.endpoint.URI.String())
	}
}

// TestConfigRetries pins what Config's retry settings give a client: the standard mode the
// SDK would fall back to, three attempts.
func TestConfigRetries(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	o := DynamoDB(Config()).Options()
	if o.RetryMode != aws.RetryModeStandard {
		t.Errorf("RetryMode = %q, want %q", o.RetryMode, aws.RetryModeStandard)
	}
	if n := o.Retryer.MaxAttempts(); n != 3 {
		t.Errorf("MaxAttempts = %d, want 3", n)
	}
}
