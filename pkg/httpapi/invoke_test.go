package httpapi

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// restEvent is a REST API proxy event as API Gateway sends it (payload 1.0).
const restEvent = `{"resource":"/v1/users/{id}","path":"/v1/users/abc","httpMethod":"PATCH",
"headers":{"Accept-Language":"de","Authorization":"Bearer t","Content-Type":"application/json","Origin":"https://app.example.com","User-Agent":"ua/1","X-Forwarded-For":"203.0.113.7, 130.176.0.1"},
"multiValueHeaders":{"Accept-Language":["de"],"Authorization":["Bearer t"],"Content-Type":["application/json"],"Origin":["https://app.example.com"],"User-Agent":["ua/1"],"X-Forwarded-For":["203.0.113.7, 130.176.0.1"]},
"queryStringParameters":{"all":"true"},"multiValueQueryStringParameters":{"all":["true"]},
"pathParameters":{"id":"abc"},"stageVariables":null,
"requestContext":{"resourceId":"x1","resourcePath":"/v1/users/{id}","httpMethod":"PATCH","extendedRequestId":"e=","requestTime":"09/Apr/2015:12:34:56 +0000","path":"/prod/v1/users/abc","accountId":"123456789012","protocol":"HTTP/1.1","stage":"prod","domainPrefix":"abc123","requestTimeEpoch":1428582896000,"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","identity":{"cognitoIdentityPoolId":null,"accountId":null,"sourceIp":"203.0.113.7","userAgent":"ua/1","user":null},"domainName":"abc123.execute-api.eu-west-1.amazonaws.com","apiId":"abc123"},
"body":"eyJhIjoxfQ==","isBase64Encoded":true}`

// The lean decoding gives Request every member it reads, and the answer's bytes are the
// ones aws-lambda-go's own encoding gives.
func TestInvokeDecodesWhatRequestReads(t *testing.T) {
	var got events.APIGatewayProxyRequest
	l := Lambda(func(_ context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		got = ev
		return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "text/html", "X-B": "b"},
			Body: `{"html":"<p>&amp;</p>","n":1}`}, nil
	})
	out, err := l.Invoke(context.Background(), []byte(restEvent))
	if err != nil {
		t.Fatal(err)
	}
	want, err := lambda.NewHandler(func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return l(ctx, ev)
	}).Invoke(context.Background(), []byte(restEvent))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(want) {
		t.Errorf("response\n%s\nwant aws-lambda-go's\n%s", out, want)
	}

	var full events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(restEvent), &full); err != nil {
		t.Fatal(err)
	}
	a, b := &Request{Event: &got}, &Request{Event: &full}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"resource", got.Resource, full.Resource}, {"path", got.Path, full.Path}, {"method", got.HTTPMethod, full.HTTPMethod},
		{"headers", got.Headers, full.Headers}, {"query", got.QueryStringParameters, full.QueryStringParameters},
		{"path parameters", got.PathParameters, full.PathParameters},
		{"request id", got.RequestContext.RequestID, full.RequestContext.RequestID},
		{"domain", got.RequestContext.DomainName, full.RequestContext.DomainName},
		{"stage", got.RequestContext.Stage, full.RequestContext.Stage},
		{"Header", a.Header("origin"), b.Header("origin")}, {"Query", a.Query("all"), b.Query("all")},
		{"ClientIP", a.ClientIP(), b.ClientIP()}, {"UserAgent", a.UserAgent(), b.UserAgent()},
		{"Issuer", Issuer("", a), Issuer("", b)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	ab, aerr := a.Body()
	bb, berr := b.Body()
	if string(ab) != string(bb) || aerr != nil || berr != nil {
		t.Errorf("Body: %q (%v), want %q (%v)", ab, aerr, bb, berr)
	}
}

// A payload that is not an event fails the invocation, as aws-lambda-go's decoding does.
func TestInvokeBadPayload(t *testing.T) {
	l := Lambda(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		t.Error("handler called")
		return events.APIGatewayProxyResponse{}, nil
	})
	if _, err := l.Invoke(context.Background(), []byte(`{"headers":7}`)); err == nil {
		t.Error("no error")
	}
}

// The events scanEvent reads itself (scan true) and those it leaves to encoding/json;
// where it reads one, the result is encoding/json's.
var scannedEvents = []struct {
	name  string
	event string
	scan  bool
}{
	{"API Gateway's REST event", restEvent, true},
	{"nulls where API Gateway puts them", `{"resource":"/v1/me","path":"/v1/me","httpMethod":"GET","headers":null,"multiValueHeaders":null,` +
		`"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,` +
		`"requestContext":{"authorizer":{"claims":null,"scopes":null,"principalId":"u","integrationLatency":12},"identity":` +
		`{"sourceIp":null,"userAgent":null,"clientCert":null},"requestTimeEpoch":1.7e12,"requestId":"r"},"body":null,"isBase64Encoded":null}`, true},
	{"escapes, UTF-8 and bytes not UTF-8", "{\"body\":\"{\\\"name\\\":\\\"Jos\\u00e9\\\\n\\\"}\",\"headers\":{\"X-Ü\":\"日本\xff\"},\"path\":\"/a\\/b\"}", true},
	{"white space everywhere", " {\n\t\"path\" : \"/x\" , \"headers\" : { \"A\" : \"b\" } ,\"n\":[ 1 , -0.5e+3 , true , false , null , { } , [ ] ] } \n", true},
	{"an empty object", `{}`, true},
	{"a member named twice", `{"headers":{"A":"1"},"headers":{"B":"2"}}`, false},
	{"a member in another case", `{"Body":"x"}`, false},
	{"a context member in another case", `{"requestContext":{"RequestID":"x"}}`, false},
	{"an identity member named twice", `{"requestContext":{"identity":{"sourceIp":"a","sourceIp":"b"}}}`, false},
	{"a null in a map", `{"headers":{"A":null}}`, false},
	{"a number for a string", `{"body":1}`, false},
	{"a string for a bool", `{"isBase64Encoded":"true"}`, false},
	{"a bad number", `{"x":01}`, false},
	{"a bad escape", `{"body":"\x"}`, false},
	{"trailing bytes", `{} {}`, false},
	{"cut", `{"body":"abc`, false},
	{"not an object", `[]`, false},
	{"empty", ``, false},
}

func TestScanEventAsEncodingJSON(t *testing.T) {
	for _, c := range scannedEvents {
		t.Run(c.name, func(t *testing.T) {
			got, ok := scanEvent([]byte(c.event))
			if ok != c.scan {
				t.Errorf("scanned: %v, want %v", ok, c.scan)
			}
			checkScan(t, c.event, got, ok)
		})
	}
}

// checkScan fails t if scanEvent read event (ok) where encoding/json fails or differs.
func checkScan(t *testing.T, event string, got proxyEvent, ok bool) {
	t.Helper()
	if !ok {
		return
	}
	var want proxyEvent
	if err := json.Unmarshal([]byte(event), &want); err != nil {
		t.Fatalf("scanned %q, which encoding/json refuses: %v", event, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event %q:\nscanned        %#v\nencoding/json  %#v", event, got, want)
	}
}

// Whatever the payload, what scanEvent reads is what encoding/json reads.
func FuzzScanEvent(f *testing.F) {
	for _, c := range scannedEvents {
		f.Add(c.event)
	}
	f.Fuzz(func(t *testing.T, event string) {
		got, ok := scanEvent([]byte(event))
		checkScan(t, event, got, ok)
	})
}

// Decoding API Gateway's event: the scan against encoding/json.
func BenchmarkDecodeEvent(b *testing.B) {
	payload := []byte(restEvent)
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev proxyEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := scanEvent(payload); !ok {
				b.Fatal("not scanned")
			}
		}
	})
}
