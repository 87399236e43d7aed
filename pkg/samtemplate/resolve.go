package samtemplate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Local values of CloudFormation's pseudo parameters.
const (
	LocalRegion    = "us-east-1"
	LocalAccountID = "123456789012"
	LocalStackName = "userbase-local"
)

// NoValue is what Resolve returns for a Ref to AWS::NoValue: the property
// (or environment variable) that holds it is to be left out.
var NoValue = noValue{}

type noValue struct{}

// ErrUnresolved wraps every failure to evaluate an intrinsic function.
var ErrUnresolved = errors.New("cannot resolve")

// Resolver evaluates intrinsic functions "simply enough for environment
// values": Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Equals, Fn::Not, Fn::And,
// Fn::Or, Fn::Join, Fn::Select, Fn::Split and Condition.
type Resolver struct {
	// Params holds parameter values by name.
	Params map[string]string
	// Refs holds what Ref of a resource gives, by logical ID, and what
	// Fn::GetAtt gives, by "LogicalID.Attribute".
	Refs map[string]string
	// Conditions are the template's Conditions section, for Fn::If.
	Conditions map[string]any
}

// Resolve evaluates v with params and refs as in Resolver, without the
// template's Conditions (Fn::If then fails; use Template.Resolver for it).
func Resolve(v any, params, refs map[string]string) (any, error) {
	return Resolver{Params: params, Refs: refs}.Resolve(v)
}

// Resolver returns a Resolver over the template's parameter defaults
// (replaced by overrides) and Conditions.
func (t *Template) Resolver(overrides, refs map[string]string) Resolver {
	return Resolver{Params: t.ParameterValues(overrides), Refs: refs, Conditions: t.Conditions}
}

// Resolve returns v with every intrinsic function evaluated. Scalars and
// structures without intrinsics come back unchanged (deep-copied).
func (r Resolver) Resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			val, err := r.Resolve(e)
			if err != nil {
				return nil, err
			}
			if val != NoValue {
				out[k] = val
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			val, err := r.Resolve(e)
			if err != nil {
				return nil, err
			}
			if val != NoValue {
				out = append(out, val)
			}
		}
		return out, nil
	}
	return v, nil
}

// ResolveString resolves v and formats the result as an environment value:
// numbers and booleans as text. A list is an error, NoValue gives ok false.
func (r Resolver) ResolveString(v any) (s string, ok bool, err error) {
	val, err := r.Resolve(v)
	if err != nil {
		return "", false, err
	}
	switch val.(type) {
	case noValue:
		return "", false, nil
	case map[string]any, []any:
		return "", false, fmt.Errorf("%w: %v is not a scalar", ErrUnresolved, v)
	}
	return scalarString(val), true, nil
}

func (r Resolver) intrinsic(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		return r.ref(stringOf(arg))
	case "Condition":
		return r.condition(stringOf(arg))
	case "Fn::GetAtt":
		return r.getAtt(arg)
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::If":
		return r.ifFn(arg)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return r.boolFn(name, arg)
	case "Fn::Join":
		return r.join(arg)
	case "Fn::Select":
		return r.selectFn(arg)
	case "Fn::Split":
		return r.split(arg)
	}
	return nil, fmt.Errorf("%w: %s is not supported locally", ErrUnresolved, name)
}

func (r Resolver) ref(name string) (any, error) {
	if v, ok := r.Params[name]; ok {
		return v, nil
	}
	if v, ok := r.Refs[name]; ok {
		return v, nil
	}
	switch name {
	case "AWS::NoValue":
		return NoValue, nil
	case "AWS::Region":
		return LocalRegion, nil
	case "AWS::AccountId":
		return LocalAccountID, nil
	case "AWS::StackName":
		return LocalStackName, nil
	case "AWS::StackId":
		return "arn:aws:cloudformation:" + LocalRegion + ":" + LocalAccountID + ":stack/" + LocalStackName + "/local", nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	}
	return nil, fmt.Errorf("%w: Ref %q", ErrUnresolved, name)
}

func (r Resolver) getAtt(arg any) (any, error) {
	var res, attr string
	switch x := arg.(type) {
	case string:
		res, attr, _ = strings.Cut(x, ".")
	case []any:
		if len(x) == 2 {
			res = stringOf(x[0])
			a, err := r.Resolve(x[1])
			if err != nil {
				return nil, err
			}
			attr = stringOf(a)
		}
	}
	if v, ok := r.Refs[res+"."+attr]; ok && res != "" && attr != "" {
		return v, nil
	}
	return nil, fmt.Errorf("%w: Fn::GetAtt %v", ErrUnresolved, arg)
}

// sub evaluates Fn::Sub in both forms: "text" and ["text", {Var: value}].
func (r Resolver) sub(arg any) (any, error) {
	text, vars := "", map[string]string{}
	switch x := arg.(type) {
	case string:
		text = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("%w: Fn::Sub takes [text, variables]", ErrUnresolved)
		}
		text = stringOf(x[0])
		for k, v := range mapOf(x[1]) {
			s, ok, err := r.ResolveString(v)
			if err != nil {
				return nil, err
			}
			if ok {
				vars[k] = s
			}
		}
	default:
		return nil, fmt.Errorf("%w: Fn::Sub of %T", ErrUnresolved, arg)
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			b.WriteString(text)
			return b.String(), nil
		}
		b.WriteString(text[:i])
		end := strings.IndexByte(text[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("%w: Fn::Sub %q: unclosed ${", ErrUnresolved, text)
		}
		name := text[i+2 : i+end]
		text = text[i+end+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			// ${!Name} is how Fn::Sub writes a literal ${Name}.
			b.WriteString("${" + lit + "}")
			continue
		}
		if v, ok := vars[name]; ok {
			b.WriteString(v)
			continue
		}
		var val any
		var err error
		if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			val, err = r.getAtt([]any{res, attr})
		} else {
			val, err = r.ref(name)
		}
		if err != nil {
			return nil, err
		}
		b.WriteString(scalarString(val))
	}
}

func (r Resolver) condition(name string) (any, error) {
	c, ok := r.Conditions[name]
	if !ok {
		return nil, fmt.Errorf("%w: condition %q is not defined", ErrUnresolved, name)
	}
	v, err := r.Resolve(c)
	if err != nil {
		return nil, fmt.Errorf("condition %s: %w", name, err)
	}
	b, ok := v.(bool)
	if !ok {
		return nil, fmt.Errorf("%w: condition %q is not a boolean", ErrUnresolved, name)
	}
	return b, nil
}

func (r Resolver) ifFn(arg any) (any, error) {
	l := listOf(arg)
	if len(l) != 3 {
		return nil, fmt.Errorf("%w: Fn::If takes [condition, then, else]", ErrUnresolved)
	}
	c, err := r.condition(stringOf(l[0]))
	if err != nil {
		return nil, err
	}
	if c.(bool) {
		return r.Resolve(l[1])
	}
	return r.Resolve(l[2])
}

func (r Resolver) boolFn(name string, arg any) (any, error) {
	l := listOf(arg)
	vals := make([]any, 0, len(l))
	for _, e := range l {
		v, err := r.Resolve(e)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	switch name {
	case "Fn::Equals":
		if len(vals) != 2 {
			return nil, fmt.Errorf("%w: Fn::Equals takes two values", ErrUnresolved)
		}
		return scalarString(vals[0]) == scalarString(vals[1]), nil
	case "Fn::Not":
		if len(vals) != 1 {
			return nil, fmt.Errorf("%w: Fn::Not takes one condition", ErrUnresolved)
		}
		b, ok := vals[0].(bool)
		if !ok {
			return nil, fmt.Errorf("%w: Fn::Not of a non-boolean", ErrUnresolved)
		}
		return !b, nil
	}
	all := name == "Fn::And"
	for _, v := range vals {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%w: %s of a non-boolean", ErrUnresolved, name)
		}
		if b != all {
			return b, nil
		}
	}
	return all, nil
}

func (r Resolver) join(arg any) (any, error) {
	l := listOf(arg)
	if len(l) != 2 {
		return nil, fmt.Errorf("%w: Fn::Join takes [delimiter, list]", ErrUnresolved)
	}
	v, err := r.Resolve(l[1])
	if err != nil {
		return nil, err
	}
	parts := []string{}
	for _, e := range listOf(v) {
		parts = append(parts, scalarString(e))
	}
	return strings.Join(parts, stringOf(l[0])), nil
}

func (r Resolver) selectFn(arg any) (any, error) {
	l := listOf(arg)
	if len(l) != 2 {
		return nil, fmt.Errorf("%w: Fn::Select takes [index, list]", ErrUnresolved)
	}
	iv, err := r.Resolve(l[0])
	if err != nil {
		return nil, err
	}
	i, err := strconv.Atoi(scalarString(iv))
	if err != nil {
		return nil, fmt.Errorf("%w: Fn::Select index %v", ErrUnresolved, iv)
	}
	v, err := r.Resolve(l[1])
	if err != nil {
		return nil, err
	}
	list := listOf(v)
	if i < 0 || i >= len(list) {
		return nil, fmt.Errorf("%w: Fn::Select index %d out of range", ErrUnresolved, i)
	}
	return list[i], nil
}

func (r Resolver) split(arg any) (any, error) {
	l := listOf(arg)
	if len(l) != 2 {
		return nil, fmt.Errorf("%w: Fn::Split takes [delimiter, text]", ErrUnresolved)
	}
	v, err := r.Resolve(l[1])
	if err != nil {
		return nil, err
	}
	var out []any
	for _, s := range strings.Split(scalarString(v), stringOf(l[0])) {
		out = append(out, s)
	}
	return out, nil
}
