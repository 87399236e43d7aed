package httpapi

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// Invoke makes a Lambda an aws-lambda-go Handler, so that lambda.Start(Route(...)) hands it
// the event's bytes instead of calling it through reflection: it decodes only the members
// of the REST proxy event that Request reads (proxyEvent), and encodes the response
// without HTML escaping, as aws-lambda-go does. Every warm invocation pays for the event's
// decoding, and API Gateway's event carries every header twice (headers and
// multiValueHeaders) and a request context mostly unread.
func (l Lambda) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var in proxyEvent
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, err
	}
	out, err := l(ctx, in.event())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil // Encode ends with a newline
}

// proxyEvent is the part of events.APIGatewayProxyRequest that handlers read. A handler
// that reads another member adds it here (TestInvokeDecodesWhatRequestReads lists them).
// multiValueHeaders is left out: API Gateway puts every header in headers too (the last
// value of a repeated one), which is what Request.Header reads.
type proxyEvent struct {
	Resource              string            `json:"resource"`
	Path                  string            `json:"path"`
	HTTPMethod            string            `json:"httpMethod"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	PathParameters        map[string]string `json:"pathParameters"`
	Body                  string            `json:"body"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	RequestContext        struct {
		RequestID  string `json:"requestId"`
		DomainName string `json:"domainName"`
		Stage      string `json:"stage"`
		Identity   struct {
			SourceIP  string `json:"sourceIp"`
			UserAgent string `json:"userAgent"`
		} `json:"identity"`
	} `json:"requestContext"`
}

func (p *proxyEvent) event() events.APIGatewayProxyRequest {
	rc := p.RequestContext
	return events.APIGatewayProxyRequest{
		Resource: p.Resource, Path: p.Path, HTTPMethod: p.HTTPMethod, Headers: p.Headers,
		QueryStringParameters: p.QueryStringParameters, PathParameters: p.PathParameters,
		Body: p.Body, IsBase64Encoded: p.IsBase64Encoded,
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: rc.RequestID, DomainName: rc.DomainName, Stage: rc.Stage,
			Identity: events.APIGatewayRequestIdentity{SourceIP: rc.Identity.SourceIP, UserAgent: rc.Identity.UserAgent},
		},
	}
}
