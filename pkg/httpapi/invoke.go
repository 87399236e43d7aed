package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/jsonscan"
)

// Invoke makes a Lambda an aws-lambda-go Handler, so that lambda.Start(Route(...)) hands it
// the event's bytes instead of calling it through reflection: it decodes only the members
// of the REST proxy event that Request reads (proxyEvent), in one pass (scanEvent), and
// encodes the response without HTML escaping, as aws-lambda-go does. Every warm invocation
// pays for the event's decoding, and API Gateway's event carries every header twice
// (headers and multiValueHeaders) and a request context mostly unread.
func (l Lambda) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	in, ok := scanEvent(payload)
	if !ok {
		// What the scan does not know (never API Gateway's own events) encoding/json
		// decides, with its errors.
		in = proxyEvent{}
		if err := json.Unmarshal(payload, &in); err != nil {
			return nil, err
		}
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

// scanEvent reads a proxy event in one pass (jsonscan), skipping the members Request does
// not read; encoding/json's reflection over the event was the largest part of a warm
// invocation's decoding. It fails (false) where encoding/json might decode differently:
// a member named twice (encoding/json merges the objects), a member that matches a field
// only without regard to case, a null inside a map.
func scanEvent(b []byte) (proxyEvent, bool) {
	var ev proxyEvent
	s := jsonscan.New(b)
	seen := members{known: eventMembers}
	ok := s.Object(func(key string) bool {
		var ok bool
		switch key {
		case "resource":
			ev.Resource, ok = s.StringOrNull()
		case "path":
			ev.Path, ok = s.StringOrNull()
		case "httpMethod":
			ev.HTTPMethod, ok = s.StringOrNull()
		case "headers":
			ev.Headers, ok = s.StringMap()
		case "queryStringParameters":
			ev.QueryStringParameters, ok = s.StringMap()
		case "pathParameters":
			ev.PathParameters, ok = s.StringMap()
		case "body":
			ev.Body, ok = s.StringOrNull()
		case "isBase64Encoded":
			ev.IsBase64Encoded, ok = s.Bool()
			ok = ok || s.Null()
		case "requestContext":
			ok = scanContext(s, &ev)
		default:
			return seen.unread(key) && s.Skip()
		}
		return ok && seen.first(key)
	})
	return ev, ok && s.End()
}

// eventMembers, contextMembers and identityMembers are the members proxyEvent reads at
// each level.
var (
	eventMembers = []string{"resource", "path", "httpMethod", "headers", "queryStringParameters",
		"pathParameters", "body", "isBase64Encoded", "requestContext"}
	contextMembers  = []string{"requestId", "domainName", "stage", "identity"}
	identityMembers = []string{"sourceIp", "userAgent"}
)

// members records which of known (at most 16) an object has named so far.
type members struct {
	known []string
	seen  uint16
}

// first records key, one of known, and reports whether it is its first time.
func (m *members) first(key string) bool {
	for i, k := range m.known {
		if k == key {
			if m.seen&(1<<i) != 0 {
				return false
			}
			m.seen |= 1 << i
			return true
		}
	}
	return false
}

// unread reports whether key, a member not read, is none of known in another case (which
// encoding/json would decode into it).
func (m *members) unread(key string) bool {
	for _, k := range m.known {
		if strings.EqualFold(k, key) {
			return false
		}
	}
	return true
}

// scanContext reads the request context's members that proxyEvent holds.
func scanContext(s *jsonscan.Scanner, ev *proxyEvent) bool {
	if s.Null() {
		return true
	}
	rc := &ev.RequestContext
	seen := members{known: contextMembers}
	return s.Object(func(key string) bool {
		var ok bool
		switch key {
		case "requestId":
			rc.RequestID, ok = s.StringOrNull()
		case "domainName":
			rc.DomainName, ok = s.StringOrNull()
		case "stage":
			rc.Stage, ok = s.StringOrNull()
		case "identity":
			if s.Null() {
				ok = true
				break
			}
			inner := members{known: identityMembers}
			ok = s.Object(func(key string) bool {
				var ok bool
				switch key {
				case "sourceIp":
					rc.Identity.SourceIP, ok = s.StringOrNull()
				case "userAgent":
					rc.Identity.UserAgent, ok = s.StringOrNull()
				default:
					return inner.unread(key) && s.Skip()
				}
				return ok && inner.first(key)
			})
		default:
			return seen.unread(key) && s.Skip()
		}
		return ok && seen.first(key)
	})
}
