package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/userbase/userbase/pkg/apperr"
)

//go:generate go run gen_routes.go

// apiRoute is one resource path of the API with the methods its functions serve, both as
// template.yaml declares them (routes_gen.go, generated from it).
type apiRoute struct {
	path    string
	methods []string
}

// APIRoutes returns the table Fallback answers from: each resource path of the API that a
// function serves, with its methods. deploy_test holds it to template.yaml.
func APIRoutes() map[string][]string {
	out := make(map[string][]string, len(apiRoutes))
	for _, r := range apiRoutes {
		out[r.path] = slices.Clone(r.methods)
	}
	return out
}

// Fallback serves what API Gateway routes to no route function. It is attached with ANY to
// every resource path of the API and to /{proxy+}, so it gets every OPTIONS, every method a
// path lacks and every path the API lacks; which resource matched is in the event:
//   - OPTIONS on a path the API has is a CORS preflight: 204 with Allow, and for an admitted
//     origin Access-Control-Allow-Methods (the path's methods), -Allow-Headers and -Max-Age;
//     another origin gets the 204 without them;
//   - another method on such a path is 405 method_not_allowed with Allow;
//   - a path the API lacks is 404 not_found, OPTIONS included.
func Fallback() Handler { return fallback(apiRoutes) }

func fallback(routes []apiRoute) Handler {
	return func(_ context.Context, r *Request) (*Response, error) {
		i := sort.Search(len(routes), func(i int) bool { return routes[i].path >= r.Event.Resource })
		if i == len(routes) || routes[i].path != r.Event.Resource {
			return nil, apperr.New(apperr.NotFound)
		}
		methods := routes[i].methods
		allow := append(slices.Clone(methods), http.MethodOptions)
		switch m := r.Event.HTTPMethod; {
		case m == http.MethodOptions:
			resp := NoContent()
			resp.Headers = map[string]string{"Allow": strings.Join(allow, ", ")}
			if r.Origin != "" {
				preflightHeaders(resp.Headers, methods)
			}
			return resp, nil
		case slices.Contains(methods, m):
			// API Gateway sends a method a function serves to that function, never here.
			return nil, fmt.Errorf("%s %s reached the fallback though the table lists it: regenerate routes_gen.go (go generate ./pkg/httpapi) and check template.yaml", m, r.Event.Resource)
		default:
			return nil, apperr.NotAllowed(allow...)
		}
	}
}
