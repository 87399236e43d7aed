package localstack

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sys/unix"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// roundTripTemplate exercises what the stack reads from a template: an
// explicit Api with binary types and a gateway response, path parameters,
// a greedy path, per-function timeouts, a filtered stream subscription with
// retries, bisection and an on-failure destination, and the table and
// bucket themselves.
const roundTripTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  ConfirmationUrlAllowlist:
    Type: String
    Default: https://app.example.com/*
Globals:
  Function:
    CodeUri: .
    Runtime: provided.al2023
    Timeout: 10
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        BUCKET_NAME: !Ref Bucket
        CONFIRMATION_URL_ALLOWLIST: !Ref ConfirmationUrlAllowlist
        STACK: !Sub "${AWS::StackName}"
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      BinaryMediaTypes: ["image~1png"]
      GatewayResponses:
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseParameters:
            Headers:
              Content-Type: "'application/problem+json'"
          ResponseTemplates:
            application/json: '{"code":"route_not_found","request_id":"$context.requestId"}'
  EchoFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties:
      MemorySize: 256
      Events:
        Item: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/items/{id}", Method: get}}
        Image: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/items/{id}/image", Method: post}}
        Files: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/files/{proxy+}", Method: any}}
        Barrier: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /barrier, Method: get}}
        Crash: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /crash, Method: get}}
        Error: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /error, Method: get}}
        Malformed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /malformed, Method: get}}
        Png: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /png, Method: get}}
        Mail: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /mail, Method: post}}
  SlowFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 1
      Events:
        Slow: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /slow, Method: get}}
  StreamFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Outbox:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 1
            BisectBatchOnFunctionError: true
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}'
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt FailedMail.Arn
        Profiles:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 100
            FilterCriteria:
              Filters:
                - Pattern: '{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"USER#"}]},"sk":{"S":["PROFILE"]}}}}'
  FailedMail:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: S}
        - {AttributeName: email, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: by-email
          KeySchema: [{AttributeName: email, KeyType: HASH}]
          Projection: {ProjectionType: KEYS_ONLY}
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      Tags: [{Key: app, Value: userbase}]
  Bucket:
    Type: AWS::S3::Bucket
`

// TestStackRoundTrip starts the whole stack on free ports around a test
// Lambda and drives it over HTTP, through the stream and through SES.
func TestStackRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Java, Node and Lambda processes")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPrerequisites(repo); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("local stack prerequisites missing (CI is not set, so skipping):\n%v", err)
		}
		t.Fatalf("local stack prerequisites missing under CI:\n%v", err)
	}

	dir := t.TempDir()
	buildEcho(t, filepath.Join(dir, ".build", "host"), "echo", "slow", "stream")
	tplPath := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(tplPath, []byte(roundTripTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	barrierDir := filepath.Join(dir, "barrier")
	if err := os.Mkdir(barrierDir, 0o755); err != nil {
		t.Fatal(err)
	}
	logs := &syncWriter{w: &bytes.Buffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack log:\n%s", logs.w.(*bytes.Buffer).String())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := Start(ctx, Options{
		Dir:          repo,
		TemplatePath: tplPath,
		BuildDir:     filepath.Join(dir, ".build", "host"),
		Parameters:   LocalParameters(),
		Env:          map[string]string{"BARRIER_DIR": barrierDir},
		Log:          logs,
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			st.Stop()
		}
	}()

	t.Run("event", func(t *testing.T) {
		resp, body := call(t, http.MethodGet, st.APIURL+"/items/a%20b?x=1&x=2&y=z", nil, map[string]string{"X-Test": "yes"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status: got %d, want 200; body %s", resp.StatusCode, body)
		}
		if got := resp.Header.Values("X-Echo"); strings.Join(got, ",") != "a,b" {
			t.Errorf("multi-value response header: got %v, want [a b]", got)
		}
		r := decodeReply(t, body)
		ev := r.Event
		checks := []struct{ name, got, want string }{
			{"resource", ev.Resource, "/items/{id}"},
			{"path", ev.Path, "/items/a%20b"},
			{"method", ev.HTTPMethod, "GET"},
			{"path parameter", ev.PathParameters["id"], "a b"},
			{"query (last value)", ev.QueryStringParameters["x"], "2"},
			{"multi-value query", strings.Join(ev.MultiValueQueryStringParameters["x"], ","), "1,2"},
			{"header", ev.Headers["X-Test"], "yes"},
			{"source IP", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
			{"user agent", ev.RequestContext.Identity.UserAgent, "Go-http-client/1.1"},
			{"stage", ev.RequestContext.Stage, "v1"},
			{"resource path", ev.RequestContext.ResourcePath, "/items/{id}"},
			{"TABLE_NAME", r.Env["TABLE_NAME"], st.TableName},
			{"BUCKET_NAME", r.Env["BUCKET_NAME"], st.BucketName},
			{"CONFIRMATION_URL_ALLOWLIST", r.Env["CONFIRMATION_URL_ALLOWLIST"], "http://localhost:*,http://127.0.0.1:*"},
			{"STACK", r.Env["STACK"], "userbase-local"},
			{"AWS_ENDPOINT_URL_DYNAMODB", r.Env["AWS_ENDPOINT_URL_DYNAMODB"], st.DynamoEndpoint},
			{"AWS_ENDPOINT_URL_S3", r.Env["AWS_ENDPOINT_URL_S3"], st.S3Endpoint},
			{"AWS_ENDPOINT_URL_SES", r.Env["AWS_ENDPOINT_URL_SES"], st.SESEndpoint},
			{"AWS_REGION", r.Env["AWS_REGION"], "us-east-1"},
			{"AWS_LAMBDA_FUNCTION_NAME", r.Env["AWS_LAMBDA_FUNCTION_NAME"], "EchoFunction"},
			{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", r.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256"},
			{"AWS_LAMBDA_FUNCTION_VERSION", r.Env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST"},
			{"AWS_LAMBDA_LOG_FORMAT", r.Env["AWS_LAMBDA_LOG_FORMAT"], "JSON"},
			{"_HANDLER", r.Env["_HANDLER"], "bootstrap"},
			{"BARRIER_DIR (Options.Env)", r.Env["BARRIER_DIR"], barrierDir},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
			}
		}
		if ev.RequestContext.RequestID == "" || resp.Header.Get("X-Amzn-Requestid") != ev.RequestContext.RequestID {
			t.Errorf("request ID: got %q in the event and %q in the response, want the same non-empty value", ev.RequestContext.RequestID, resp.Header.Get("X-Amzn-Requestid"))
		}
	})

	t.Run("binary body", func(t *testing.T) {
		png := []byte("\x89PNG\r\n\x1a\n\x00binary")
		_, body := call(t, http.MethodPost, st.APIURL+"/items/7/image", png, map[string]string{"Content-Type": "image/png"})
		ev := decodeReply(t, body).Event
		if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(png) {
			t.Errorf("image/png body: got base64 %v body %q, want base64 of the bytes", ev.IsBase64Encoded, ev.Body)
		}
		_, body = call(t, http.MethodPost, st.APIURL+"/items/7/image", []byte(`{"a":1}`), map[string]string{"Content-Type": "application/json"})
		ev = decodeReply(t, body).Event
		if ev.IsBase64Encoded || ev.Body != `{"a":1}` {
			t.Errorf("JSON body: got base64 %v body %q, want the text as is", ev.IsBase64Encoded, ev.Body)
		}
		resp, body := call(t, http.MethodGet, st.APIURL+"/png", nil, map[string]string{"Accept": "image/png"})
		if resp.StatusCode != 200 || string(body) != "\x89PNG" {
			t.Errorf("binary response: got %d %q, want 200 and the decoded bytes", resp.StatusCode, body)
		}
	})

	t.Run("greedy path", func(t *testing.T) {
		_, body := call(t, http.MethodDelete, st.APIURL+"/files/a/b/c.txt", nil, nil)
		ev := decodeReply(t, body).Event
		if ev.PathParameters["proxy"] != "a/b/c.txt" || ev.HTTPMethod != "DELETE" {
			t.Errorf("got proxy %q method %q, want a/b/c.txt DELETE", ev.PathParameters["proxy"], ev.HTTPMethod)
		}
	})

	t.Run("no route", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{{"GET", "/nope"}, {"POST", "/items/1"}} {
			resp, body := call(t, c.method, st.APIURL+c.path, nil, nil)
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" ||
				!strings.Contains(string(body), `"code":"route_not_found"`) || strings.Contains(string(body), "$context") {
				t.Errorf("%s %s: got %d %q %s, want the template's 404 gateway response", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		}
	})

	t.Run("body over 10 MB", func(t *testing.T) {
		resp, _ := call(t, http.MethodPost, st.APIURL+"/items/1/image", bytes.Repeat([]byte("x"), maxRequestBody+1), nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("got %d, want 413", resp.StatusCode)
		}
	})

	t.Run("concurrent requests use two instances", func(t *testing.T) {
		var wg sync.WaitGroup
		pids := make([]int, 2)
		for i := range pids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, body := call(t, http.MethodGet, st.APIURL+"/barrier", nil, nil)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("request %d: got %d %s, want 200", i, resp.StatusCode, body)
					return
				}
				pids[i] = decodeReply(t, body).PID
			}()
		}
		wg.Wait()
		if pids[0] == pids[1] {
			t.Errorf("both requests ran in process %d, want two processes", pids[0])
		}
	})

	// pidOf is the process that served a GET of path.
	pidOf := func(t *testing.T, path string) int {
		t.Helper()
		resp, body := call(t, http.MethodGet, st.APIURL+path, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d %s, want 200", resp.StatusCode, body)
		}
		return decodeReply(t, body).PID
	}

	t.Run("recycle starts new processes", func(t *testing.T) {
		pid := func() int { return pidOf(t, "/items/r") }
		before := pid()
		if again := pid(); again != before {
			t.Fatalf("a warm instance was not reused: %d then %d", before, again)
		}
		if err := st.Recycle(); err != nil {
			t.Fatal(err)
		}
		if after := pid(); after == before {
			t.Errorf("after Recycle the request ran in process %d again, want a new one", after)
		}
		if err := st.Recycle("NoSuchFunction"); err == nil {
			t.Error("Recycle of an unknown function: got no error")
		}
	})

	t.Run("an idle instance is frozen until its next invocation", func(t *testing.T) {
		first := pidOf(t, "/items/f")
		if runtime.GOOS != "linux" {
			return // freezing is Linux's only (procattr_other.go)
		}
		// Waits, without reaping, for the instance to stop; the bound is for a failure only.
		stopped := make(chan error, 1)
		go func() {
			var info unix.Siginfo
			stopped <- unix.Waitid(unix.P_PID, first, &info, unix.WSTOPPED|unix.WNOWAIT, nil)
		}()
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatalf("waitid for the idle instance to stop: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the idle instance was not stopped within 10s: Lambda freezes an idle sandbox")
		}
		if again := pidOf(t, "/items/f"); again != first {
			t.Errorf("the frozen instance was not the one reused: %d then %d", first, again)
		}
	})

	t.Run("function failures are 502", func(t *testing.T) {
		for _, path := range []string{"/error", "/malformed", "/crash", "/slow"} {
			resp, body := call(t, http.MethodGet, st.APIURL+path, nil, nil)
			if resp.StatusCode != http.StatusBadGateway || string(body) != `{"message":"Internal server error"}` {
				t.Errorf("%s: got %d %s, want 502 {\"message\":\"Internal server error\"}", path, resp.StatusCode, body)
			}
		}
		// The crashed instance is replaced.
		if resp, body := call(t, http.MethodGet, st.APIURL+"/items/after-crash", nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("after a crash: got %d %s, want 200", resp.StatusCode, body)
		}
	})

	t.Run("mail and SES outage", func(t *testing.T) {
		if resp, body := call(t, http.MethodPost, st.APIURL+"/mail", []byte("one@example.com"), nil); resp.StatusCode != 200 {
			t.Fatalf("send: got %d %s, want 200", resp.StatusCode, body)
		}
		if err := st.SetSESReachable(false); err != nil {
			t.Fatal(err)
		}
		if resp, _ := call(t, http.MethodPost, st.APIURL+"/mail", []byte("lost@example.com"), nil); resp.StatusCode != 500 {
			t.Errorf("send with SES unreachable: got %d, want the function's 500", resp.StatusCode)
		}
		if err := st.SetSESReachable(true); err != nil {
			t.Fatal(err)
		}
		if resp, body := call(t, http.MethodPost, st.APIURL+"/mail", []byte("two@example.com"), nil); resp.StatusCode != 200 {
			t.Errorf("send after SES is back: got %d %s, want 200", resp.StatusCode, body)
		}
		mail, err := st.SentMail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var to []string
		for _, m := range mail {
			to = append(to, m.Destination.To...)
		}
		if strings.Join(to, ",") != "one@example.com,two@example.com" {
			t.Errorf("mail sent to %v, want one@ and two@example.com", to)
		}
	})

	t.Run("stream", func(t *testing.T) {
		db := st.DynamoDB()
		for _, pk := range []string{"OTHER#1", "OUTBOX#1"} {
			putItem(t, db, st.TableName, pk)
		}
		waitFor(t, 20*time.Second, "SEEN#OUTBOX#1", func() bool { return itemExists(t, db, st.TableName, "SEEN#OUTBOX#1") })
		// OTHER#1 came first in the same shard, so it was filtered, not late.
		if itemExists(t, db, st.TableName, "SEEN#OTHER#1") {
			t.Error("SEEN#OTHER#1 exists: the filter let a non-outbox record through")
		}

		putItem(t, db, st.TableName, "OUTBOX#fail-1")
		waitFor(t, 20*time.Second, "a failed batch", func() bool { return len(st.FailedBatches()) > 0 })
		fb := st.FailedBatches()[0]
		if fb.Destination != "arn:aws:sqs:us-east-1:123456789012:userbase-local-FailedMail" || fb.Function != "StreamFunction" ||
			len(fb.Records) != 1 || fb.Records[0].Change.NewImage["pk"].String() != "OUTBOX#fail-1" || fb.ApproximateInvokes != 2 {
			t.Errorf("failed batch: got %+v, want OUTBOX#fail-1 after 2 invocations, sent to the FailedMail queue", fb)
		}
	})

	// The subscription of the user-stream function: every event of profile items, by their
	// keys, with the old images a change and a removal need.
	t.Run("stream of profile items", func(t *testing.T) {
		db := st.DynamoDB()
		putVersion(t, db, st.TableName, "USER#p1", "PROFILE", "v1")
		putVersion(t, db, st.TableName, "EMAIL#p1", "LOCK", "v1")
		putVersion(t, db, st.TableName, "USER#p1", "PROFILE", "v2")
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.TableName, Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "USER#p1"}, "sk": &types.AttributeValueMemberS{Value: "PROFILE"}}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 20*time.Second, "the REMOVE of USER#p1", func() bool { return seen(t, db, st.TableName, "SEEN#USER#p1", "REMOVE") != nil })
		for sk, old := range map[string]string{"SEEN": "", "MODIFY": "v1", "REMOVE": "v2"} {
			it := seen(t, db, st.TableName, "SEEN#USER#p1", sk)
			if it == nil || it["old"].(*types.AttributeValueMemberS).Value != old ||
				!strings.HasSuffix(it["event"].(*types.AttributeValueMemberS).Value, "NEW_AND_OLD_IMAGES") {
				t.Errorf("%s of the profile: %v, want seen with old image %q", sk, it, old)
			}
		}
		// The lock came before the REMOVE in the same shard, so it was filtered, not late.
		if itemExists(t, db, st.TableName, "SEEN#EMAIL#p1") {
			t.Error("SEEN#EMAIL#p1 exists: the profile filter let a lock item through")
		}
	})

	// A table kept from a run whose template had another stream view gets the template's.
	t.Run("a kept table gets the template's stream", func(t *testing.T) {
		db := st.DynamoDB()
		for _, view := range []string{"NEW_IMAGE", "NEW_AND_OLD_IMAGES"} {
			tpl, err := samtemplate.Parse([]byte(strings.Replace(roundTripTemplate, "NEW_AND_OLD_IMAGES", view, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if err := CreateTable(ctx, db, tpl, "Table", "kept"); err != nil {
				t.Fatalf("%s: %v", view, err)
			}
			out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("kept")})
			if err != nil {
				t.Fatal(err)
			}
			if ss := out.Table.StreamSpecification; ss == nil || !aws.ToBool(ss.StreamEnabled) || string(ss.StreamViewType) != view {
				t.Errorf("after CreateTable with %s: stream %+v", view, ss)
			}
		}
	})

	t.Run("S3", func(t *testing.T) {
		client := st.S3()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &st.BucketName, Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")}); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &st.BucketName, Key: aws.String("a/b.txt")})
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		defer out.Body.Close()
		if b, _ := io.ReadAll(out.Body); string(b) != "hello" {
			t.Errorf("object: got %q, want hello", b)
		}
	})

	t.Run("Stop leaves no process", func(t *testing.T) {
		pids := st.ChildPIDs()
		// DynamoDB Local, the SES emulator, and echo and stream instances.
		if len(pids) < 4 {
			t.Errorf("child processes before Stop: got %v, want at least 4", pids)
		}
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			if before := childProcesses(t); len(before) < len(pids) {
				t.Errorf("children seen in /proc: got %v, want at least the stack's %v", before, pids)
			}
		}
		st.Stop()
		stopped = true
		for _, pid := range pids {
			if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("process group %d after Stop: got %v, want ESRCH", pid, err)
			}
		}
		if left := childProcesses(t); len(left) > 0 {
			t.Errorf("child processes of the test after Stop: %v", left)
		}
		if _, err := http.Get(st.APIURL + "/items/1"); err == nil {
			t.Error("the API still answers after Stop")
		}
	})
}

// childProcesses lists the processes whose parent is this test process,
// from /proc (nil where there is no /proc).
func childProcesses(t *testing.T) []string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []string
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid ...": comm may hold spaces, so read after the last ")".
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) {
			out = append(out, s[:strings.LastIndexByte(s, ')')+1])
		}
	}
	return out
}

// buildEcho builds testdata/echo as the bootstrap of each folder under dir.
func buildEcho(t *testing.T, dir string, folders ...string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build testdata/echo: %v\n%s", err, out)
	}
	for _, f := range folders {
		if err := os.MkdirAll(filepath.Join(dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(bin, filepath.Join(dir, f, "bootstrap")); err != nil {
			t.Fatal(err)
		}
	}
}

type echoReply struct {
	Event struct {
		Resource                        string              `json:"resource"`
		Path                            string              `json:"path"`
		HTTPMethod                      string              `json:"httpMethod"`
		Headers                         map[string]string   `json:"headers"`
		QueryStringParameters           map[string]string   `json:"queryStringParameters"`
		MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
		PathParameters                  map[string]string   `json:"pathParameters"`
		Body                            string              `json:"body"`
		IsBase64Encoded                 bool                `json:"isBase64Encoded"`
		RequestContext                  struct {
			RequestID    string `json:"requestId"`
			Stage        string `json:"stage"`
			ResourcePath string `json:"resourcePath"`
			Identity     struct {
				SourceIP  string `json:"sourceIp"`
				UserAgent string `json:"userAgent"`
			} `json:"identity"`
		} `json:"requestContext"`
	} `json:"event"`
	PID int               `json:"pid"`
	Env map[string]string `json:"env"`
}

func decodeReply(t *testing.T, body []byte) echoReply {
	t.Helper()
	var r echoReply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decode echo reply %q: %v", body, err)
	}
	return r
}

func call(t *testing.T, method, url string, body []byte, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 40 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func putItem(t *testing.T, db *dynamodb.Client, table, pk string) {
	t.Helper()
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: &table,
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk},
			"sk": &types.AttributeValueMemberS{Value: "ITEM"},
		},
	})
	if err != nil {
		t.Fatalf("put %s: %v", pk, err)
	}
}

func putVersion(t *testing.T, db *dynamodb.Client, table, pk, sk, v string) {
	t.Helper()
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: &table,
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk},
			"sk": &types.AttributeValueMemberS{Value: sk},
			"v":  &types.AttributeValueMemberS{Value: v},
		},
	})
	if err != nil {
		t.Fatalf("put %s %s: %v", pk, sk, err)
	}
}

// seen reads the SEEN item the stream function wrote for a record (nil when none).
func seen(t *testing.T, db *dynamodb.Client, table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: &table,
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}},
	})
	if err != nil {
		t.Fatalf("get %s %s: %v", pk, sk, err)
	}
	return out.Item
}

func itemExists(t *testing.T, db *dynamodb.Client, table, pk string) bool {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: &table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk},
			"sk": &types.AttributeValueMemberS{Value: "SEEN"},
		},
	})
	if err != nil {
		t.Fatalf("get %s: %v", pk, err)
	}
	return out.Item != nil
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
