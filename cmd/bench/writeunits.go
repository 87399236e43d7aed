//go:build linux

package main

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/store"
)

// writeCost is what writes cost on AWS's billing, computed from the items they write: a
// write unit per KB (rounded up, at least one) of the larger of the item before and after,
// twice that for a member of a TransactWriteItems; and the writes of the global secondary
// indexes the item is in.
type writeCost struct {
	TxActions int // members of TransactWriteItems
	TxUnits   int // their write units (2 per KB)
	StdUnits  int // write units of standard writes (1 per KB): PutItem, UpdateItem, DeleteItem, BatchWriteItem
	StdItems  int // items those wrote
	GSIUnits  int // write units of the index entries the writes changed (1 per KB each)
	MaxItem   int // bytes of the largest item written
}

func (c writeCost) add(o writeCost) writeCost {
	return writeCost{c.TxActions + o.TxActions, c.TxUnits + o.TxUnits, c.StdUnits + o.StdUnits, c.StdItems + o.StdItems,
		c.GSIUnits + o.GSIUnits, max(c.MaxItem, o.MaxItem)}
}

// gsi is an index of the table: its key attributes and what it projects.
type gsi struct {
	keys      []string
	projected []string // nil with ProjectionType ALL
	keysOnly  bool
}

// writeMeter is a store.DB that passes every call to DynamoDB and adds up the write units
// of the writes. To know the sizes it reads each written item before the write (and an
// updated one after it) with its own GetItems, which are not the store's and not counted.
type writeMeter struct {
	db    *dynamodb.Client
	table string
	gsis  []gsi

	mu   sync.Mutex
	cost writeCost
}

var _ store.DB = (*writeMeter)(nil)

// newWriteMeter meters the writes to table, whose indexes it reads from DescribeTable.
func newWriteMeter(ctx context.Context, db *dynamodb.Client, table string) (*writeMeter, error) {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	m := &writeMeter{db: db, table: table}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		ix := gsi{}
		for _, k := range g.KeySchema {
			ix.keys = append(ix.keys, aws.ToString(k.AttributeName))
		}
		switch g.Projection.ProjectionType {
		case types.ProjectionTypeKeysOnly:
			ix.keysOnly = true
		case types.ProjectionTypeInclude:
			ix.projected = append([]string{}, g.Projection.NonKeyAttributes...)
		}
		m.gsis = append(m.gsis, ix)
	}
	return m, nil
}

// take returns the cost added up since the last take.
func (m *writeMeter) take() writeCost {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.cost
	m.cost = writeCost{}
	return c
}

func (m *writeMeter) charge(c writeCost) {
	m.mu.Lock()
	m.cost = m.cost.add(c)
	m.mu.Unlock()
}

// item reads the current item at key (nil when none).
func (m *writeMeter) item(ctx context.Context, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := m.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(m.table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("write meter: %w", err)
	}
	return out.Item, nil
}

// units is the write units of one write that turned before into after (either nil).
func units(before, after map[string]types.AttributeValue) int { return kbUnits(largest(before, after)) }

func largest(before, after map[string]types.AttributeValue) int {
	return max(itemSize(before), itemSize(after))
}

func kbUnits(size int) int { return max(1, (size+1023)/1024) }

// gsiUnits is the write units of the index entries a write from before to after changes.
func (m *writeMeter) gsiUnits(before, after map[string]types.AttributeValue) int {
	n := 0
	for _, g := range m.gsis {
		b, a := g.entry(before), g.entry(after)
		switch {
		case b == nil && a == nil:
		case b == nil:
			n += kbUnits(itemSize(a))
		case a == nil:
			n += kbUnits(itemSize(b))
		case !reflect.DeepEqual(keyOf(b, g.keys), keyOf(a, g.keys)):
			n += kbUnits(itemSize(b)) + kbUnits(itemSize(a)) // a delete and a put
		case !reflect.DeepEqual(a, b):
			n += kbUnits(max(itemSize(a), itemSize(b)))
		}
	}
	return n
}

// entry is the index entry of item: nil when the item lacks a key attribute of the index.
func (g gsi) entry(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	if item == nil {
		return nil
	}
	out := map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]}
	for _, k := range g.keys {
		v, ok := item[k]
		if !ok {
			return nil
		}
		out[k] = v
	}
	switch {
	case g.keysOnly:
	case g.projected == nil:
		return item
	default:
		for _, a := range g.projected {
			if v, ok := item[a]; ok {
				out[a] = v
			}
		}
	}
	return out
}

func keyOf(item map[string]types.AttributeValue, names []string) []types.AttributeValue {
	out := make([]types.AttributeValue, len(names))
	for i, n := range names {
		out[i] = item[n]
	}
	return out
}

// itemSize is an item's size by DynamoDB's rules: the UTF-8 bytes of every attribute name
// and value; a number one byte per two significant digits plus one; a boolean or null one
// byte; a list or map three bytes plus one a member (and a map member's name).
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return numberSize(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range x.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is one byte per two significant digits, plus one.
func numberSize(s string) int {
	f, ok := new(big.Float).SetString(s)
	if !ok {
		return len(s)
	}
	digits := strings.Trim(strings.ReplaceAll(strings.TrimLeft(f.Text('f', -1), "-"), ".", ""), "0")
	return (max(len(digits), 1)+1)/2 + 1
}

// The reads pass through.

func (m *writeMeter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return m.db.GetItem(ctx, in, o...)
}

func (m *writeMeter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return m.db.BatchGetItem(ctx, in, o...)
}

func (m *writeMeter) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return m.db.Query(ctx, in, o...)
}

// The writes are metered.

func (m *writeMeter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	before, err := m.item(ctx, keyAttrs(in.Item))
	if err != nil {
		return nil, err
	}
	out, err := m.db.PutItem(ctx, in, o...)
	if err == nil {
		m.charge(writeCost{StdUnits: units(before, in.Item), StdItems: 1, GSIUnits: m.gsiUnits(before, in.Item), MaxItem: largest(before, in.Item)})
	}
	return out, err
}

func (m *writeMeter) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	before, err := m.item(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	out, err := m.db.UpdateItem(ctx, in, o...)
	if err != nil {
		return out, err
	}
	after, err := m.item(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	m.charge(writeCost{StdUnits: units(before, after), StdItems: 1, GSIUnits: m.gsiUnits(before, after), MaxItem: largest(before, after)})
	return out, nil
}

func (m *writeMeter) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	before, err := m.item(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	out, err := m.db.DeleteItem(ctx, in, o...)
	if err == nil {
		m.charge(writeCost{StdUnits: units(before, nil), StdItems: 1, GSIUnits: m.gsiUnits(before, nil), MaxItem: largest(before, nil)})
	}
	return out, err
}

func (m *writeMeter) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	reqs := in.RequestItems[m.table]
	befores := make([]map[string]types.AttributeValue, len(reqs))
	for i, r := range reqs {
		k := keyAttrs(nil)
		if r.PutRequest != nil {
			k = keyAttrs(r.PutRequest.Item)
		} else if r.DeleteRequest != nil {
			k = r.DeleteRequest.Key
		}
		var err error
		if befores[i], err = m.item(ctx, k); err != nil {
			return nil, err
		}
	}
	out, err := m.db.BatchWriteItem(ctx, in, o...)
	if err != nil {
		return out, err
	}
	unprocessed := map[string]bool{}
	for _, r := range out.UnprocessedItems[m.table] {
		unprocessed[requestKey(r)] = true
	}
	var c writeCost
	for i, r := range reqs {
		if unprocessed[requestKey(r)] {
			continue
		}
		var after map[string]types.AttributeValue
		if r.PutRequest != nil {
			after = r.PutRequest.Item
		}
		c.StdUnits += units(befores[i], after)
		c.StdItems++
		c.GSIUnits += m.gsiUnits(befores[i], after)
		c.MaxItem = max(c.MaxItem, largest(befores[i], after))
	}
	m.charge(c)
	return out, nil
}

func (m *writeMeter) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	keys := make([]map[string]types.AttributeValue, len(in.TransactItems))
	befores := make([]map[string]types.AttributeValue, len(in.TransactItems))
	for i, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			keys[i] = keyAttrs(it.Put.Item)
		case it.Update != nil:
			keys[i] = it.Update.Key
		case it.Delete != nil:
			keys[i] = it.Delete.Key
		case it.ConditionCheck != nil:
			keys[i] = it.ConditionCheck.Key
		}
		var err error
		if befores[i], err = m.item(ctx, keys[i]); err != nil {
			return nil, err
		}
	}
	out, err := m.db.TransactWriteItems(ctx, in, o...)
	if err != nil {
		return out, err
	}
	c := writeCost{TxActions: len(in.TransactItems)}
	for i, it := range in.TransactItems {
		after := befores[i] // a condition check writes nothing, and is billed as a write of the item
		switch {
		case it.Put != nil:
			after = it.Put.Item
		case it.Update != nil:
			if after, err = m.item(ctx, keys[i]); err != nil {
				return nil, err
			}
		case it.Delete != nil:
			after = nil
		}
		c.TxUnits += 2 * units(befores[i], after)
		c.GSIUnits += m.gsiUnits(befores[i], after)
		c.MaxItem = max(c.MaxItem, largest(befores[i], after))
	}
	m.charge(c)
	return out, nil
}

func keyAttrs(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]}
}

func requestKey(r types.WriteRequest) string {
	k := map[string]types.AttributeValue{}
	if r.PutRequest != nil {
		k = keyAttrs(r.PutRequest.Item)
	} else if r.DeleteRequest != nil {
		k = r.DeleteRequest.Key
	}
	s := func(v types.AttributeValue) string {
		if x, ok := v.(*types.AttributeValueMemberS); ok {
			return x.Value
		}
		return ""
	}
	return s(k["pk"]) + "\x00" + s(k["sk"])
}

// Budgets of a sign-up's own write (the request's transaction, without what the stream
// writes after it).
const (
	signUpMaxActions = 8
	signUpMaxUnits   = 14
)

// writeUnits fills w with the write units of every measured request: the request's own
// (its transaction at 2 units per KB of each item, its standard writes at 1), what the
// table's stream writes after it (search postings, at 1 unit each), and the index entries.
func writeUnits(w *section, steps []tripStep) {
	for _, t := range steps {
		c := t.cost
		bud, res := "(informational)", ""
		if t.name == "POST /v1/auth/register" {
			w.note("The sign-up's largest item is %d bytes: its profile, with the account_created event it carries for the", c.MaxItem)
			w.note("stream (a %d-byte browser User-Agent); %d bytes to spare before it costs 2 WU more.", len(browserAgent), 1024-c.MaxItem)
			bud = fmt.Sprintf("<= %d actions, <= %d WU", signUpMaxActions, signUpMaxUnits)
			res = mark(c.TxActions <= signUpMaxActions && c.TxUnits+c.StdUnits <= signUpMaxUnits)
		}
		w.row(t.name, fmt.Sprint(c.TxActions), fmt.Sprint(c.TxUnits), fmt.Sprint(c.StdUnits),
			fmt.Sprintf("%d (%d items)", t.stream.StdUnits, t.stream.StdItems), fmt.Sprint(c.GSIUnits+t.stream.GSIUnits), bud, res)
	}
	w.note("\"from the stream\": what the user-stream function writes after the request (search postings, a")
	w.note("new user's account_created event and mail count), its own code run here over DynamoDB Local's stream.")
	w.note("A write unit (WU) is 1 KB of an item (the larger of before and after), rounded up; a member of a")
	w.note("TransactWriteItems costs twice that. Sizes are DynamoDB's: attribute names plus values.")
	w.note("The budget is the request's own write: transaction and standard WU. \"index WU\" are the global")
	w.note("secondary indexes' entry writes (1 WU per KB each), billed on top on AWS.")
}
