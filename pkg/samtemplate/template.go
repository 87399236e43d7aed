// Package samtemplate reads the project's AWS SAM template (template.yaml)
// into plain Go values, with CloudFormation's short tags turned into their
// long forms, and answers the questions the local stack and the template tests
// ask of it: which functions exist, with which environment and events, and
// how the table, the bucket and the API are declared.
package samtemplate

import (
	"bytes"
	"fmt"
	"os"
	"sort"

	"gopkg.in/yaml.v3"
)

// Resource types the local stack knows.
const (
	TypeFunction = "AWS::Serverless::Function"
	TypeAPI      = "AWS::Serverless::Api"
	TypeTable    = "AWS::DynamoDB::Table"
	TypeBucket   = "AWS::S3::Bucket"
)

// Template is a parsed SAM template. Values are what YAML decodes to
// (map[string]any, []any, string, int, float64, bool), with intrinsic
// functions as one-key maps such as {"Ref": "Table"} or {"Fn::Sub": "..."}.
type Template struct {
	Parameters map[string]Parameter
	Conditions map[string]any
	Globals    Globals
	Resources  map[string]Resource
	Outputs    map[string]any
}

// Parameter is one entry of the template's Parameters section.
type Parameter struct {
	Type          string
	Default       any // nil when the parameter has no default
	AllowedValues []any
	Description   string
}

// Globals holds the template's Globals section; each field is the raw
// property map of that section (nil when absent).
type Globals struct {
	Function map[string]any
	API      map[string]any
}

// Resource is one entry of the template's Resources section.
type Resource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	Condition  string
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return t, nil
}

// Parse parses a template from its YAML (or JSON) text.
func Parse(text []byte) (*Template, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	raw, err := decodeNode(&doc)
	if err != nil {
		return nil, err
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top level is %T, want a mapping", raw)
	}
	t := &Template{
		Parameters: map[string]Parameter{},
		Conditions: mapOf(top["Conditions"]),
		Resources:  map[string]Resource{},
		Outputs:    mapOf(top["Outputs"]),
	}
	for name, v := range mapOf(top["Parameters"]) {
		p := mapOf(v)
		t.Parameters[name] = Parameter{
			Type:          stringOf(p["Type"]),
			Default:       p["Default"],
			AllowedValues: listOf(p["AllowedValues"]),
			Description:   stringOf(p["Description"]),
		}
	}
	g := mapOf(top["Globals"])
	t.Globals = Globals{Function: mapOf(g["Function"]), API: mapOf(g["Api"])}
	for id, v := range mapOf(top["Resources"]) {
		r := mapOf(v)
		if r == nil {
			return nil, fmt.Errorf("resource %s is not a mapping", id)
		}
		typ := stringOf(r["Type"])
		if typ == "" {
			return nil, fmt.Errorf("resource %s has no Type", id)
		}
		t.Resources[id] = Resource{
			Type:       typ,
			Properties: mapOf(r["Properties"]),
			Metadata:   mapOf(r["Metadata"]),
			Condition:  stringOf(r["Condition"]),
		}
	}
	return t, nil
}

// ResourcesOfType returns the logical IDs of every resource of type typ,
// sorted so that callers behave the same on every run.
func (t *Template) ResourcesOfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// ParameterValues returns every parameter's value as a string: its Default,
// replaced by overrides where they name it. Parameters without a default and
// without an override are left out.
func (t *Template) ParameterValues(overrides map[string]string) map[string]string {
	out := make(map[string]string, len(t.Parameters))
	for name, p := range t.Parameters {
		if p.Default != nil {
			out[name] = scalarString(p.Default)
		}
	}
	for name, v := range overrides {
		if _, ok := t.Parameters[name]; ok {
			out[name] = v
		}
	}
	return out
}
