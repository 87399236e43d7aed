// Package jsonscan reads JSON of a known shape in one pass, without reflection, for the two
// documents every warm invocation decodes: API Gateway's event and DynamoDB's answer to a
// read. Its callers keep encoding/json as the authority: every method reports failure on
// anything it does not expect, and the caller then decodes the same bytes with
// encoding/json (or the SDK), so a result of this package is always the one encoding/json
// would give (each caller's fuzz target holds it to that).
package jsonscan

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Scanner reads one JSON document.
type Scanner struct {
	b []byte
	i int
}

// New returns a Scanner of b.
func New(b []byte) *Scanner { return &Scanner{b: b} }

func (s *Scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// consume skips white space and then c, reporting whether c was there.
func (s *Scanner) consume(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// literal skips white space and then lit, reporting whether lit was there.
func (s *Scanner) literal(lit string) bool {
	s.space()
	if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		s.i += len(lit)
		return true
	}
	return false
}

// End reports whether only white space is left.
func (s *Scanner) End() bool {
	s.space()
	return s.i == len(s.b)
}

// Null reads null if it comes next, reporting whether it did.
func (s *Scanner) Null() bool { return s.literal("null") }

// Object reads an object, calling member after each key to read its value.
func (s *Scanner) Object(member func(key string) bool) bool {
	if !s.consume('{') {
		return false
	}
	if s.consume('}') {
		return true
	}
	for {
		key, ok := s.String()
		if !ok || !s.consume(':') || !member(key) {
			return false
		}
		if s.consume('}') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

// Array reads an array, calling elem to read each element.
func (s *Scanner) Array(elem func() bool) bool {
	if !s.consume('[') {
		return false
	}
	if s.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.consume(']') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

// String reads a string: in place when it has no escape and is valid UTF-8, else by
// encoding/json (which also replaces bytes that are not UTF-8).
func (s *Scanner) String() (string, bool) {
	raw, plain, ok := s.token()
	if !ok {
		return "", false
	}
	if plain {
		return string(raw[1 : len(raw)-1]), true
	}
	var out string
	if json.Unmarshal(raw, &out) != nil {
		return "", false
	}
	return out, true
}

// StringOrNull reads a string, or null as "" (encoding/json leaves a string field as it
// was, and the callers' fields start empty).
func (s *Scanner) StringOrNull() (string, bool) {
	if s.Null() {
		return "", true
	}
	return s.String()
}

// token reads a string's token, quotes included; plain reports that it has no escape and
// is valid UTF-8, so its bytes are its value.
func (s *Scanner) token() (raw []byte, plain, ok bool) {
	if !s.consume('"') {
		return nil, false, false
	}
	start := s.i - 1
	escaped, ascii := false, true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			raw := s.b[start:s.i]
			return raw, !escaped && (ascii || utf8.Valid(raw)), true
		case c == '\\':
			escaped = true
			s.i += 2
			continue
		case c < 0x20:
			return nil, false, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	return nil, false, false
}

// skipString reads a string without making it, checking it as String would.
func (s *Scanner) skipString() bool {
	raw, plain, ok := s.token()
	return ok && (plain || json.Valid(raw))
}

// Bool reads true or false.
func (s *Scanner) Bool() (v, ok bool) {
	switch {
	case s.literal("true"):
		return true, true
	case s.literal("false"):
		return false, true
	}
	return false, false
}

// StringMap reads an object of strings, or null (a nil map), as encoding/json decodes a
// map[string]string; a null member fails.
func (s *Scanner) StringMap() (map[string]string, bool) {
	if s.Null() {
		return nil, true
	}
	m := map[string]string{}
	ok := s.Object(func(k string) bool {
		v, ok := s.String()
		m[k] = v
		return ok
	})
	return m, ok
}

// Skip reads any one value, checking it is JSON.
func (s *Scanner) Skip() bool {
	s.space()
	if s.i == len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.skipObject()
	case c == '[':
		return s.Array(s.Skip)
	case c == '"':
		return s.skipString()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.Null()
	}
	return s.number()
}

// skipObject reads an object without making its keys.
func (s *Scanner) skipObject() bool {
	if !s.consume('{') {
		return false
	}
	if s.consume('}') {
		return true
	}
	for {
		s.space()
		if !s.skipString() || !s.consume(':') || !s.Skip() {
			return false
		}
		if s.consume('}') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

// number reads a number of JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *Scanner) number() bool {
	s.consume('-')
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
