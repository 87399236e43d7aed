package localstack

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/userbase/userbase/pkg/samtemplate"
)

func TestRouterFind(t *testing.T) {
	api := &samtemplate.API{StageName: "v1"}
	var routes []*route
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/users/me"},
		{"PATCH", "/v1/users/me"},
		{"GET", "/v1/users/{id}"},
		{"DELETE", "/v1/users/{id}"},
		{"GET", "/v1/users/{id}/sessions/{sid}"},
		{"ANY", "/v1/files/{proxy+}"},
		{"POST", "/v1/files/upload"},
		{"GET", "/"},
	} {
		rt, err := newRoute(r.method, r.path, api, &function{id: r.method + " " + r.path})
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, rt)
	}
	router := newRouter(routes)

	cases := []struct {
		method, path string
		want         string // "" for no route
		params       map[string]string
		resource     string // the resource that matched, "" for none
	}{
		{"GET", "/v1/users/me", "GET /v1/users/me", nil, "/v1/users/me"},
		{"GET", "/v1/users/me/", "GET /v1/users/me", nil, "/v1/users/me"},
		{"GET", "/v1/users/42", "GET /v1/users/{id}", map[string]string{"id": "42"}, "/v1/users/{id}"},
		{"GET", "/v1/users/a%2Fb", "GET /v1/users/{id}", map[string]string{"id": "a/b"}, "/v1/users/{id}"},
		{"DELETE", "/v1/users/42", "DELETE /v1/users/{id}", map[string]string{"id": "42"}, "/v1/users/{id}"},
		// The literal resource wins, and it has no DELETE: no fallback.
		{"DELETE", "/v1/users/me", "", nil, "/v1/users/me"},
		{"POST", "/v1/users/42", "", nil, "/v1/users/{id}"},
		{"GET", "/v1/users/1/sessions/2", "GET /v1/users/{id}/sessions/{sid}", map[string]string{"id": "1", "sid": "2"}, "/v1/users/{id}/sessions/{sid}"},
		{"PUT", "/v1/files/a/b", "ANY /v1/files/{proxy+}", map[string]string{"proxy": "a/b"}, "/v1/files/{proxy+}"},
		{"POST", "/v1/files/upload", "POST /v1/files/upload", nil, "/v1/files/upload"},
		{"GET", "/v1/files/upload", "", nil, "/v1/files/upload"},
		{"GET", "/v1/files", "", nil, ""},
		{"GET", "/", "GET /", nil, "/"},
		{"GET", "/v2/users", "", nil, ""},
	}
	for _, c := range cases {
		rt, params, resource := router.find(c.method, c.path)
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
		gotRes := ""
		if resource != nil {
			gotRes = resource.resource
		}
		if gotRes != c.resource {
			t.Errorf("%s %s: got resource %q, want %q", c.method, c.path, gotRes, c.resource)
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
