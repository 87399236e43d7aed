package localstack

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// The precedence below is API Gateway's (REST APIs), as measured on AWS: the most specific
// resource that matches the path and has the method (or ANY) wins; a resource that matches
// but lacks the method does not stop the search, down to a greedy {proxy+}.
func TestRouterFind(t *testing.T) {
	api := &samtemplate.API{StageName: "v1"}
	build := func(rs ...[2]string) *router {
		var routes []*route
		for _, r := range rs {
			rt, err := newRoute(r[0], r[1], api, &function{id: r[0] + " " + r[1]})
			if err != nil {
				t.Fatal(err)
			}
			routes = append(routes, rt)
		}
		return newRouter(routes)
	}
	base := [][2]string{
		{"GET", "/v1/users/me"},
		{"PATCH", "/v1/users/me"},
		{"GET", "/v1/users/{id}"},
		{"DELETE", "/v1/users/{id}"},
		{"GET", "/v1/users/{id}/sessions/{sid}"},
		{"ANY", "/v1/files/{proxy+}"},
		{"POST", "/v1/files/upload"},
		{"GET", "/"},
		{"ANY", "/v1/me"},
		{"GET", "/v1/me"},
	}
	plain := build(base...)
	withRoot := build(append(base, [2]string{"ANY", "/{proxy+}"})...)

	cases := []struct {
		router       *router
		method, path string
		want         string // "" for no route
		params       map[string]string
	}{
		{plain, "GET", "/v1/users/me", "GET /v1/users/me", nil},
		{plain, "GET", "/v1/users/me/", "GET /v1/users/me", nil},
		{plain, "GET", "/v1/users/42", "GET /v1/users/{id}", map[string]string{"id": "42"}},
		{plain, "GET", "/v1/users/a%2Fb", "GET /v1/users/{id}", map[string]string{"id": "a/b"}},
		{plain, "DELETE", "/v1/users/42", "DELETE /v1/users/{id}", map[string]string{"id": "42"}},
		// The literal resource lacks DELETE: its {id} sibling has it and serves "me".
		{plain, "DELETE", "/v1/users/me", "DELETE /v1/users/{id}", map[string]string{"id": "me"}},
		// Nothing has POST there.
		{plain, "POST", "/v1/users/me", "", nil},
		{plain, "POST", "/v1/users/42", "", nil},
		{plain, "GET", "/v1/users/1/sessions/2", "GET /v1/users/{id}/sessions/{sid}", map[string]string{"id": "1", "sid": "2"}},
		{plain, "PUT", "/v1/files/a/b", "ANY /v1/files/{proxy+}", map[string]string{"proxy": "a/b"}},
		{plain, "POST", "/v1/files/upload", "POST /v1/files/upload", nil},
		// The literal lacks GET: the greedy sibling takes it.
		{plain, "GET", "/v1/files/upload", "ANY /v1/files/{proxy+}", map[string]string{"proxy": "upload"}},
		// A greedy parameter needs at least one segment.
		{plain, "GET", "/v1/files", "", nil},
		{plain, "GET", "/", "GET /", nil},
		{plain, "GET", "/v2/users", "", nil},
		// On one resource the exact method wins over ANY, and ANY over anything less specific.
		{withRoot, "GET", "/v1/me", "GET /v1/me", nil},
		{withRoot, "PUT", "/v1/me", "ANY /v1/me", nil},
		{withRoot, "OPTIONS", "/v1/me", "ANY /v1/me", nil},
		{withRoot, "POST", "/v1/users/me", "ANY /{proxy+}", map[string]string{"proxy": "v1/users/me"}},
		// A resource that only exists as a parent of others has no method of its own.
		{withRoot, "GET", "/v1/users", "ANY /{proxy+}", map[string]string{"proxy": "v1/users"}},
		{withRoot, "GET", "/v1/users/42/sessions", "ANY /{proxy+}", map[string]string{"proxy": "v1/users/42/sessions"}},
		{withRoot, "GET", "/v1/files/x", "ANY /v1/files/{proxy+}", map[string]string{"proxy": "x"}},
		{withRoot, "POST", "/", "", nil},
	}
	for _, c := range cases {
		rt, params, gotAPI := c.router.find(c.method, c.path)
		got := ""
		if rt != nil {
			got = rt.fn.id
		}
		if got != c.want {
			t.Errorf("%s %s: got route %q, want %q", c.method, c.path, got, c.want)
		}
		if diff := cmp.Diff(c.params, params); diff != "" {
			t.Errorf("%s %s params (-want +got):\n%s", c.method, c.path, diff)
		}
		// The API that answers: the route's, or that of a resource matching the path.
		if wantAPI := rt != nil || c.path != "/v2/users" && c.path != "/v1/files"; (gotAPI != nil) != wantAPI {
			t.Errorf("%s %s: got API %v, want one: %v", c.method, c.path, gotAPI, wantAPI)
		}
	}
}

func TestNewRouteErrors(t *testing.T) {
	for _, p := range []string{"v1/users", "/v1/{proxy+}/x"} {
		if _, err := newRoute("GET", p, &samtemplate.API{}, nil); err == nil {
			t.Errorf("newRoute(%q): got no error, want one", p)
		}
	}
}

// The project's own template, routed: the fallback function takes every method a path lacks,
// every preflight and every path the API lacks, and nothing a route function serves.
func TestRouterOnTheTemplate(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := &samtemplate.API{}
	rs, err := tpl.Routes("Api")
	if err != nil {
		t.Fatal(err)
	}
	var routes []*route
	for _, r := range rs {
		rt, err := newRoute(r.Method, r.Path, api, &function{id: r.Function})
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, rt)
	}
	router := newRouter(routes)
	const fallback = "ApiFallbackFunction"
	for _, c := range []struct {
		method, path, fn, resource string
	}{
		{"GET", "/v1/me", "MeGetFunction", "/v1/me"},
		{"PUT", "/v1/me", fallback, "/v1/me"},
		{"OPTIONS", "/v1/me", fallback, "/v1/me"},
		{"GET", "/v1/users/exists", "UsersExistsFunction", "/v1/users/exists"},
		{"PATCH", "/v1/users/exists", fallback, "/v1/users/exists"},
		{"PATCH", "/v1/users/42", "UsersUpdateFunction", "/v1/users/{id}"},
		{"POST", "/v1/users/42", fallback, "/v1/users/{id}"},
		{"OPTIONS", "/v1/users/42/email/confirm", fallback, "/v1/users/{id}/email/confirm"},
		{"GET", "/v1/users/42/email", fallback, "/{proxy+}"},
		{"GET", "/v1", fallback, "/{proxy+}"},
		{"DELETE", "/nowhere/at/all", fallback, "/{proxy+}"},
		{"GET", "/", fallback, "/"},
	} {
		rt, _, _ := router.find(c.method, c.path)
		if rt == nil || rt.fn.id != c.fn || rt.resource != c.resource {
			t.Errorf("%s %s: got %+v, want %s on %s", c.method, c.path, rt, c.fn, c.resource)
		}
	}
}
