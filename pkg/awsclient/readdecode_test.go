package awsclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// answer is one canned DynamoDB answer.
type answer struct {
	status int
	body   string
	cut    bool // the connection breaks after the body
}

// canned serves the same answer to every request.
type canned struct{ a answer }

func (c canned) Do(req *http.Request) (*http.Response, error) {
	var body io.Reader = bytes.NewReader([]byte(c.a.body))
	if c.a.cut {
		body = io.MultiReader(body, errorReader{errors.New("connection reset by peer")})
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Requestid", "REQ1")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(c.a.body))), 10))
	return &http.Response{StatusCode: c.a.status, Header: h, Body: io.NopCloser(body), Request: req}, nil
}

// client is a DynamoDB client answered by a, with leanReads or with the SDK's own decoding.
func client(a answer, lean bool) *dynamodb.Client {
	o := dynamodb.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:       canned{a},
		BaseEndpoint:     aws.String("http://127.0.0.1:1"),
		RetryMaxAttempts: 1,
	}
	if lean {
		o.APIOptions = []func(*middleware.Stack) error{useLeanReads}
	}
	return dynamodb.New(o)
}

// read makes both reads with c and returns what each gave, results and errors as text.
func read(c *dynamodb.Client) (get, batch string) {
	ctx := context.Background()
	g, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}})
	get = describe(err, func() any { return []any{g.Item, g.ConsumedCapacity} })
	b, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"t": {Keys: []map[string]types.AttributeValue{{"pk": &types.AttributeValueMemberS{Value: "k"}}}}}})
	batch = describe(err, func() any { return []any{b.Responses, b.UnprocessedKeys, b.ConsumedCapacity} })
	return get, batch
}

// describe is a result's or an error's text, with nil maps and slices told from empty ones.
func describe(err error, result func() any) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%#v", deref(reflect.ValueOf(result())))
}

// deref replaces the pointers in v by what they point at, so %#v prints values, not addresses.
func deref(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return deref(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return "nil slice"
		}
		out := []any{}
		for i := 0; i < v.Len(); i++ {
			out = append(out, deref(v.Index(i)))
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("bytes %q", v.Bytes())
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return "nil map"
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = deref(v.MapIndex(k))
		}
		return out
	case reflect.Struct:
		out := map[string]any{"type": v.Type().String()}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				out[v.Type().Field(i).Name] = deref(v.Field(i))
			}
		}
		return out
	}
	if v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return "invalid"
}

// The answers leanReads decodes, and those it leaves to the SDK (lean false): both
// clients give the same results and errors for every one.
var answers = []struct {
	name string
	answer
	lean bool // GetItem's (BatchGetItem's, for bodies that start with Responses)
}{
	{"an item of every type", answer{200, `{"Item":{"s":{"S":"x"},"n":{"N":"1.5"},"b":{"B":"aGk="},"t":{"BOOL":true},` +
		`"f":{"BOOL":false},"z":{"NULL":true},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["aGk=",""]},` +
		`"m":{"M":{"k":{"S":"v"},"e":{"M":{}}}},"l":{"L":[{"S":"a"},{"N":"2"},{"L":[]}]},"es":{"SS":[]}}}`, false}, true},
	{"no item", answer{200, `{}`, false}, true},
	{"an empty item", answer{200, ` { "Item" : { } } `, false}, true},
	{"escapes and UTF-8", answer{200, `{"Item":{"name":{"S":"Jos\u00e9 \"Pepe\" \\ \/ \n"},"ünï":{"S":"日本語 ✓"},"e":{"S":""}}}`, false}, true},
	{"bytes not UTF-8", answer{200, "{\"Item\":{\"s\":{\"S\":\"a\xff\xfeb\"}}}", false}, true},
	{"a batch", answer{200, `{"Responses":{"t":[{"pk":{"S":"a"}},{"pk":{"S":"b"},"n":{"N":"3"}}],"u":[]},"UnprocessedKeys":{}}`, false}, true},
	{"a batch with no unprocessed keys member", answer{200, `{"Responses":{"t":[]}}`, false}, true},
	{"unprocessed keys", answer{200, `{"Responses":{"t":[]},"UnprocessedKeys":{"t":{"Keys":[{"pk":{"S":"a"}}]}}}`, false}, false},
	{"consumed capacity", answer{200, `{"Item":{},"ConsumedCapacity":{"TableName":"t","CapacityUnits":0.5}}`, false}, false},
	{"an unknown member", answer{200, `{"Item":{},"Other":1}`, false}, false},
	{"a null attribute", answer{200, `{"Item":{"a":null}}`, false}, false},
	{"a null in an attribute", answer{200, `{"Item":{"a":{"S":null}}}`, false}, false},
	{"an unknown tag", answer{200, `{"Item":{"a":{"X":"1"}}}`, false}, false},
	{"no tag", answer{200, `{"Item":{"a":{}}}`, false}, false},
	{"bad base64", answer{200, `{"Item":{"a":{"B":"!!"}}}`, false}, false},
	{"a number where a string goes", answer{200, `{"Item":{"a":{"S":1}}}`, false}, false},
	{"a control character", answer{200, "{\"Item\":{\"a\":{\"S\":\"a\tb\"}}}", false}, false},
	{"trailing bytes", answer{200, `{"Item":{}} x`, false}, false},
	{"cut JSON", answer{200, `{"Item":{"a":{"S":"x"`, false}, false},
	{"an empty body", answer{200, ``, false}, false},
	{"a broken connection", answer{200, `{"Item":{}}`, true}, false},
	{"an error", answer{400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}`, false}, false},
	{"a throttle", answer{400, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`, false}, false},
}

func TestLeanReadsDecodeAsTheSDK(t *testing.T) {
	for _, c := range answers {
		t.Run(c.name, func(t *testing.T) {
			sdkGet, sdkBatch := read(client(c.answer, false))
			leanGet, leanBatch := read(client(c.answer, true))
			if leanGet != sdkGet {
				t.Errorf("GetItem:\nlean %s\nSDK  %s", leanGet, sdkGet)
			}
			if leanBatch != sdkBatch {
				t.Errorf("BatchGetItem:\nlean %s\nSDK  %s", leanBatch, sdkBatch)
			}
			// The answers it should decode itself it does (else all the above proves is
			// that the SDK agrees with itself).
			decoded := decodeGetItem([]byte(c.body)) != nil
			if bytes.HasPrefix([]byte(c.body), []byte(`{"Responses"`)) {
				decoded = decodeBatchGetItem([]byte(c.body)) != nil
			}
			if c.status == 200 && !c.cut && decoded != c.lean {
				t.Errorf("decoded by leanReads: %v, want %v", decoded, c.lean)
			}
		})
	}
}

// An attribute value of two members the SDK decodes as one of them at random (it ranges
// over a map): leanReads leaves it to the SDK.
func TestLeanReadsLeaveTwoTagsToTheSDK(t *testing.T) {
	if decodeGetItem([]byte(`{"Item":{"a":{"S":"x","N":"1"}}}`)) != nil {
		t.Error("decoded an attribute value of two members")
	}
}

// Whatever DynamoDB answers, both decodings agree.
func FuzzLeanReads(f *testing.F) {
	for _, c := range answers {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if decodeGetItem([]byte(body)) == nil && decodeBatchGetItem([]byte(body)) == nil {
			return // the SDK's alone (and it may answer at random: two-member values)
		}
		sdkGet, sdkBatch := read(client(answer{200, body, false}, false))
		leanGet, leanBatch := read(client(answer{200, body, false}, true))
		if leanGet != sdkGet || leanBatch != sdkBatch {
			t.Errorf("body %q:\nlean %s\n     %s\nSDK  %s\n     %s", body, leanGet, leanBatch, sdkGet, sdkBatch)
		}
	})
}

// The client DynamoDB builds decodes its reads with leanReads, and only its reads.
func TestDynamoDBUsesLeanReads(t *testing.T) {
	c := DynamoDB(aws.Config{Region: "us-east-1", HTTPClient: canned{}})
	for op, want := range map[string]bool{"GetItem": true, "BatchGetItem": true, "Query": false, "TransactWriteItems": false} {
		stack := middleware.NewStack(op, smithyhttp.NewStackRequest)
		if err := stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("OperationDeserializer",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
				middleware.DeserializeOutput, middleware.Metadata, error,
			) {
				return next.HandleDeserialize(ctx, in)
			}), middleware.After); err != nil {
			t.Fatal(err)
		}
		for _, opt := range c.Options().APIOptions {
			if err := opt(stack); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
		}
		m, _ := stack.Deserialize.Get("OperationDeserializer")
		if _, lean := m.(leanReads); lean != want {
			t.Errorf("%s: decoded by leanReads %v, want %v", op, lean, want)
		}
	}
}

// A BatchGetItem of a profile and a session, as GET /v1/me reads them, through the SDK
// with an answer in memory: the client's CPU for one read without the network.
func BenchmarkBatchGetItem(b *testing.B) {
	body := `{"Responses":{"users":[` +
		`{"pk":{"S":"USER#0b9f3c1e-6c1a-4f7e-9a43-2f1d8f6b7c21"},"sk":{"S":"PROFILE"},"email":{"S":"ada@example.com"},` +
		`"name":{"S":"Ada Lovelace"},"phone":{"S":"+447700900123"},"locale":{"S":"en-GB"},"email_verified":{"BOOL":true},` +
		`"created_at":{"S":"2026-11-30T10:00:00Z"},"updated_at":{"S":"2026-12-01T10:00:00Z"},"version":{"N":"7"},` +
		`"roles":{"SS":["member"]},"session_epoch":{"N":"0"},"mfa":{"M":{"totp":{"BOOL":false}}}},` +
		`{"pk":{"S":"SESSION#3f6d9b2a8c7e4d1f"},"sk":{"S":"SESSION"},"user_id":{"S":"0b9f3c1e-6c1a-4f7e-9a43-2f1d8f6b7c21"},` +
		`"expires_at":{"N":"1767225600"},"created_at":{"S":"2026-12-01T10:00:00Z"},"ip":{"S":"127.0.0.1"},"ua":{"S":"Mozilla/5.0"}}` +
		`]},"UnprocessedKeys":{}}`
	in := &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"users": {Keys: []map[string]types.AttributeValue{{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberS{Value: "b"}}}}}}
	for _, lean := range []bool{false, true} {
		c := client(answer{200, body, false}, lean)
		b.Run(map[bool]string{false: "SDK", true: "lean"}[lean], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.BatchGetItem(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
