package bucketurl

import "testing"

func TestOrigin(t *testing.T) {
	tests := []struct {
		name, bucket, region, override, want string
	}{
		{"virtual host", "stack-avatarbucket-1x", "eu-west-1", "", "https://stack-avatarbucket-1x.s3.eu-west-1.amazonaws.com"},
		{"China", "b-1", "cn-north-1", "", "https://b-1.s3.cn-north-1.amazonaws.com.cn"},
		{"a dotted name goes in the path", "my.bucket", "us-east-1", "", "https://s3.us-east-1.amazonaws.com"},
		{"the local override", "userbase-local", "us-east-1", "http://127.0.0.1:9000", "http://127.0.0.1:9000"},
		{"no bucket", "", "us-east-1", "", ""},
		{"no region", "b-1", "", "", ""},
		{"a bad override", "b-1", "us-east-1", "::nonsense", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", tt.region)
			t.Setenv("AWS_DEFAULT_REGION", "")
			t.Setenv("AWS_ENDPOINT_URL_S3", tt.override)
			if got := Origin(tt.bucket); got != tt.want {
				t.Errorf("Origin(%q) = %q, want %q", tt.bucket, got, tt.want)
			}
		})
	}
}
