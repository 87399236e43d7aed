package samtemplate

import (
	"fmt"
	"strconv"
)

// mapOf returns v as a mapping, or nil when it is not one.
func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// listOf returns v as a sequence, or nil when it is not one.
func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// stringOf returns v when it is a string, else "".
func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// scalarString formats a YAML scalar the way CloudFormation hands it over:
// numbers and booleans become their text.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// intOf reads an integer property written as a number or a numeric string.
func intOf(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case uint64:
		return int(x), true
	case float64:
		return int(x), x == float64(int(x))
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// boolOf reads a boolean property written as a boolean or "true"/"false".
func boolOf(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}
