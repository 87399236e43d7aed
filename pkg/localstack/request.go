package localstack

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// proxyRequest builds the payload-1.0 event API Gateway's REST proxy
// integration sends for r, whose body has been read into body.
func proxyRequest(r *http.Request, body []byte, rt *route, params map[string]string, requestID string, now time.Time) events.APIGatewayProxyRequest {
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	headers, multiHeaders := proxyHeaders(r, sourceIP, requestID)

	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			query[k] = vs[len(vs)-1] // REST APIs keep the last of repeated keys
			multiQuery[k] = vs
		}
	}

	ev := events.APIGatewayProxyRequest{
		Resource:                        rt.resource,
		Path:                            r.URL.EscapedPath(),
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               multiHeaders,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         samtemplate.LocalAccountID,
			ResourceID:        resourceID(rt.resource),
			Stage:             rt.api.StageName,
			DomainName:        r.Host,
			DomainPrefix:      strings.Split(r.Host, ".")[0],
			RequestID:         requestID,
			ExtendedRequestID: requestID,
			Protocol:          r.Proto,
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
			ResourcePath:     rt.resource,
			Path:             path.Join("/", rt.api.StageName, r.URL.EscapedPath()),
			HTTPMethod:       r.Method,
			RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(),
			APIID:            "local",
		},
	}
	if len(body) > 0 {
		if isBinary(r.Header.Get("Content-Type"), rt.api.BinaryMediaTypes) {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			ev.Body = string(body)
		}
	}
	return ev
}

// proxyHeaders returns the request's headers, single- and multi-valued, with
// the ones API Gateway adds on its way to the function.
func proxyHeaders(r *http.Request, sourceIP, requestID string) (map[string]string, map[string][]string) {
	multi := make(map[string][]string, len(r.Header)+5)
	for k, vs := range r.Header {
		multi[k] = append([]string(nil), vs...)
	}
	// Go moves Host out of the header map; API Gateway passes it on.
	multi["Host"] = []string{r.Host}
	if prior := multi["X-Forwarded-For"]; len(prior) > 0 {
		multi["X-Forwarded-For"] = []string{strings.Join(prior, ", ") + ", " + sourceIP}
	} else {
		multi["X-Forwarded-For"] = []string{sourceIP}
	}
	port := "80"
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	multi["X-Forwarded-Port"] = []string{port}
	multi["X-Forwarded-Proto"] = []string{"http"}
	multi["X-Amzn-Trace-Id"] = []string{strings.SplitN(traceID(requestID), ";", 2)[0]}
	single := make(map[string]string, len(multi))
	for k, vs := range multi {
		single[k] = vs[len(vs)-1]
	}
	return single, multi
}

// isBinary reports whether contentType matches one of the Api's
// BinaryMediaTypes ("image/png", "image/*", "*/*").
func isBinary(contentType string, binaryTypes []string) bool {
	if contentType == "" || len(binaryTypes) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	typ, sub, _ := strings.Cut(mt, "/")
	for _, b := range binaryTypes {
		bt, bs, _ := strings.Cut(strings.ToLower(b), "/")
		if (bt == "*" || bt == typ) && (bs == "*" || bs == sub) {
			return true
		}
	}
	return false
}

// resourceID gives each resource path a stable short ID, like API Gateway's.
func resourceID(resource string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(resource); i++ {
		h = (h ^ uint32(resource[i])) * 16777619
	}
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 6)
	for i := range b {
		b[i] = digits[h%36]
		h /= 36
	}
	return string(b)
}
