package localstack

import (
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/samtemplate"
)

const envTemplate = `
Parameters:
  ConfirmationUrlAllowlist: {Type: String, Default: "https://app.example.com/*"}
  LogLevel: {Type: String, Default: info}
Conditions:
  Verbose: !Equals [!Ref LogLevel, debug]
Globals:
  Function:
    MemorySize: 512
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        BUCKET_NAME: !Ref Avatars
        CONFIRMATION_URL_ALLOWLIST: !Ref ConfirmationUrlAllowlist
        FAILED_QUEUE: !GetAtt Failed.Arn
        STREAM: !GetAtt Table.StreamArn
        TRACE: !If [Verbose, "on", !Ref AWS::NoValue]
        AWS_ENDPOINT_URL_SES: "" # declared for sam local; the local stack's endpoint wins
Resources:
  MailerFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-mailer"
      Environment:
        Variables:
          MAIL_FROM: no-reply@example.com
  Table:
    Type: AWS::DynamoDB::Table
  Avatars:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: Avatars-Local
  Failed:
    Type: AWS::SQS::Queue
`

func TestFunctionEnv(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(envTemplate))
	if err != nil {
		t.Fatal(err)
	}
	res := tpl.Resolver(LocalParameters(), nil)
	res.Refs = localRefs(tpl, res)
	res.Refs["Table.StreamArn"] = "arn:stream"
	f, err := tpl.Function("MailerFunction")
	if err != nil {
		t.Fatal(err)
	}
	list, err := functionEnv(f, res.Refs["MailerFunction"], "/build/mailer", res,
		map[string]string{"AWS_ENDPOINT_URL_SES": "http://127.0.0.1:1"},
		map[string]string{"MAIL_FROM": "override@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	want := map[string]string{
		"TABLE_NAME":                      "userbase-local-Table",
		"BUCKET_NAME":                     "avatars-local",
		"CONFIRMATION_URL_ALLOWLIST":      "http://localhost:*,http://127.0.0.1:*",
		"FAILED_QUEUE":                    "arn:aws:sqs:us-east-1:123456789012:userbase-local-Failed",
		"STREAM":                          "arn:stream",
		"MAIL_FROM":                       "override@example.com",
		"AWS_ENDPOINT_URL_SES":            "http://127.0.0.1:1",
		"AWS_LAMBDA_FUNCTION_NAME":        "userbase-local-mailer",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_REGION":                      "us-east-1",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                "/build/mailer",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s: got %q, want %q", k, env[k], v)
		}
	}
	if _, ok := env["TRACE"]; ok {
		t.Error("TRACE is set, want it left out (AWS::NoValue)")
	}
	if env["AWS_ACCESS_KEY_ID"] == "" || env["AWS_SECRET_ACCESS_KEY"] == "" {
		t.Error("dummy credentials missing")
	}
}

func TestFunctionEnvUnresolved(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(`
Resources:
  XFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: {A: !ImportValue shared-thing}}
`))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := tpl.Function("XFunction")
	if _, err := functionEnv(f, "x", "/", tpl.Resolver(nil, nil), nil, nil); err == nil || !strings.Contains(err.Error(), "XFunction environment A") {
		t.Errorf("got %v, want an error naming the function and the variable", err)
	}
}

func TestPrefixWriter(t *testing.T) {
	var b strings.Builder
	w := newPrefixWriter("fn", &b)
	for _, part := range []string{"one\ntw", "o\n", "three"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := b.String(), "[fn] one\n[fn] two\n"; got != want {
		t.Errorf("got %q, want %q (the unfinished line held back)", got, want)
	}
	w.flush()
	if got, want := b.String(), "[fn] one\n[fn] two\n[fn] three\n"; got != want {
		t.Errorf("after flush: got %q, want %q", got, want)
	}
}

// Passkeys locally: relying party localhost, the API's own origin with the port it got.
func TestLocalParametersNameTheAPIPort(t *testing.T) {
	p := withAPIPort(LocalParameters(), 3123)
	if p["WebAuthnRpId"] != "localhost" || p["WebAuthnOrigins"] != "http://localhost:3123" {
		t.Errorf("WebAuthnRpId %q, WebAuthnOrigins %q; want localhost, http://localhost:3123", p["WebAuthnRpId"], p["WebAuthnOrigins"])
	}
	if p["CorsAllowedOrigins"] != LocalParameters()["CorsAllowedOrigins"] {
		t.Error("a value without the placeholder changed")
	}
}
