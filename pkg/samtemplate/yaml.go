package samtemplate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeNode turns a YAML node into plain Go values (map[string]any, []any,
// string, int, float64, bool, nil) and CloudFormation short tags into their
// long forms, so the rest of the package sees the template as CloudFormation's
// JSON would: !Ref x -> {"Ref": "x"}, !GetAtt a.b -> {"Fn::GetAtt": ["a", "b"]},
// !Sub s -> {"Fn::Sub": s}, !Condition c -> {"Condition": "c"}, !X v -> {"Fn::X": v}.
func decodeNode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return decodeNode(n.Content[0])
	case yaml.AliasNode:
		return decodeNode(n.Alias)
	}
	v, err := decodePlain(n)
	if err != nil {
		return nil, err
	}
	if !isShortTag(n.Tag) {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	switch name {
	case "Ref":
		return map[string]any{"Ref": v}, nil
	case "Condition":
		return map[string]any{"Condition": v}, nil
	case "GetAtt":
		// The short form takes "Resource.Attribute"; the long form a pair.
		if s, ok := v.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", n.Line, s)
			}
			v = []any{res, attr}
		}
		return map[string]any{"Fn::GetAtt": v}, nil
	default:
		return map[string]any{"Fn::" + name: v}, nil
	}
}

// isShortTag reports whether tag is a CloudFormation intrinsic (a local tag
// such as !Ref) rather than one of YAML's own (!!str, !!int, ...).
func isShortTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

// decodePlain decodes n ignoring a short tag on n itself.
func decodePlain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: YAML merge keys are not supported", k.Line)
			}
			val, err := decodeNode(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := decodeNode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	case yaml.ScalarNode:
		if isShortTag(n.Tag) || n.Tag == "!!timestamp" {
			// A tagged scalar (!Ref Name) is a string whatever it looks like,
			// and so is a date such as an unquoted 2010-09-09.
			return n.Value, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	case yaml.AliasNode:
		return decodeNode(n.Alias)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}
