package localstack

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/samtemplate"
)

func kmsClient(url string) *kms.Client {
	return kms.New(kms.Options{Region: samtemplate.LocalRegion, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

// local-kms in process: the SDK's calls the key ring makes work against a key of fixed
// id, and a key kept on disk still opens what it encrypted after a restart.
func TestKMS(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "kms")
	k, err := StartKMS(0, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.URL(), "http://127.0.0.1:") {
		t.Errorf("KMS listens at %s, want 127.0.0.1 only", k.URL())
	}
	id := LocalKeyID("SecretsKey")
	if id != LocalKeyID("SecretsKey") || id == LocalKeyID("OtherKey") || len(id) != 36 {
		t.Errorf("LocalKeyID %q: want a fixed UUID per logical ID", id)
	}
	arn, err := k.EnsureKey(id, "test")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := k.EnsureKey(id, "test"); err != nil || again != arn {
		t.Errorf("EnsureKey twice: got %q, %v; want %q", again, err, arn)
	}
	dk := kmsclient.NewDataKeys(kmsClient(k.URL()), arn)
	plain, ct, keyID, err := dk.GenerateDataKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 32 || keyID != arn || bytes.Contains(ct, plain) {
		t.Errorf("data key: %d bytes, key %q; want 32 bytes under %s, not in the ciphertext", len(plain), keyID, arn)
	}
	// Under another key id the ciphertext does not open: the adapter names its key.
	other, _ := k.EnsureKey(LocalKeyID("OtherKey"), "other")
	if _, err := kmsclient.NewDataKeys(kmsClient(k.URL()), other).Decrypt(ctx, ct); err == nil {
		t.Error("decrypt naming another key: got no error")
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}

	k, err = StartKMS(0, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	got, err := kmsclient.NewDataKeys(kmsClient(k.URL()), arn).Decrypt(ctx, ct)
	if err != nil || !bytes.Equal(got, plain) {
		t.Errorf("after a restart: got %x, %v; want the data key back", got, err)
	}
	// An unknown operation is not a crash.
	if _, err := kmsClient(k.URL()).ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(id)}); err == nil {
		t.Error("an operation local-kms lacks: got no error")
	}
}

const customTemplate = `
Resources:
  InitFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Environment: {Variables: {KEY: !GetAtt Key.Arn}}
  Key:
    Type: AWS::KMS::Key
  Ring:
    Type: Custom::Thing
    Properties:
      ServiceToken: !GetAtt InitFunction.Arn
      Key: !Ref Key
`

// Custom resources: the function of each gets a Create event and answers at the local
// ResponseURL; FAILED, no answer or an unknown ServiceToken fail the start.
func TestCustomResources(t *testing.T) {
	dir := t.TempDir()
	buildEcho(t, dir, "init")
	defer func(d time.Duration) { customAnswerWait = d }(customAnswerWait)
	customAnswerWait = 200 * time.Millisecond
	cases := []struct {
		name  string
		props string
		want  string // "" for success, else part of the error
	}{
		{"success", "", ""},
		{"failed", "\n      Fail: no data key for you", "answered FAILED: no data key for you"},
		{"no answer", "\n      Silent: yes", "without answering"},
		{"unknown service token", "\n      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:Nope", "is not the ARN of a function"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := customTemplate + tc.props
			if strings.Contains(tc.props, "ServiceToken") {
				text = strings.Replace(customTemplate, "      ServiceToken: !GetAtt InitFunction.Arn\n", "", 1) + tc.props
			}
			tpl, err := samtemplate.Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s := &Stack{Template: tpl, functions: map[string]*function{}, log: &syncWriter{w: &logs}}
			defer func() {
				for _, f := range s.functions {
					f.close()
				}
			}()
			res := tpl.Resolver(nil, nil)
			res.Refs = localRefs(tpl, res)
			if err := s.startFunctions(Options{BuildDir: dir}, res); err != nil {
				t.Fatal(err)
			}
			err = s.runCustomResources(context.Background(), res)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want success\n%s", err, logs.String())
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error with %q", err, tc.want)
			case tc.want == "" && !strings.Contains(logs.String(), "custom resource Ring (Custom::Thing) created by InitFunction"):
				t.Errorf("log %q, want the creation logged", logs.String())
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Error("timed out")
			}
		})
	}
	// The key's Ref and Arn resolve to its fixed local id.
	tpl, _ := samtemplate.Parse([]byte(customTemplate))
	res := tpl.Resolver(nil, nil)
	refs := localRefs(tpl, res)
	if refs["Key"] != LocalKeyID("Key") || refs["Key.Arn"] != KeyARN(LocalKeyID("Key")) {
		t.Errorf("Key refs %q and %q, want the fixed id and its ARN", refs["Key"], refs["Key.Arn"])
	}
}
