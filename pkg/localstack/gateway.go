package localstack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	rt, params, resource := g.router.find(r.Method, r.URL.EscapedPath())
	api := g.defaultAPI
	if resource != nil {
		api = resource.api
	}
	if rt == nil {
		if r.Method == http.MethodOptions && resource != nil {
			if status, ok := g.preflight(w, resource); ok {
				return status, "CORS"
			}
		}
		return writeGatewayResponse(w, r, api, "MISSING_AUTHENTICATION_TOKEN", http.StatusForbidden, "Missing Authentication Token", requestID), "gateway"
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return writeGatewayResponse(w, r, api, "BAD_REQUEST_BODY", http.StatusBadRequest, "Invalid request body", requestID), "gateway"
	}
	if len(body) > maxRequestBody {
		return writeGatewayResponse(w, r, api, "REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, "Request Too Long", requestID), "gateway"
	}
	payload, err := json.Marshal(proxyRequest(r, body, rt, params, requestID, now))
	if err != nil {
		return writeGatewayResponse(w, r, api, "DEFAULT_5XX", http.StatusInternalServerError, "Internal server error", requestID), "gateway"
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
			return writeGatewayResponse(w, r, api, "REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, "Request Too Long", requestID), rt.fn.id
		case errors.Is(err, context.DeadlineExceeded):
			return writeGatewayResponse(w, r, api, "INTEGRATION_TIMEOUT", http.StatusGatewayTimeout, "Endpoint request timed out", requestID), rt.fn.id
		}
		logLine(g.log, "api", fmt.Sprintf("%s %s: Lambda invocation failed: %v", rt.fn.id, requestID, err))
		return writeGatewayResponse(w, r, api, "DEFAULT_5XX", http.StatusBadGateway, "Internal server error", requestID), rt.fn.id
	}
	status, err := writeProxyResponse(w, r, out, api)
	if err != nil {
		logLine(g.log, "api", fmt.Sprintf("%s %s: Execution failed due to configuration error: Malformed Lambda proxy response: %v", rt.fn.id, requestID, err))
		return writeGatewayResponse(w, r, api, "DEFAULT_5XX", http.StatusBadGateway, "Internal server error", requestID), rt.fn.id
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

// writeGatewayResponse writes one of API Gateway's own answers: the Api's
// GatewayResponses entry for typ, else its DEFAULT_4XX or DEFAULT_5XX, else
// API Gateway's built-in {"message": ...}. It returns the status written.
func writeGatewayResponse(w http.ResponseWriter, r *http.Request, api *samtemplate.API, typ string, status int, message, requestID string) int {
	gr, ok := api.GatewayResponses[typ]
	if !ok {
		fallback := "DEFAULT_4XX"
		if status >= 500 {
			fallback = "DEFAULT_5XX"
		}
		gr, ok = api.GatewayResponses[fallback]
	}
	quoted, _ := json.Marshal(message)
	body, contentType := `{"message":`+string(quoted)+`}`, "application/json"
	if ok {
		if gr.StatusCode != 0 {
			status = gr.StatusCode
		}
		if ct, tmpl, found := pickTemplate(gr.Templates); found {
			contentType = ct
			body = strings.NewReplacer(
				"$context.error.messageString", string(quoted),
				"${context.error.messageString}", string(quoted),
				"$context.error.message", message,
				"${context.error.message}", message,
				"$context.error.responseType", typ,
				"${context.error.responseType}", typ,
				"$context.requestId", requestID,
				"${context.requestId}", requestID,
				"$context.extendedRequestId", requestID,
				"$context.httpMethod", r.Method,
				"$context.path", r.URL.EscapedPath(),
				"$context.stage", api.StageName,
			).Replace(tmpl)
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	if et, ok := errorTypes[typ]; ok {
		h.Set("X-Amzn-Errortype", et)
	}
	for k, v := range gr.Headers {
		h.Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
	return status
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

// preflight answers OPTIONS for a resource when its Api declares Cors, as
// the mock OPTIONS method SAM adds does. ok is false without Cors.
func (g *gateway) preflight(w http.ResponseWriter, resource *route) (int, bool) {
	c, ok := corsOf(resource.api)
	if !ok {
		return 0, false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", c.origin)
	methods := c.methods
	if methods == "" {
		ms := g.router.methods(resource.resource)
		for i, m := range ms {
			if m == "ANY" {
				ms[i] = "DELETE,GET,HEAD,PATCH,POST,PUT"
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
	return http.StatusOK, true
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
