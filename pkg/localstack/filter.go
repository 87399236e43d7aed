package localstack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// filterPattern is one of an event source mapping's FilterCriteria: an
// EventBridge-style pattern matched against the record as JSON, e.g.
// {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}.
// Supported rules: exact values (string, number, boolean, null), prefix,
// suffix, equals-ignore-case, anything-but, exists and numeric.
type filterPattern map[string]any

func parseFilterPattern(text string) (filterPattern, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", text, err)
	}
	if err := checkPattern(p); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", text, err)
	}
	return p, nil
}

// checkPattern rejects patterns this matcher does not understand, so a
// typo fails at start rather than filtering out every record.
func checkPattern(p map[string]any) error {
	for k, v := range p {
		switch x := v.(type) {
		case map[string]any:
			if err := checkPattern(x); err != nil {
				return err
			}
		case []any:
			for _, rule := range x {
				if m, ok := rule.(map[string]any); ok {
					for op := range m {
						switch op {
						case "prefix", "suffix", "equals-ignore-case", "anything-but", "exists", "numeric":
						default:
							return fmt.Errorf("%s: unsupported rule %q", k, op)
						}
					}
				}
			}
		default:
			return fmt.Errorf("%s: want an object or an array of values", k)
		}
	}
	return nil
}

// matchAny reports whether record (its JSON form) passes: with no
// patterns every record does, else any one pattern must match.
func matchAny(patterns []filterPattern, record map[string]any) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p.match(record) {
			return true
		}
	}
	return false
}

func (p filterPattern) match(ev map[string]any) bool {
	for k, pv := range p {
		v, present := ev[k]
		switch x := pv.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !filterPattern(x).match(sub) {
				return false
			}
		case []any:
			if !matchRules(x, v, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// matchRules reports whether any rule accepts v; an array value matches
// when any of its elements does.
func matchRules(rules []any, v any, present bool) bool {
	for _, rule := range rules {
		if m, ok := rule.(map[string]any); ok {
			if _, isExists := m["exists"]; isExists {
				if want, _ := m["exists"].(bool); want == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		values := []any{v}
		if l, ok := v.([]any); ok {
			values = l
		}
		for _, val := range values {
			if matchRule(rule, val) {
				return true
			}
		}
	}
	return false
}

func matchRule(rule, v any) bool {
	m, ok := rule.(map[string]any)
	if !ok {
		return equalValues(rule, v)
	}
	s, isString := v.(string)
	for op, arg := range m {
		switch op {
		case "prefix":
			p, _ := arg.(string)
			return isString && strings.HasPrefix(s, p)
		case "suffix":
			p, _ := arg.(string)
			return isString && strings.HasSuffix(s, p)
		case "equals-ignore-case":
			p, _ := arg.(string)
			return isString && strings.EqualFold(s, p)
		case "anything-but":
			if l, ok := arg.([]any); ok {
				for _, x := range l {
					if matchRule(x, v) {
						return false
					}
				}
				return true
			}
			return !matchRule(arg, v)
		case "numeric":
			return matchNumeric(arg, v)
		}
	}
	return false
}

func equalValues(a, b any) bool {
	switch x := a.(type) {
	case float64:
		// DynamoDB numbers arrive as strings ({"N": "5"}).
		if y, ok := toFloat(b); ok {
			return x == y
		}
		return false
	case nil:
		return b == nil
	}
	return a == b
}

// matchNumeric evaluates [">", 0, "<=", 5]-style comparisons.
func matchNumeric(arg, v any) bool {
	n, ok := toFloat(v)
	l, _ := arg.([]any)
	if !ok || len(l) == 0 || len(l)%2 != 0 {
		return false
	}
	for i := 0; i < len(l); i += 2 {
		op, _ := l[i].(string)
		bound, ok := toFloat(l[i+1])
		if !ok {
			return false
		}
		var pass bool
		switch op {
		case "=":
			pass = n == bound
		case "<":
			pass = n < bound
		case "<=":
			pass = n <= bound
		case ">":
			pass = n > bound
		case ">=":
			pass = n >= bound
		}
		if !pass {
			return false
		}
	}
	return true
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}
