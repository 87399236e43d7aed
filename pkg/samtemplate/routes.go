package samtemplate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Route is one method of one resource path of a REST API, as API Gateway has it once SAM
// has run, and the function its Lambda proxy integration invokes.
type Route struct {
	Path     string // the resource path, "/v1/users/{id}"
	Method   string // upper case; "ANY" matches every method
	Function string // logical ID of the function
	// Event is the name of the function's Api event that made the route, "" for a method
	// written in the Api's DefinitionBody.
	Event string
}

// definitionMethods are the operation keys of an OpenAPI path item that API Gateway reads,
// with the method each one is.
var definitionMethods = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
}

// lambdaURI finds the function of a Lambda integration URI written with Fn::Sub:
// arn:...:lambda:path/2015-03-31/functions/${Name.Arn}/invocations.
var lambdaURI = regexp.MustCompile(`:lambda:path/2015-03-31/functions/\$\{([A-Za-z0-9]+)\.Arn\}/invocations$`)

// Routes returns every route of the API with logical ID id ("" or ImplicitAPIID for SAM's
// implicit API), sorted by path then method: the methods of its DefinitionBody that have a
// Lambda proxy integration, and the Api events of the functions that name it. As SAM does,
// the events join an API that has a DefinitionBody only with MergeDefinitions, and an event
// replaces a method the body also has.
func (t *Template) Routes(id string) ([]Route, error) {
	api, err := t.API(id)
	if err != nil {
		return nil, err
	}
	byKey := map[string]Route{}
	body := mapOf(api.Properties["DefinitionBody"])
	for _, path := range slices.Sorted(maps.Keys(mapOf(body["paths"]))) {
		item := mapOf(mapOf(body["paths"])[path])
		for _, key := range slices.Sorted(maps.Keys(item)) {
			method, ok := definitionMethods[strings.ToLower(key)]
			if !ok {
				continue
			}
			fn, err := integrationFunction(mapOf(item[key]))
			if err != nil {
				return nil, fmt.Errorf("%s DefinitionBody %s %s: %w", api.LogicalID, key, path, err)
			}
			byKey[method+" "+path] = Route{Path: path, Method: method, Function: fn}
		}
	}
	merge, _ := boolOf(api.Properties["MergeDefinitions"])
	if body == nil || merge {
		fns, err := t.Functions()
		if err != nil {
			return nil, err
		}
		for _, f := range fns {
			for _, e := range f.Events {
				if e.API == nil || (e.API.RestAPIID != api.LogicalID && !(e.API.RestAPIID == "" && api.LogicalID == ImplicitAPIID)) {
					continue
				}
				r := Route{Path: e.API.Path, Method: e.API.Method, Function: f.LogicalID, Event: e.Name}
				byKey[r.Method+" "+r.Path] = r
			}
		}
	}
	out := make([]Route, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out, nil
}

// integrationFunction returns the function an operation's Lambda proxy integration invokes.
func integrationFunction(op map[string]any) (string, error) {
	in := mapOf(op["x-amazon-apigateway-integration"])
	if in == nil {
		return "", fmt.Errorf("no x-amazon-apigateway-integration")
	}
	if typ := strings.ToLower(stringOf(in["type"])); typ != "aws_proxy" {
		return "", fmt.Errorf("integration type %q: only aws_proxy (a Lambda proxy integration) is served", in["type"])
	}
	uri := mapOf(in["uri"])["Fn::Sub"]
	if l := listOf(uri); len(l) > 0 {
		uri = l[0]
	}
	m := lambdaURI.FindStringSubmatch(stringOf(uri))
	if m == nil {
		return "", fmt.Errorf("uri %v does not name a function as !Sub ...functions/${<Function>.Arn}/invocations", in["uri"])
	}
	return m[1], nil
}
