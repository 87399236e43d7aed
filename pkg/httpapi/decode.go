package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/userbase/userbase/pkg/apperr"
)

// MaxJSONBody is the body limit of JSON routes.
const MaxJSONBody = 16 << 10

// ReadOnlyUserFields are fields of the user resource no request body may set; naming one is
// read_only, not unknown_field, so a client learns why.
var ReadOnlyUserFields = []string{"id", "email_verified", "pending_email", "role", "active",
	"avatar_url", "mfa_enabled", "created_at", "updated_at"}

// DecodeJSON reads the body into dst, a pointer to a struct: application/json only, at most
// MaxJSONBody bytes, one object, no field dst does not declare (exact, case-sensitive names;
// readOnly names are read_only). Every problem is a client error with its own code.
func DecodeJSON(r *Request, dst any, readOnly ...string) error {
	return DecodeJSONLimit(r, dst, MaxJSONBody, readOnly...)
}

// DecodeJSONLimit is DecodeJSON with another body limit, for the one route whose JSON
// carries a file.
func DecodeJSONLimit(r *Request, dst any, limit int, readOnly ...string) error {
	body, err := r.Body()
	if err != nil {
		return apperr.New(apperr.MalformedJSON)
	}
	if len(body) > limit {
		return apperr.New(apperr.PayloadTooLarge)
	}
	if EncodedBody(r) {
		return apperr.New(apperr.UnsupportedMediaType)
	}
	if len(bytes.TrimSpace(body)) > 0 || r.Header("Content-Type") != "" {
		mt, params, err := mime.ParseMediaType(r.Header("Content-Type"))
		if err != nil || !(mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
			return apperr.New(apperr.UnsupportedMediaType)
		}
		// JSON is UTF-8 (RFC 8259): a body said to be in another charset is not read as if
		// it were, and one that is not UTF-8 is refused rather than mended with U+FFFD.
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return apperr.New(apperr.UnsupportedMediaType)
		}
	}
	if !utf8.Valid(body) || mended(body) || loneSurrogate(body) || duplicateNames(body) {
		return apperr.New(apperr.MalformedJSON)
	}
	return decodeJSON(body, dst, readOnly)
}

// EncodedBody reports whether r's body is said to be compressed or otherwise encoded
// (Content-Encoding): no route decodes one, and reading it as it is would misread it.
func EncodedBody(r *Request) bool {
	ce := strings.TrimSpace(r.Header("Content-Encoding"))
	return ce != "" && !strings.EqualFold(ce, "identity")
}

// replacement is U+FFFD as UTF-8 bytes.
var replacement = []byte("\uFFFD")

// mended reports whether body holds U+FFFD as raw bytes: API Gateway hands a function a text
// body whose bytes are not UTF-8 with each bad sequence replaced by it, so it is the one sign
// left of a body that was not UTF-8. A client that means the character sends it escaped
// (\ufffd), which passes.
func mended(body []byte) bool { return bytes.Contains(body, replacement) }

// duplicateNames reports whether an object anywhere in body names a member twice. RFC 8259
// leaves what that means open, and encoding/json keeps the last silently: the client may
// believe it set the other. A body that is not JSON is left to the decoder to name.
func duplicateNames(body []byte) bool {
	if bytes.IndexByte(body, '{') < 0 {
		return false
	}
	type object struct {
		names   map[string]bool
		wantKey bool
	}
	var stack []*object // nil entries are arrays
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1] != nil {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t { // a container as a value comes after its key, which cleared wantKey
			case '{':
				stack = append(stack, &object{names: map[string]bool{}, wantKey: true})
			case '[':
				stack = append(stack, nil)
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && stack[n-1].wantKey {
				if stack[n-1].names[t] {
					return true
				}
				stack[n-1].names[t], stack[n-1].wantKey = true, false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// loneSurrogate reports whether body escapes half of a UTF-16 surrogate pair (\ud800 not
// followed by its low half, or a low half alone): encoding/json would store U+FFFD in its
// place, and two different texts would become one.
func loneSurrogate(body []byte) bool {
	high := false // the escape before was a high surrogate
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			if high {
				return true
			}
			continue
		}
		if i+1 >= len(body) || body[i+1] != 'u' || i+6 > len(body) {
			if high {
				return true
			}
			i++ // an escaped character: \\, \", \n …
			continue
		}
		v, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
		i += 5
		switch {
		case err != nil:
			return false // not JSON: the decoder says so
		case v >= 0xd800 && v < 0xdc00:
			if high {
				return true
			}
			high = true
		case v >= 0xdc00 && v < 0xe000:
			if !high {
				return true
			}
			high = false
		default:
			if high {
				return true
			}
		}
	}
	return high
}

// fieldErrors splits a decoding error: the field errors of a validation_failed one (a member
// of the wrong type), to which a handler adds its own checks, or any other error as it is.
func fieldErrors(err error) (apperr.Fields, error) {
	var ae *apperr.Error
	if err == nil || !errors.As(err, &ae) || ae.Code != apperr.ValidationFailed {
		return nil, err
	}
	return ae.Fields, nil
}

func decodeJSON(body []byte, dst any, readOnly []string) error {
	// First pass: syntax, a single object, and every top-level name known.
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&top); err != nil || top == nil {
		return apperr.New(apperr.MalformedJSON)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(apperr.MalformedJSON) // trailing data after the object
	}
	known := fieldsOf(reflect.TypeOf(dst).Elem())
	var unknown, ro apperr.Fields
	for _, name := range slices.Sorted(maps.Keys(top)) {
		t, ok := known[name]
		switch {
		case ok:
			unknown = append(unknown, unknownMembers(top[name], name, t)...)
		case slices.Contains(readOnly, name):
			ro.Add(name, apperr.FieldReadOnly)
		default:
			unknown.Add(name, apperr.FieldUnknown)
		}
	}
	if len(ro) > 0 {
		return &apperr.Error{Code: apperr.ReadOnly, Fields: append(ro, unknown...)}
	}
	if len(unknown) > 0 {
		return &apperr.Error{Code: apperr.UnknownField, Fields: unknown}
	}
	// Second pass: into the struct, rejecting unknown nested fields.
	dec = json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		// The decoder stops at the first; each member on its own names them all.
		var errs apperr.Fields
		for _, name := range slices.Sorted(maps.Keys(top)) {
			var te *json.UnmarshalTypeError
			if errors.As(json.Unmarshal(top[name], reflect.New(known[name]).Interface()), &te) {
				path := name
				if te.Field != "" {
					path += "." + te.Field
				}
				errs.Add(path, apperr.FieldInvalidFormat)
			}
		}
		if len(errs) == 0 { // not a member's: the body's own type
			errs.Add(jsonPath(typeErr.Field, known), apperr.FieldInvalidFormat)
		}
		return errs.Err()
	case isUnknownField(err):
		name, _ := unknownFieldName(err)
		return &apperr.Error{Code: apperr.UnknownField, Fields: []apperr.FieldError{apperr.Field(name, apperr.FieldUnknown)}}
	default:
		return apperr.New(apperr.MalformedJSON)
	}
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf maps the JSON names a struct type accepts to their Go types, those of embedded
// structs included.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if v, ok := fieldCache.Load(t); ok {
		return v.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "":
			maps.Copy(out, fieldsOf(f.Type))
		case name != "":
			out[name] = f.Type
		case f.IsExported():
			out[f.Name] = f.Type
		}
	}
	fieldCache.Store(t, out)
	return out
}

// rawMessage is json.RawMessage's type: a member decoded later, on its own.
var rawMessage = reflect.TypeFor[json.RawMessage]()

// unknownMembers lists the members of an object member (such as address) that its struct
// type t does not name, exactly as spelt ("address.planet", and "address.COUNTRY": Go's
// decoder would take any case, the contract does not). Non-objects and members decoded
// later as raw JSON are left to their own checks.
func unknownMembers(raw json.RawMessage, field string, t reflect.Type) apperr.Fields {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == rawMessage {
		return nil
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return nil // not an object: the type check names it
	}
	return unknownNames(members, field, t)
}

// unknownNames lists the names of an object's members, already read, that the struct type t
// does not have, as "field.name".
func unknownNames(members map[string]json.RawMessage, field string, t reflect.Type) apperr.Fields {
	known := fieldsOf(t)
	var out apperr.Fields
	for _, name := range slices.Sorted(maps.Keys(members)) {
		if _, ok := known[name]; !ok {
			out.Add(field+"."+name, apperr.FieldUnknown)
		}
	}
	return out
}

// jsonPath is the JSON path of encoding/json's error path: without the names of embedded
// structs (profileFields.first_name is first_name), "body" for the whole body.
func jsonPath(goPath string, known map[string]reflect.Type) string {
	parts := strings.Split(goPath, ".")
	for len(parts) > 1 {
		if _, ok := known[parts[0]]; ok {
			break
		}
		parts = parts[1:]
	}
	if parts[0] == "" {
		return "body"
	}
	return strings.Join(parts, ".")
}

// unknownFieldName reads the member name out of encoding/json's unknown-field error, the
// only form in which it reports one.
func unknownFieldName(err error) (string, bool) {
	const prefix = "json: unknown field "
	if !strings.HasPrefix(err.Error(), prefix) {
		return "", false
	}
	return strings.Trim(strings.TrimPrefix(err.Error(), prefix), `"`), true
}

func isUnknownField(err error) bool { _, ok := unknownFieldName(err); return ok }

// NoBody refuses a body with members on a route that takes none (an empty body or {} is
// fine): a member sent, such as "with_data" or "email", must not look accepted.
func NoBody(r *Request) error { return DecodeOptionalJSON(r, &struct{}{}) }

// DecodeOptionalJSON is DecodeJSON for a route whose body may be left out altogether.
func DecodeOptionalJSON(r *Request, v any) error {
	// JSON null is no body too: it is what a client's encoder writes for nothing.
	if b := strings.TrimSpace(r.Event.Body); b == "" || b == "null" && !r.Event.IsBase64Encoded {
		return nil
	}
	return DecodeJSON(r, v)
}
