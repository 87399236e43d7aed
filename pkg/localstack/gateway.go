package localstack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// API Gateway's limits: a request body of 10 MB, and 29 s for the
// integration to answer.
const (
	maxRequestBody     = 10 << 20
	integrationTimeout = 29 * time.Second
)

// gateway serves HTTP requests as API Gateway's REST API with Lambda proxy
// integrations does.
type gateway struct {
	router *router
	// defaultAPI answers requests that match no route (its
	// GatewayResponses decide the answer).
	defaultAPI *samtemplate.API
	log        io.Writer
	now        func() time.Time
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := g.now()
	requestID := newUUID()
	w.Header().Set("X-Amzn-Requestid", requestID)
	status, target := g.serve(w, r, requestID, start)
	logLine(g.log, "api", fmt.Sprintf("%s %s -> %s %d (%d ms)", r.Method, r.URL.RequestURI(), target, status, g.now().Sub(start).Milliseconds()))
}

// serve answers r and returns the status written and what answered it, for
// the log line.
func (g *gateway) serve(w http.ResponseWriter, r *http.Request, requestID string, now time.Time) (int, string) {
	rt, params, api := g.router.find(r.Method, r.URL.EscapedPath())
	if api == nil {
		api = g.defaultAPI
	}
	gw := gatewayResponder{w: w, r: r, api: api, params: params, requestID: requestID}
	if rt == nil {
		return gw.write("MISSING_AUTHENTICATION_TOKEN", http.StatusForbidden, "Missing Authentication Token"), "gateway"
	}
	if rt.mock {
		return g.preflight(w, rt), "CORS"
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return gw.write("BAD_REQUEST_BODY", http.StatusBadRequest, "Invalid request body"), "gateway"
	}
	if len(body) > maxRequestBody {
		return gw.write("REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, "Request Too Long"), "gateway"
	}
	payload, err := json.Marshal(proxyRequest(r, body, rt, params, requestID, now))
	if err != nil {
		return gw.write("DEFAULT_5XX", http.StatusInternalServerError, "Internal server error"), "gateway"
	}
	ctx, cancel := context.WithTimeout(r.Context(), integrationTimeout)
	defer cancel()
	out, err := rt.fn.invoke(ctx, payload)
	if err != nil {
		var fe *FunctionError
		switch {
		case r.Context().Err() != nil:
			return 499, rt.fn.id // the client left
		case errors.As(err, &fe) && fe.Type == "RequestEntityTooLargeException":
			// Lambda takes at most 6 MB, less than API Gateway's 10.
			return gw.write("REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, "Request Too Long"), rt.fn.id
		case errors.Is(err, context.DeadlineExceeded):
			return gw.write("INTEGRATION_TIMEOUT", http.StatusGatewayTimeout, "Endpoint request timed out"), rt.fn.id
		}
		logLine(g.log, "api", fmt.Sprintf("%s %s: Lambda invocation failed: %v", rt.fn.id, requestID, err))
		return gw.write("DEFAULT_5XX", http.StatusBadGateway, "Internal server error"), rt.fn.id
	}
	status, err := writeProxyResponse(w, r, out, api)
	if err != nil {
		logLine(g.log, "api", fmt.Sprintf("%s %s: Execution failed due to configuration error: Malformed Lambda proxy response: %v", rt.fn.id, requestID, err))
		return gw.write("DEFAULT_5XX", http.StatusBadGateway, "Internal server error"), rt.fn.id
	}
	return status, rt.fn.id
}

// writeProxyResponse writes the function's proxy response. It writes nothing
// and returns an error when the response is malformed, as API Gateway then
// answers 502 itself.
func writeProxyResponse(w http.ResponseWriter, r *http.Request, out []byte, api *samtemplate.API) (int, error) {
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return 0, err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return 0, fmt.Errorf("statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return 0, fmt.Errorf("body is not base64: %w", err)
		}
		body = b
	}
	h := w.Header()
	// multiValueHeaders first; a name in both keeps only its multi values.
	multi := map[string]bool{}
	for k, vs := range resp.MultiValueHeaders {
		if skipResponseHeader(k) {
			continue
		}
		multi[http.CanonicalHeaderKey(k)] = true
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		if !skipResponseHeader(k) && !multi[http.CanonicalHeaderKey(k)] {
			h.Set(k, v)
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if resp.IsBase64Encoded && !isBinary(firstAccept(r), api.BinaryMediaTypes) && !isBinary(h.Get("Content-Type"), api.BinaryMediaTypes) {
		// API Gateway turns base64 back into bytes only for a binary media
		// type; otherwise the client gets the base64 text.
		body = []byte(resp.Body)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return resp.StatusCode, nil
}

// skipResponseHeader leaves out headers the HTTP server sets itself.
func skipResponseHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Content-Length", "Transfer-Encoding", "Connection":
		return true
	}
	return false
}

func firstAccept(r *http.Request) string {
	return strings.TrimSpace(strings.Split(r.Header.Get("Accept"), ",")[0])
}

// errorTypes are the x-amzn-ErrorType values API Gateway sends with some of
// its own answers.
var errorTypes = map[string]string{
	"MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
	"REQUEST_TOO_LARGE":            "RequestTooLargeException",
	"INTEGRATION_TIMEOUT":          "InternalServerErrorException",
	"DEFAULT_5XX":                  "InternalServerErrorException",
}

// gatewayResponder writes API Gateway's own answers to one request.
type gatewayResponder struct {
	w         http.ResponseWriter
	r         *http.Request
	api       *samtemplate.API
	params    map[string]string // the matched route's path parameters, if any
	requestID string
}

// write writes the answer of response type typ, whose built-in status and
// message are status and message: the Api's GatewayResponses entry for typ,
// else its DEFAULT_4XX or DEFAULT_5XX, else API Gateway's built-in
// {"message": ...}. A StatusCode on the DEFAULT entry of the status's class
// replaces the status of every type of that class that sets none itself. It
// returns the status written.
func (g gatewayResponder) write(typ string, status int, message string) int {
	fallback := "DEFAULT_4XX"
	if status >= 500 {
		fallback = "DEFAULT_5XX"
	}
	def, defOK := g.api.GatewayResponses[fallback]
	gr, ok := g.api.GatewayResponses[typ]
	if !ok {
		gr, ok = def, defOK
	}
	if gr.StatusCode != 0 {
		status = gr.StatusCode
	} else if defOK && def.StatusCode != 0 {
		status = def.StatusCode
	}
	quoted, _ := json.Marshal(message)
	body, contentType := `{"message":`+string(quoted)+`}`, "application/json"
	if ok {
		if ct, tmpl, found := pickTemplate(gr.Templates); found {
			contentType = ct
			body = strings.NewReplacer(
				"$context.error.messageString", string(quoted),
				"${context.error.messageString}", string(quoted),
				"$context.error.message", message,
				"${context.error.message}", message,
				"$context.error.responseType", typ,
				"${context.error.responseType}", typ,
				"$context.requestId", g.requestID,
				"${context.requestId}", g.requestID,
				"$context.extendedRequestId", g.requestID,
				"$context.httpMethod", g.r.Method,
				"$context.path", g.r.URL.EscapedPath(),
				"$context.stage", g.api.StageName,
			).Replace(tmpl)
		}
	}
	h := g.w.Header()
	h.Set("Content-Type", contentType)
	if et, ok := errorTypes[typ]; ok {
		h.Set("X-Amzn-Errortype", et)
	}
	for k, v := range gr.Headers {
		h.Set(k, v)
	}
	for k, expr := range gr.Mapped {
		// A mapping whose source the request lacks sets no header.
		if v, ok := g.mapped(expr); ok {
			h.Set(k, v)
		}
	}
	g.w.WriteHeader(status)
	_, _ = io.WriteString(g.w, body)
	return status
}

// mapped evaluates a gateway response's parameter mapping over the request:
// method.request.header.<name>, .multivalueheader.<name>, .querystring.<name>,
// .multivaluequerystring.<name> and .path.<name>. Stage variables are never
// set locally, and nothing else is a source API Gateway offers here.
func (g gatewayResponder) mapped(expr string) (string, bool) {
	src, name, ok := strings.Cut(strings.TrimPrefix(expr, "method.request."), ".")
	if !ok || !strings.HasPrefix(expr, "method.request.") {
		return "", false
	}
	var vs []string
	switch src {
	case "header":
		vs = g.r.Header.Values(name)
		if len(vs) > 1 {
			vs = vs[len(vs)-1:]
		}
	case "multivalueheader":
		vs = g.r.Header.Values(name)
	case "querystring":
		vs = g.r.URL.Query()[name]
		if len(vs) > 1 {
			vs = vs[len(vs)-1:]
		}
	case "multivaluequerystring":
		vs = g.r.URL.Query()[name]
	case "path":
		if v, ok := g.params[name]; ok {
			vs = []string{v}
		}
	}
	if len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ","), true
}

// pickTemplate chooses application/json's template, else the first by name.
func pickTemplate(templates map[string]string) (contentType, tmpl string, ok bool) {
	if t, ok := templates["application/json"]; ok {
		return "application/json", t, true
	}
	keys := make([]string, 0, len(templates))
	for k := range templates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "", "", false
	}
	return keys[0], templates[keys[0]], true
}

// preflight answers OPTIONS with the mock integration SAM adds on every
// resource of an Api with a Cors property.
func (g *gateway) preflight(w http.ResponseWriter, rt *route) int {
	c, _ := corsOf(rt.api)
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", c.origin)
	methods := c.methods
	if methods == "" {
		var ms []string
		for _, m := range g.router.methods(rt.resource) {
			switch m {
			case "OPTIONS":
			case "ANY":
				ms = append(ms, "DELETE,GET,HEAD,PATCH,POST,PUT")
			default:
				ms = append(ms, m)
			}
		}
		methods = strings.Join(append(ms, "OPTIONS"), ",")
	}
	h.Set("Access-Control-Allow-Methods", methods)
	if c.headers != "" {
		h.Set("Access-Control-Allow-Headers", c.headers)
	}
	if c.maxAge != "" {
		h.Set("Access-Control-Max-Age", c.maxAge)
	}
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	return http.StatusOK
}

// corsMocks returns the OPTIONS method SAM adds, for an Api with a Cors
// property, on every resource of that Api that has no OPTIONS of its own.
func corsMocks(api *samtemplate.API, routes []*route) []*route {
	if _, ok := corsOf(api); !ok {
		return nil
	}
	resources, hasOptions := map[string]*route{}, map[string]bool{}
	for _, r := range routes {
		if r.api != api {
			continue
		}
		resources[r.resource] = r
		if r.method == http.MethodOptions {
			hasOptions[r.resource] = true
		}
	}
	var out []*route
	for _, res := range slices.Sorted(maps.Keys(resources)) {
		if !hasOptions[res] {
			r := *resources[res]
			r.method, r.fn, r.mock = http.MethodOptions, nil, true
			out = append(out, &r)
		}
	}
	return out
}

type corsConfig struct {
	origin, methods, headers, maxAge string
	credentials                      bool
}

// corsOf reads an Api's Cors property: a quoted origin ("'*'") or a map of
// quoted AllowOrigin, AllowMethods, AllowHeaders, MaxAge and a boolean
// AllowCredentials.
func corsOf(api *samtemplate.API) (corsConfig, bool) {
	unquote := func(v any) string {
		if v == nil {
			return ""
		}
		return strings.Trim(fmt.Sprint(v), "'")
	}
	switch c := api.Properties["Cors"].(type) {
	case string:
		return corsConfig{origin: unquote(c)}, true
	case map[string]any:
		cred, _ := c["AllowCredentials"].(bool)
		cfg := corsConfig{
			origin:      unquote(c["AllowOrigin"]),
			methods:     unquote(c["AllowMethods"]),
			headers:     unquote(c["AllowHeaders"]),
			maxAge:      unquote(c["MaxAge"]),
			credentials: cred,
		}
		if cfg.origin == "" {
			cfg.origin = "*"
		}
		return cfg, true
	}
	return corsConfig{}, false
}
