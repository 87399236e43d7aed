package awsclient

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/userbase/userbase/pkg/jsonscan"
)

// The SDK decodes a DynamoDB answer into a tree of interface{} values (numbers as
// json.Number) and then walks the tree into its types: on a warm GET /v1/me that was a
// tenth of the invocation's CPU for a read of two small items. leanReads decodes the
// answers of GetItem and BatchGetItem, the reads on every signed-in request, straight into
// the SDK's types in one pass (pkg/jsonscan). It knows only the shapes this service's reads get back;
// anything else (an error status, a field or value it does not expect, unprocessed keys,
// consumed capacity) goes to the SDK's own deserializer with the same bytes, so the
// results and errors are the SDK's in every case (TestLeanReadsDecodeAsTheSDK, and
// FuzzLeanReads).

// useLeanReads puts leanReads in place of the SDK's deserializer of the operations it
// decodes; it is one of the client's APIOptions, run as each call builds its stack.
func useLeanReads(stack *middleware.Stack) error {
	switch stack.ID() {
	case "GetItem", "BatchGetItem": // the operations whose answers leanReads decodes
	default:
		return nil
	}
	sdk, ok := stack.Deserialize.Get("OperationDeserializer")
	if !ok {
		return nil // a newer SDK renamed it: its own deserializer stays
	}
	_, err := stack.Deserialize.Swap("OperationDeserializer", leanReads{op: stack.ID(), sdk: sdk})
	return err
}

// leanReads is the deserializer of one read operation, with the SDK's as its fallback.
type leanReads struct {
	op  string
	sdk middleware.DeserializeMiddleware
}

// ID is the name of the middleware it replaces.
func (leanReads) ID() string { return "OperationDeserializer" }

// HandleDeserialize sends the request and decodes its answer.
func (m leanReads) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	out, metadata, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, metadata, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return m.bySDK(ctx, in, out, metadata)
	}
	body, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if readErr == nil {
		if m.op == "GetItem" {
			if r := decodeGetItem(body); r != nil {
				out.Result = r
				return out, metadata, nil
			}
		} else if r := decodeBatchGetItem(body); r != nil {
			out.Result = r
			return out, metadata, nil
		}
	}
	// The SDK reads the same bytes and, after them, the read's error (a checksum that
	// did not match, a connection cut), as it would have.
	var rest io.Reader = bytes.NewReader(body)
	if readErr != nil {
		rest = io.MultiReader(rest, errorReader{readErr})
	}
	resp.Body = io.NopCloser(rest)
	return m.bySDK(ctx, in, out, metadata)
}

// bySDK runs the SDK's deserializer on the answer already received.
func (m leanReads) bySDK(ctx context.Context, in middleware.DeserializeInput, out middleware.DeserializeOutput, metadata middleware.Metadata) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	return m.sdk.HandleDeserialize(ctx, in, middleware.DeserializeHandlerFunc(
		func(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
			return out, metadata, nil
		}))
}

// errorReader fails every read with its error.
type errorReader struct{ err error }

func (r errorReader) Read([]byte) (int, error) { return 0, r.err }

// decodeGetItem decodes {"Item": {...}} or {}; nil for anything else.
func decodeGetItem(b []byte) *dynamodb.GetItemOutput {
	d := jsonscan.New(b)
	out := &dynamodb.GetItemOutput{}
	ok := d.Object(func(key string) bool {
		if key != "Item" || out.Item != nil {
			return false
		}
		out.Item = item(d)
		return out.Item != nil
	})
	if !ok || !d.End() {
		return nil
	}
	return out
}

// decodeBatchGetItem decodes {"Responses": {table: [items]}, "UnprocessedKeys": {}}; nil
// for anything else.
func decodeBatchGetItem(b []byte) *dynamodb.BatchGetItemOutput {
	d := jsonscan.New(b)
	out := &dynamodb.BatchGetItemOutput{}
	ok := d.Object(func(key string) bool {
		switch key {
		case "Responses":
			if out.Responses != nil {
				return false
			}
			out.Responses = map[string][]map[string]types.AttributeValue{}
			return d.Object(func(table string) bool {
				items := []map[string]types.AttributeValue{}
				ok := d.Array(func() bool {
					item := item(d)
					items = append(items, item)
					return item != nil
				})
				out.Responses[table] = items
				return ok
			})
		case "UnprocessedKeys":
			if out.UnprocessedKeys != nil {
				return false
			}
			out.UnprocessedKeys = map[string]types.KeysAndAttributes{}
			return d.Object(func(string) bool { return false }) // only none
		}
		return false
	})
	if !ok || !d.End() {
		return nil
	}
	return out
}

// stringList reads an array of strings (a non-nil slice, as the SDK makes).
func stringList(d *jsonscan.Scanner) ([]string, bool) {
	out := []string{}
	ok := d.Array(func() bool {
		s, ok := d.String()
		out = append(out, s)
		return ok
	})
	return out, ok
}

// item reads an item, a map of attribute values; nil on failure.
func item(d *jsonscan.Scanner) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{}
	ok := d.Object(func(name string) bool {
		v := value(d)
		m[name] = v
		return v != nil
	})
	if !ok {
		return nil
	}
	return m
}

// value reads one attribute value, an object of exactly one known member; nil on failure.
func value(d *jsonscan.Scanner) types.AttributeValue {
	var v types.AttributeValue
	ok := d.Object(func(tag string) bool {
		if v != nil {
			return false // two members: the SDK would pick one at random
		}
		switch tag {
		case "S":
			s, ok := d.String()
			v = &types.AttributeValueMemberS{Value: s}
			return ok
		case "N":
			s, ok := d.String()
			v = &types.AttributeValueMemberN{Value: s}
			return ok
		case "B":
			s, ok := d.String()
			if !ok {
				return false
			}
			b, err := base64.StdEncoding.DecodeString(s)
			v = &types.AttributeValueMemberB{Value: b}
			return err == nil
		case "BOOL":
			b, ok := d.Bool()
			v = &types.AttributeValueMemberBOOL{Value: b}
			return ok
		case "NULL":
			b, ok := d.Bool()
			v = &types.AttributeValueMemberNULL{Value: b}
			return ok
		case "SS":
			ss, ok := stringList(d)
			v = &types.AttributeValueMemberSS{Value: ss}
			return ok
		case "NS":
			ss, ok := stringList(d)
			v = &types.AttributeValueMemberNS{Value: ss}
			return ok
		case "BS":
			ss, ok := stringList(d)
			bs := make([][]byte, 0, len(ss))
			for _, s := range ss {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return false
				}
				bs = append(bs, b)
			}
			v = &types.AttributeValueMemberBS{Value: bs}
			return ok
		case "M":
			m := item(d)
			v = &types.AttributeValueMemberM{Value: m}
			return m != nil
		case "L":
			l := []types.AttributeValue{}
			ok := d.Array(func() bool {
				e := value(d)
				l = append(l, e)
				return e != nil
			})
			v = &types.AttributeValueMemberL{Value: l}
			return ok
		}
		return false
	})
	if !ok {
		return nil
	}
	return v
}
