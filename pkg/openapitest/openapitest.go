// Package openapitest holds HTTP responses to the contract in docs/openapi.yaml.
//
// The end-to-end tests load the document once, pass every response they get to
// Check, and finish by asserting that Unexercised is empty, so an operation the
// document promises cannot go untested and a response the document does not
// describe cannot go unnoticed.
package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Errors that Check wraps, so tests can tell the kinds of mismatch apart with errors.Is.
var (
	ErrNoOperation = errors.New("no documented operation")
	ErrStatus      = errors.New("status not documented")
	ErrHeader      = errors.New("headers do not match the document")
	ErrContentType = errors.New("content type not documented")
	ErrBody        = errors.New("body does not match the document")
)

// Operation is one documented method and path template, such as GET /v1/users/{id}.
type Operation struct {
	Method string
	Path   string
}

func (o Operation) String() string { return o.Method + " " + o.Path }

// Doc is a loaded, validated OpenAPI document. It is safe for concurrent use.
type Doc struct {
	spec   *openapi3.T
	routes []route
	opts   []openapi3.SchemaValidationOption

	mu        sync.Mutex
	exercised map[Operation]bool
}

type route struct {
	op       Operation
	segments []*regexp.Regexp // nil where the segment is a literal
	literals []string
	item     *openapi3.PathItem
	oper     *openapi3.Operation
}

// The hosted account pages answer text the library has no decoder for; their schemas are
// plain strings, so the body is read as one.
func init() {
	for _, ct := range []string{"text/html", "text/javascript", "text/css", "image/svg+xml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// Load reads the document at path (YAML or JSON, OpenAPI 3.0 or 3.1), resolves
// its references and validates it, examples included.
func Load(path string) (*Doc, error) {
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := spec.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("validate %s: %w", path, err)
	}
	d := &Doc{
		spec:      spec,
		exercised: make(map[Operation]bool),
		// The library asserts date and date-time by itself; these two formats
		// are the other ones the document uses to mean something.
		opts: []openapi3.SchemaValidationOption{
			openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
			openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(validateURI)),
		},
	}
	for _, tmpl := range spec.Paths.InMatchingOrder() {
		item := spec.Paths.Value(tmpl)
		base, err := newRoute(tmpl)
		if err != nil {
			return nil, fmt.Errorf("path %s: %w", tmpl, err)
		}
		for method, oper := range item.Operations() {
			r := base
			r.op = Operation{Method: strings.ToUpper(method), Path: tmpl}
			r.item, r.oper = item, oper
			d.routes = append(d.routes, r)
		}
	}
	slices.SortFunc(d.routes, func(a, b route) int { return compareOperations(a.op, b.op) })
	return d, nil
}

func validateURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme == "" {
		return errors.New("not an absolute URI")
	}
	return nil
}

var paramRE = regexp.MustCompile(`\{[^{}/]+\}`)

func newRoute(tmpl string) (route, error) {
	if !strings.HasPrefix(tmpl, "/") {
		return route{}, errors.New("does not start with /")
	}
	parts := strings.Split(tmpl[1:], "/")
	r := route{segments: make([]*regexp.Regexp, len(parts)), literals: parts}
	for i, p := range parts {
		if !strings.Contains(p, "{") {
			continue
		}
		// A segment may mix text and parameters ({name}.{ext}); a parameter
		// matches one or more characters of a single segment.
		var sb strings.Builder
		sb.WriteString("^")
		last := 0
		for _, loc := range paramRE.FindAllStringIndex(p, -1) {
			sb.WriteString(regexp.QuoteMeta(p[last:loc[0]]))
			sb.WriteString("[^/]+")
			last = loc[1]
		}
		sb.WriteString(regexp.QuoteMeta(p[last:]))
		sb.WriteString("$")
		re, err := regexp.Compile(sb.String())
		if err != nil {
			return route{}, err
		}
		r.segments[i] = re
	}
	return r, nil
}

// match reports whether the concrete path's segments fit the template.
func (r route) match(segs []string) bool {
	if len(segs) != len(r.segments) {
		return false
	}
	for i, s := range segs {
		if re := r.segments[i]; re != nil {
			if !re.MatchString(s) {
				return false
			}
		} else if s != r.literals[i] {
			return false
		}
	}
	return true
}

// moreSpecific reports whether r beats o for the same concrete path: the first
// segment where one is literal and the other templated decides, as OpenAPI
// says concrete paths match before templated ones (/v1/users/exists before
// /v1/users/{id}).
func (r route) moreSpecific(o route) bool {
	for i := range r.segments {
		if rl, ol := r.segments[i] == nil, o.segments[i] == nil; rl != ol {
			return rl
		}
	}
	return false
}

func compareOperations(a, b Operation) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return strings.Compare(a.Method, b.Method)
}

// Operations lists every documented operation, sorted by path then method.
func (d *Doc) Operations() []Operation {
	ops := make([]Operation, len(d.routes))
	for i, r := range d.routes {
		ops[i] = r.op
	}
	return ops
}

// Exercised lists the operations that Check has been given a response of,
// whether or not the response matched, sorted as Operations.
func (d *Doc) Exercised() []Operation {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ops []Operation
	for _, r := range d.routes {
		if d.exercised[r.op] {
			ops = append(ops, r.op)
		}
	}
	return ops
}

// Unexercised lists the documented operations that Check has not seen yet.
func (d *Doc) Unexercised() []Operation {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ops []Operation
	for _, r := range d.routes {
		if !d.exercised[r.op] {
			ops = append(ops, r.op)
		}
	}
	return ops
}

// Find returns the operation that serves method on the concrete path (relative
// to the server URL, as /v1/users/123; a query string is ignored).
func (d *Doc) Find(method, path string) (Operation, error) {
	r, err := d.find(method, path)
	if err != nil {
		return Operation{}, err
	}
	return r.op, nil
}

func (d *Doc) find(method, path string) (*route, error) {
	method = strings.ToUpper(method)
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%s %s: %w: the path must start with /", method, path, ErrNoOperation)
	}
	segs := strings.Split(path[1:], "/")
	var best *route
	var methods []string
	for i := range d.routes {
		r := &d.routes[i]
		if !r.match(segs) {
			continue
		}
		if r.op.Method != method {
			methods = append(methods, r.op.Method)
			continue
		}
		if best == nil || r.moreSpecific(*best) {
			best = r
		}
	}
	if best == nil {
		if len(methods) > 0 {
			return nil, fmt.Errorf("%s %s: %w for this method (documented: %s)", method, path, ErrNoOperation, strings.Join(methods, ", "))
		}
		return nil, fmt.Errorf("%s %s: %w for this path", method, path, ErrNoOperation)
	}
	return best, nil
}

// Check holds one response to the document: the operation must exist for
// method and the concrete path, status must be documented for it (or be
// covered by an nXX range or default), the documented headers must be present
// where required and match their schemas, the Content-Type must be one listed
// for the status, and the body must validate against its schema. A status
// documented without content must come with an empty body, and so must every
// answer that cannot have one (1xx, 204, 304, and any answer to HEAD),
// whatever the document says.
//
// Every status is held alike, those that kin-openapi's own response validation
// passes without a look (304, 301, 307, 308, and any answer to HEAD) included:
// a 304 without its documented ETag or X-Request-Id fails with ErrHeader.
func (d *Doc) Check(method, path string, status int, header http.Header, body []byte) error {
	r, err := d.find(method, path)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.exercised[r.op] = true
	d.mu.Unlock()

	where := fmt.Sprintf("%s %s (%s) -> %d", r.op.Method, path, r.op.Path, status)
	resp := r.oper.Responses.Status(status)
	if resp == nil {
		resp = r.oper.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return fmt.Errorf("%s: %w (documented: %s)", where, ErrStatus, strings.Join(documentedStatuses(r.oper), ", "))
	}
	if header == nil {
		header = http.Header{}
	}

	in, err := d.responseInput(r, path, resp, header)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	in.SetBodyBytes(body)
	ctx := context.Background()
	// Headers first, on their own, so that a failure of the full validation
	// below can only be about the body.
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("%s: %w: %w", where, ErrHeader, err)
	}

	if bodiless(r.op.Method, status) {
		if len(body) != 0 {
			return fmt.Errorf("%s: %w: this answer cannot have a body, got %d bytes", where, ErrBody, len(body))
		}
		return nil
	}
	content := resp.Value.Content
	if len(content) == 0 {
		if len(body) != 0 {
			return fmt.Errorf("%s: %w: no body is documented, got %d bytes", where, ErrBody, len(body))
		}
		return nil
	}
	ct := header.Get("Content-Type")
	if ct == "" || content.Get(ct) == nil {
		return fmt.Errorf("%s: %w: got %q, documented: %s", where, ErrContentType, ct, strings.Join(slices.Sorted(maps.Keys(content)), ", "))
	}

	in.Options.ExcludeResponseBody = false
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("%s: %w: %w", where, ErrBody, err)
	}
	return nil
}

// responseInput is what openapi3filter validates an answer of route r with.
//
// openapi3filter.ValidateResponse returns nil without looking at anything for some
// statuses (304, 301, 307, 308) and for HEAD. So it is handed the response resolved by
// Check alone, under a status and a method it always validates: the headers and the body
// are then held to what the document says of the real status, whichever it is.
func (d *Doc) responseInput(r *route, path string, resp *openapi3.ResponseRef, header http.Header) (*openapi3filter.ResponseValidationInput, error) {
	req, err := http.NewRequest(http.MethodGet, "http://openapitest.invalid"+path, nil)
	if err != nil {
		return nil, err
	}
	oper := *r.oper
	oper.Responses = openapi3.NewResponses(openapi3.WithStatus(validatedStatus, resp))
	return &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route: &routers.Route{
				Spec:      d.spec,
				Path:      r.op.Path,
				PathItem:  r.item,
				Method:    r.op.Method,
				Operation: &oper,
			},
		},
		Status: validatedStatus,
		Header: header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			ExcludeResponseBody:     true,
			MultiError:              true,
			SchemaValidationOptions: d.opts,
		},
	}, nil
}

// validatedStatus is the status Check files the documented response under for
// openapi3filter: one it never skips.
const validatedStatus = http.StatusOK

// bodiless reports whether an answer has no body by HTTP's rules (RFC 9110
// sections 6.4.1, 9.3.2, 15.3.5 and 15.4.5), whatever a document says.
func bodiless(method string, status int) bool {
	return method == http.MethodHead || status < 200 || status == http.StatusNoContent || status == http.StatusNotModified
}

// CheckResponse is Check for a response from an http.Client: the method and
// path come from resp.Request, and the body is read and put back so the
// caller can still decode it. The request's URL path must be relative to the
// document's server, as it is on the local stack.
func (d *Doc) CheckResponse(resp *http.Response) error {
	if resp.Request == nil || resp.Request.URL == nil {
		return errors.New("check response: the response has no request")
	}
	var body []byte
	if resp.Body != nil {
		var err error
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("check response: read body: %w", err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return d.Check(resp.Request.Method, resp.Request.URL.EscapedPath(), resp.StatusCode, resp.Header, body)
}

func documentedStatuses(op *openapi3.Operation) []string {
	return slices.Sorted(maps.Keys(op.Responses.Map()))
}

// ProblemCodes returns the catalogue of problem codes and the HTTP status of
// each, from the x-problem-codes list of the ProblemCode schema, so the
// service's own catalogue can be compared with the document's.
func (d *Doc) ProblemCodes() (map[string]int, error) {
	s, err := d.schema("ProblemCode")
	if err != nil {
		return nil, err
	}
	list, ok := s.Extensions["x-problem-codes"].([]any)
	if !ok {
		return nil, errors.New("ProblemCode has no x-problem-codes list")
	}
	codes := make(map[string]int, len(list))
	for i, e := range list {
		m, _ := e.(map[string]any)
		code, _ := m["code"].(string)
		status, err := asInt(m["status"])
		if code == "" || err != nil {
			return nil, fmt.Errorf("x-problem-codes[%d]: want code and status, got %v", i, e)
		}
		codes[code] = status
	}
	return codes, nil
}

// FieldCodes returns the field codes of the FieldCode schema's enum.
func (d *Doc) FieldCodes() ([]string, error) {
	return d.enum("FieldCode")
}

func (d *Doc) schema(name string) (*openapi3.Schema, error) {
	ref := d.spec.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("no schema %s in components", name)
	}
	return ref.Value, nil
}

func (d *Doc) enum(name string) ([]string, error) {
	s, err := d.schema(name)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(s.Enum))
	for _, v := range s.Enum {
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: enum value %v is not a string", name, v)
		}
		out = append(out, str)
	}
	return out, nil
}

func asInt(v any) (int, error) {
	switch v := v.(type) {
	case float64:
		return int(v), nil
	case int:
		return v, nil
	case int64:
		return int(v), nil
	case uint64:
		return int(v), nil
	case string:
		return strconv.Atoi(v)
	}
	return 0, fmt.Errorf("not a number: %v", v)
}
