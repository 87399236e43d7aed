package localstack

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// route is one method on a resource path, served by a function, or by API Gateway itself
// for the OPTIONS methods SAM adds for an Api's Cors property (mock).
type route struct {
	method   string // upper case, or "ANY"
	resource string // as in the template: "/v1/users/{id}"
	segments []segment
	api      *samtemplate.API
	fn       *function
	mock     bool // SAM's CORS preflight: no function
}

// segment is one part of a resource path.
type segment struct {
	kind  segmentKind
	value string // the literal, or the parameter's name
}

// segmentKind orders segments by how specifically they match, as API
// Gateway prefers a literal to a {param}, and a {param} to a {proxy+}.
type segmentKind int

const (
	literal segmentKind = iota
	param
	greedy
)

func newRoute(method, resource string, api *samtemplate.API, fn *function) (*route, error) {
	r := &route{method: strings.ToUpper(method), resource: resource, api: api, fn: fn}
	if r.method == "*" {
		r.method = "ANY"
	}
	if !strings.HasPrefix(resource, "/") {
		return nil, fmt.Errorf("path %q does not start with /", resource)
	}
	parts := splitPath(resource)
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			if i != len(parts)-1 {
				return nil, fmt.Errorf("path %q: a greedy parameter must come last", resource)
			}
			r.segments = append(r.segments, segment{greedy, p[1 : len(p)-2]})
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			r.segments = append(r.segments, segment{param, p[1 : len(p)-1]})
		default:
			r.segments = append(r.segments, segment{literal, p})
		}
	}
	return r, nil
}

// splitPath splits "/a/b/" into ["a", "b"]: API Gateway ignores a trailing
// slash when it matches resources.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match reports whether the escaped request path matches the route's
// resource, with the decoded path parameters.
func (r *route) match(parts []string) (map[string]string, bool) {
	var params map[string]string
	set := func(name, value string) {
		if params == nil {
			params = map[string]string{}
		}
		params[name] = value
	}
	for i, s := range r.segments {
		if s.kind == greedy {
			if i >= len(parts) {
				return nil, false
			}
			rest := strings.Join(parts[i:], "/")
			if v, err := url.PathUnescape(rest); err == nil {
				rest = v
			}
			set(s.value, rest)
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		v, err := url.PathUnescape(parts[i])
		if err != nil {
			return nil, false
		}
		switch s.kind {
		case literal:
			if v != s.value {
				return nil, false
			}
		case param:
			set(s.value, v)
		}
	}
	return params, len(parts) == len(r.segments)
}

// moreSpecific reports whether a's resource wins over b's when both match.
func moreSpecific(a, b *route) bool {
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if a.segments[i].kind != b.segments[i].kind {
			return a.segments[i].kind < b.segments[i].kind
		}
	}
	return len(a.segments) > len(b.segments)
}

// router finds the route of a request as API Gateway does: of the resources whose path
// matches and that have the request's method (or ANY), the most specific one, and on it the
// exact method before ANY. A resource that matches the path but lacks the method does not
// stop the search: API Gateway goes on to less specific resources, a greedy {proxy+} last.
type router struct {
	routes []*route
}

func newRouter(routes []*route) *router {
	sorted := append([]*route(nil), routes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].resource < sorted[j].resource })
	return &router{routes: sorted}
}

// find returns the route for method and escaped path and its path parameters (nil when no
// resource has the method), and the API whose gateway responses answer for the request:
// the route's, else that of the most specific resource matching the path (nil when none
// does).
func (rt *router) find(method, path string) (match *route, params map[string]string, api *samtemplate.API) {
	parts := splitPath(path)
	var anyPath *route
	for _, r := range rt.routes {
		if _, ok := r.match(parts); !ok {
			continue
		}
		if anyPath == nil || moreSpecific(r, anyPath) {
			anyPath = r
		}
		if r.method != method && r.method != "ANY" {
			continue
		}
		if match == nil || moreSpecific(r, match) || (r.resource == match.resource && r.method == method) {
			match = r
		}
	}
	if match == nil {
		if anyPath == nil {
			return nil, nil, nil
		}
		return nil, nil, anyPath.api
	}
	params, _ = match.match(parts)
	return match, params, match.api
}

// methods lists the methods of a resource, for CORS.
func (rt *router) methods(resource string) []string {
	var out []string
	for _, r := range rt.routes {
		if r.resource == resource {
			out = append(out, r.method)
		}
	}
	return out
}
