// Package httpapi is the API Gateway glue: it turns a REST proxy event into a call of one
// service method and the result into a response. Every route's handler lives here, in the
// file its route group names (me.go, mfa.go, users.go...), with its scenarios beside it in
// that file's _test.go; functions/<name>/main.go only wires one of them to Lambda.
package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/logging"
)

// Handler serves one route. It returns a response or an error; Route turns errors into
// problem details.
type Handler func(ctx context.Context, r *Request) (*Response, error)

// Request is one API Gateway REST proxy request.
type Request struct {
	Event     *events.APIGatewayProxyRequest
	RequestID string
	// Lang is the language of texts in the answer: the user's once known, else the
	// Accept-Language choice.
	Lang i18n.Lang
	// UserID is set once the caller is authenticated, for the log line.
	UserID string
	// Origin is the request's Origin header when the CORS allow-list admits it, else "":
	// the answer carries CORS headers exactly when it is set.
	Origin string
}

// Header returns a request header, whatever its case.
func (r *Request) Header(name string) string {
	if v, ok := r.Event.Headers[name]; ok {
		return v
	}
	for k, v := range r.Event.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range r.Event.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// Query returns a query string parameter.
func (r *Request) Query(name string) string { return r.Event.QueryStringParameters[name] }

// Body returns the raw body, decoding API Gateway's base64 for binary media types.
func (r *Request) Body() ([]byte, error) {
	if r.Event.IsBase64Encoded {
		return base64.StdEncoding.DecodeString(r.Event.Body)
	}
	return []byte(r.Event.Body), nil
}

// ClientIP is the caller's address as API Gateway saw it.
func (r *Request) ClientIP() string { return r.Event.RequestContext.Identity.SourceIP }

// UserAgent is the caller's User-Agent.
func (r *Request) UserAgent() string {
	if ua := r.Event.RequestContext.Identity.UserAgent; ua != "" {
		return ua
	}
	return r.Header("User-Agent")
}

// Response is what a handler answers.
type Response struct {
	Status  int
	Headers map[string]string
	Body    any // encoded as JSON, unless it is Raw; nil for no body
}

// Raw is a Body sent as it is, not encoded as JSON: a page, a style sheet, a script, an
// SVG image. The handler sets its Content-Type.
type Raw []byte

// JSON is a response with a JSON body.
func JSON(status int, body any) *Response { return &Response{Status: status, Body: body} }

// NoContent is a 204.
func NoContent() *Response { return &Response{Status: http.StatusNoContent} }

// Lambda is the signature aws-lambda-go calls for a REST proxy event.
type Lambda func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Route adapts h to Lambda: request id, language, CORS, panics recovered, errors as problem
// details, one log line. It always returns a nil error: a Lambda error would reach the
// client as API Gateway's own 502, not our JSON.
//
// Route reads the CORS allow-list and LOG_LEVEL once, when main calls it; a bad value stops
// the function at init.
func Route(name string, h Handler) Lambda {
	s, err := config.LoadHTTP()
	if err != nil {
		logging.Fatal(err)
	}
	logging.SetLevel(s.LogLevel)
	return route(name, h, s, logging.Logger())
}

func route(name string, h Handler, s *config.HTTP, logger *slog.Logger) Lambda {
	cors := s.CORSOrigins
	return func(ctx context.Context, ev events.APIGatewayProxyRequest) (out events.APIGatewayProxyResponse, _ error) {
		start := time.Now()
		r := &Request{Event: &ev, RequestID: ev.RequestContext.RequestID}
		// The tokens minted and accepted while serving r name the issuer r reached.
		ctx = jwt.WithIssuer(ctx, Issuer(s.Issuer, r))
		if r.RequestID == "" {
			r.RequestID, _ = auth.NewID()
		}
		if o := r.Header("Origin"); cors.AdmitsOrigin(o) {
			r.Origin = o
		}
		r.Lang = i18n.Pick("", r.Header("Accept-Language"))
		var (
			resp  *Response
			err   error
			cause error
		)
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
				}
			}()
			resp, err = h(ctx, r)
		}()
		if err != nil {
			resp, cause = problem(r, err)
		}
		out, code := encode(r, resp, len(cors) > 0, logger)
		attrs := []slog.Attr{
			slog.String("request_id", r.RequestID), slog.String("route", name),
			slog.String("method", ev.HTTPMethod), slog.Int("status", out.StatusCode),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		}
		if code != "" {
			attrs = append(attrs, slog.String("code", string(code)))
		}
		if r.UserID != "" {
			attrs = append(attrs, slog.String("user_id", r.UserID))
		}
		level := slog.LevelInfo
		if cause != nil {
			// Errors never hold a secret: nothing that formats one wraps a password, token
			// or code into its message.
			attrs = append(attrs, slog.String("error", cause.Error()))
			level = slog.LevelError
		}
		logger.LogAttrs(ctx, level, "request", attrs...)
		return out, nil
	}
}

// encode turns resp into the proxy response, with the headers every answer carries, and
// returns the problem code of an error answer for the log line. cors says whether the
// function has a CORS allow-list at all.
func encode(r *Request, resp *Response, cors bool, logger *slog.Logger) (events.APIGatewayProxyResponse, apperr.Code) {
	h := map[string]string{
		"X-Request-Id":           r.RequestID,
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
	out := events.APIGatewayProxyResponse{StatusCode: resp.Status, Headers: h}
	var code apperr.Code
	if p, ok := resp.Body.(problemBody); ok {
		code = p.Code
	}
	if raw, ok := resp.Body.(Raw); ok {
		out.Body = string(raw)
	} else if resp.Body != nil {
		b, err := json.Marshal(resp.Body)
		if err != nil {
			logger.Error("encode response", "request_id", r.RequestID, "error", err.Error())
			out.StatusCode = http.StatusInternalServerError
			code = apperr.Internal
			b, _ = json.Marshal(problemBody{Type: "about:blank", Status: 500, Code: code, RequestID: r.RequestID,
				Title: i18n.T(r.Lang, "title.internal"), Detail: i18n.T(r.Lang, "detail.internal")})
			resp = &Response{Headers: map[string]string{"Content-Type": "application/problem+json"}}
		}
		out.Body = string(b)
		if _, ok := h["Content-Type"]; !ok {
			h["Content-Type"] = "application/json"
		}
	}
	for k, v := range resp.Headers {
		h[k] = v
	}
	setCORSHeaders(h, r.Origin, cors)
	return out, code
}

// problemBody is an RFC 9457 problem with our extension members.
type problemBody struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Code      apperr.Code    `json:"code"`
	Detail    string         `json:"detail,omitempty"`
	Errors    []fieldProblem `json:"errors,omitempty"`
	RequestID string         `json:"request_id"`
	MFAToken  string         `json:"mfa_token,omitempty"`
	// OAuthError is OAuth 2.0's error code (RFC 6749 §5.2) beside the problem's own, on the
	// token route, so OAuth client libraries tell a dead session from a bad request.
	OAuthError string `json:"error,omitempty"`
}

type fieldProblem struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fieldMessage is f's localized message. A limit among its params ("max" or "min") is said
// with its unit ("unit": "item", else characters) in the plural form the language needs.
func fieldMessage(l i18n.Lang, f apperr.FieldError) string {
	v, ok := f.Params["max"]
	if !ok {
		v, ok = f.Params["min"]
	}
	n, isInt := v.(int)
	if !ok || !isInt {
		return i18n.T(l, "field."+f.Code)
	}
	unit, _ := f.Params["unit"].(string)
	if unit == "" {
		unit = "character"
	}
	return i18n.T(l, "field."+f.Code, i18n.Count(l, int64(n), unit))
}

// problem turns any error into a problem response; for an internal error it also returns
// the cause, for the log.
func problem(r *Request, err error) (*Response, error) {
	e, ok := apperr.As(err)
	var cause error
	if !ok {
		e, cause = apperr.New(apperr.Internal), err
	}
	status := apperr.Status(e.Code)
	p := problemBody{
		Type: "about:blank", Status: status, Code: e.Code, RequestID: r.RequestID,
		Title:  i18n.T(r.Lang, "title."+string(e.Code)),
		Detail: i18n.T(r.Lang, "detail."+string(e.Code)),
	}
	if e.Detail != "" {
		p.Detail = i18n.T(r.Lang, "detail."+string(e.Code)+"."+e.Detail)
	}
	headers := map[string]string{"Content-Type": "application/problem+json", "Content-Language": string(r.Lang)}
	if e.Code == apperr.RateLimited {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		headers["Retry-After"] = fmt.Sprint(secs)
		p.Detail = i18n.T(r.Lang, "detail.rate_limited", i18n.Duration(r.Lang, secs))
	}
	if status == http.StatusUnauthorized {
		headers["WWW-Authenticate"] = "Bearer"
	}
	if len(e.Allow) > 0 {
		headers["Allow"] = strings.Join(e.Allow, ", ")
	}
	if tok, ok := e.Extra["mfa_token"].(string); ok {
		p.MFAToken = tok
	}
	if oe, ok := e.Extra["error"].(string); ok {
		p.OAuthError = oe
	}
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, fieldProblem{Field: f.Field, Code: f.Code, Message: fieldMessage(r.Lang, f)})
	}
	return &Response{Status: status, Headers: headers, Body: p}, cause
}
