package userstream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
	"github.com/userbase/userbase/pkg/userstream"
)

// table is an in-memory stand-in for the DynamoDB table, enough for the store's
// transactions of users and the indexer's BatchWriteItems: it keeps the items and, as the
// table's stream does, a record of every put and delete with the old and new image.
type table struct {
	mu      sync.Mutex
	items   map[string]map[string]types.AttributeValue
	records []events.DynamoDBEventRecord
	// fail, when set, fails a BatchWriteItem of those requests.
	fail func(reqs []types.WriteRequest) error
	hits map[string]int // counter hits by partition key
}

var _ store.DB = (*table)(nil)

func newTable() *table {
	return &table{items: map[string]map[string]types.AttributeValue{}, hits: map[string]int{}}
}

func sv(v types.AttributeValue) string {
	s, _ := v.(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

func id(k map[string]types.AttributeValue) string { return sv(k["pk"]) + " " + sv(k["sk"]) }

// write puts item (or deletes key, item nil) and records it in the stream.
func (tb *table) write(k, item map[string]types.AttributeValue) {
	old := tb.items[id(k)]
	if item == nil {
		delete(tb.items, id(k))
	} else {
		tb.items[id(k)] = item
	}
	name := "MODIFY"
	switch {
	case old == nil && item == nil:
		return // DynamoDB writes no record for a delete of nothing
	case old == nil:
		name = "INSERT"
	case item == nil:
		name = "REMOVE"
	}
	tb.records = append(tb.records, events.DynamoDBEventRecord{
		EventID: fmt.Sprint(len(tb.records)), EventName: name, EventSource: "aws:dynamodb",
		Change: events.DynamoDBStreamRecord{
			Keys:     image(map[string]types.AttributeValue{"pk": k["pk"], "sk": k["sk"]}),
			OldImage: image(old), NewImage: image(item),
			SequenceNumber: fmt.Sprintf("%021d", len(tb.records)+1), StreamViewType: "NEW_AND_OLD_IMAGES",
		},
	})
}

func (tb *table) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			tb.write(it.Put.Item, it.Put.Item)
		case it.Delete != nil:
			tb.write(it.Delete.Key, nil)
		case it.Update != nil && sv(it.Update.Key["sk"]) == "PROFILE":
			return nil, errors.New("the stand-in table does not update profiles")
		}
		// Counters (updates) and condition checks are not what these tests look at.
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (tb *table) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, reqs := range in.RequestItems {
		if len(reqs) > 25 {
			return nil, errors.New("ValidationException: more than 25 requests")
		}
		seen := map[string]bool{}
		for _, r := range reqs {
			var k map[string]types.AttributeValue
			if r.PutRequest != nil {
				k = r.PutRequest.Item
			} else {
				k = r.DeleteRequest.Key
			}
			if seen[id(k)] {
				return nil, errors.New("ValidationException: Provide a list of operations with distinct keys")
			}
			seen[id(k)] = true
		}
		if tb.fail != nil {
			if err := tb.fail(reqs); err != nil {
				return nil, err
			}
		}
		for _, r := range reqs {
			if r.PutRequest != nil {
				tb.write(r.PutRequest.Item, r.PutRequest.Item)
			} else {
				tb.write(r.DeleteRequest.Key, nil)
			}
		}
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

var errUnused = errors.New("not used by these tests")

func (tb *table) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, errUnused
}
func (tb *table) BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return nil, errUnused
}
func (tb *table) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, errUnused
}

// UpdateItem counts counter hits (ADD n 1) by partition key.
func (tb *table) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if !strings.HasPrefix(sv(in.Key["pk"]), "LIMIT#") {
		return nil, errUnused
	}
	tb.hits[sv(in.Key["pk"])]++
	return &dynamodb.UpdateItemOutput{}, nil
}
func (tb *table) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, errUnused
}
func (tb *table) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, errUnused
}

// take returns the stream records written since the last take.
func (tb *table) take(from *int) []events.DynamoDBEventRecord {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	out := slices.Clone(tb.records[*from:])
	*from = len(tb.records)
	return out
}

// postings lists the trigrams of uid's posting items.
func (tb *table) postings(uid string) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, it := range tb.items {
		if t, ok := strings.CutPrefix(sv(it["pk"]), "TRI#"); ok && sv(it["sk"]) == uid[10:]+uid[:10] {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// count is how many items have a partition key starting with prefix.
func (tb *table) count(prefix string) int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	n := 0
	for _, it := range tb.items {
		if strings.HasPrefix(sv(it["pk"]), prefix) {
			n++
		}
	}
	return n
}

func (tb *table) has(pk, sk string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	_, ok := tb.items[pk+" "+sk]
	return ok
}

// image turns SDK attribute values into a stream image as Lambda hands it over.
func image(m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = attr(v)
	}
	return out
}

func attr(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = attr(e)
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(image(x.Value))
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	}
	return events.NewNullAttribute()
}

// fixture is a store over the stand-in table and the indexer over the same table.
type fixture struct {
	t    *testing.T
	tb   *table
	st   *store.Store
	x    *userstream.Indexer
	read int // stream records taken so far
}

func newFixture(t *testing.T) *fixture {
	tb := newTable()
	st := store.New(tb, "t")
	return &fixture{t: t, tb: tb, st: st, x: &userstream.Indexer{Index: st}}
}

var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func (f *fixture) create(email, first, last string) *user.User {
	f.t.Helper()
	uid, err := auth.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	u := &user.User{ID: uid, Email: email, FirstName: first, LastName: last, Role: user.RoleMember, Active: true,
		CreatedAt: now, UpdatedAt: now, Version: 1, PasswordHash: "x"}
	ev := &user.Event{ID: uid, UserID: uid, Type: user.EventAccountCreated, At: now, IP: "192.0.2.7"}
	f.apply(&user.Tx{Now: now, Create: u, Created: ev, CreatedHits: []user.Counter{{Key: "mail#" + email, ExpiresAt: now.Add(time.Hour)}}})
	return u
}

func (f *fixture) save(u *user.User, change func(*user.User)) *user.User {
	f.t.Helper()
	next := *u
	change(&next)
	next.Version = u.Version + 1
	f.apply(&user.Tx{Now: now, Save: &user.Save{Next: &next, Prev: u}})
	return &next
}

func (f *fixture) remove(u *user.User) {
	f.t.Helper()
	f.apply(&user.Tx{Now: now, Remove: u})
}

func (f *fixture) apply(tx *user.Tx) {
	f.t.Helper()
	if err := f.st.Apply(context.Background(), tx); err != nil {
		f.t.Fatal(err)
	}
}

// batch is the stream records written since the last batch, as Lambda would hand them to
// the function: the subscription's filter is left to the handler's own check.
func (f *fixture) batch() []events.DynamoDBEventRecord { return f.tb.take(&f.read) }

// handle hands the records to the indexer and returns the sequence number it asks Lambda
// to retry from ("" when it did everything).
func (f *fixture) handle(recs []events.DynamoDBEventRecord) string {
	f.t.Helper()
	resp, err := f.x.Handle(context.Background(), events.DynamoDBEvent{Records: recs})
	if err != nil {
		f.t.Fatalf("Handle: %v", err)
	}
	switch len(resp.BatchItemFailures) {
	case 0:
		return ""
	case 1:
		return resp.BatchItemFailures[0].ItemIdentifier
	}
	f.t.Fatalf("Handle reported %d failures, want the first record to retry from", len(resp.BatchItemFailures))
	return ""
}

func (f *fixture) settle() {
	f.t.Helper()
	if seq := f.handle(f.batch()); seq != "" {
		f.t.Fatalf("Handle asks a retry from %s", seq)
	}
}

// wantIndexed checks that u's postings are exactly its trigrams (nil: none).
func (f *fixture) wantIndexed(when string, uid string, u *user.User) {
	f.t.Helper()
	var want []string
	if u != nil {
		want = slices.Sorted(slices.Values(user.Trigrams(u)))
	}
	if got := f.tb.postings(uid); !slices.Equal(got, want) {
		f.t.Errorf("%s: postings %v, want %v", when, got, want)
	}
}

func TestRename(t *testing.T) {
	f := newFixture(t)
	u := f.create("ada@example.com", "Ada", "Byron")
	f.wantIndexed("created, before the stream", u.ID, nil)
	f.settle()
	f.wantIndexed("created", u.ID, u)
	if !f.tb.has("USER#"+u.ID, "EVENT#"+u.ID) {
		t.Error("no account_created event after the stream")
	}
	if n := f.tb.hits["LIMIT#mail#ada@example.com"]; n != 1 {
		t.Errorf("the creation's counter counted %d times, want 1", n)
	}
	u = f.save(u, func(n *user.User) { n.LastName = "Lovelace" })
	f.settle()
	f.wantIndexed("renamed", u.ID, u)
	if n := f.tb.hits["LIMIT#mail#ada@example.com"]; n != 1 {
		t.Errorf("after a rename the creation's counter counted %d times, want 1", n)
	}
}

func TestEmailChange(t *testing.T) {
	f := newFixture(t)
	u := f.create("first.person@example.com", "Kim", "Lee")
	f.settle()
	u = f.save(u, func(n *user.User) { n.Email = "countess@example.org" })
	f.settle()
	f.wantIndexed("email changed", u.ID, u)
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	u := f.create("gone@example.com", "Will", "Go")
	f.settle()
	f.remove(u)
	f.settle()
	f.wantIndexed("deleted", u.ID, nil)
	if f.tb.has("USER#"+u.ID, "EVENT#"+u.ID) {
		t.Error("the creation event outlives the user")
	}
}

// Created, renamed and deleted in one batch, as when the stream is behind.
func TestRenamedAndDeletedInOneBatch(t *testing.T) {
	f := newFixture(t)
	u := f.create("brief@example.com", "Brief", "Visit")
	u = f.save(u, func(n *user.User) { n.LastName, n.Email = "Stay", "renamed@example.com" })
	f.remove(u)
	f.settle()
	f.wantIndexed("created, renamed and deleted", u.ID, nil)
	if f.tb.has("USER#"+u.ID, "EVENT#"+u.ID) {
		t.Error("the creation event outlives the user")
	}
}

// Lambda delivers a batch at least once: the same batch twice changes nothing.
func TestReplayedBatch(t *testing.T) {
	f := newFixture(t)
	u := f.create("again@example.com", "Ann", "Twice")
	u = f.save(u, func(n *user.User) { n.FirstName = "Anna" })
	first := f.batch()
	v := f.save(u, func(n *user.User) { n.LastName = "Thrice" })
	second := f.batch()
	for _, b := range [][]events.DynamoDBEventRecord{first, first, second, second} {
		if seq := f.handle(b); seq != "" {
			t.Fatalf("retry from %s", seq)
		}
	}
	f.wantIndexed("after each batch twice", u.ID, v)
	// A counter hit is the one write that is not idempotent: it errs on the side of more.
	if n := f.tb.hits["LIMIT#mail#again@example.com"]; n != 2 {
		t.Errorf("the creation delivered twice counted %d times, want 2", n)
	}
}

// A batch whose writes fail part way asks Lambda to retry from the first change not wholly
// written; Lambda retries from there, bisecting, and the index ends as if each change had
// been applied once, in order, whatever of the later changes the failed attempt wrote.
func TestBisectedBatch(t *testing.T) {
	f := newFixture(t)
	a := f.create("alpha@example.com", "Al", "Pha")
	a = f.save(a, func(n *user.User) { n.LastName = "Omega" })
	b := f.create("bravo@example.com", "Bra", "Vo")
	// A session in between: the subscription would filter it out; the handler skips it.
	f.apply(&user.Tx{Sessions: []*user.Session{{ID: "s1", UserID: b.ID, ExpiresAt: now.Add(time.Hour)}}})
	b = f.save(b, func(n *user.User) { n.LastName = "Victor" })
	a = f.save(a, func(n *user.User) { n.Email = "alpha.omega@example.com" })
	f.remove(a)
	c := f.create("charlie@example.com", "Char", "Lie")
	recs := f.batch()

	// The first attempt fails every BatchWriteItem that puts a posting of "victor".
	victor := "TRI#vic"
	attempts := 0
	f.tb.fail = func(reqs []types.WriteRequest) error {
		for _, r := range reqs {
			if r.PutRequest != nil && sv(r.PutRequest.Item["pk"]) == victor {
				attempts++
				if attempts == 1 {
					return errors.New("ProvisionedThroughputExceededException")
				}
			}
		}
		return nil
	}
	seq := f.handle(recs)
	if seq == "" {
		t.Fatal("the failed attempt asks no retry")
	}
	from := slices.IndexFunc(recs, func(r events.DynamoDBEventRecord) bool { return r.Change.SequenceNumber == seq })
	if from < 0 {
		t.Fatalf("retry from %s, a sequence number of no record", seq)
	}
	// Every record from the one that renamed b to Victor on is retried.
	rename := slices.IndexFunc(recs, func(r events.DynamoDBEventRecord) bool {
		return r.EventName == "MODIFY" && strings.Contains(r.Change.NewImage["last_name"].String(), "Victor")
	})
	if from > rename {
		t.Errorf("retry from record %d, after the rename to Victor (record %d) whose postings failed", from, rename)
	}
	// Lambda bisects what is left and retries each half in order.
	rest := recs[from:]
	for _, half := range [][]events.DynamoDBEventRecord{rest[:len(rest)/2], rest[len(rest)/2:]} {
		if seq := f.handle(half); seq != "" {
			t.Fatalf("a half fails again, from %s", seq)
		}
	}
	f.wantIndexed("a", a.ID, nil)
	f.wantIndexed("b", b.ID, b)
	f.wantIndexed("c", c.ID, c)
	if f.tb.has("USER#"+a.ID, "EVENT#"+a.ID) || !f.tb.has("USER#"+c.ID, "EVENT#"+c.ID) {
		t.Error("creation events: want none for the deleted user, one for the new one")
	}
}

func TestHandleChecksTheRecords(t *testing.T) {
	f := newFixture(t)
	u := f.create("checked@example.com", "Che", "Cked")
	recs := f.batch()
	malformed := recs[0]
	malformed.Change.NewImage = map[string]events.DynamoDBAttributeValue{
		"pk": events.NewStringAttribute("USER#x"), "sk": events.NewStringAttribute("PROFILE"), "version": events.NewStringAttribute("not a number"),
	}
	malformed.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("USER#x"), "sk": events.NewStringAttribute("PROFILE")}
	// A malformed profile is skipped, not retried for ever; the rest is indexed.
	if seq := f.handle(append([]events.DynamoDBEventRecord{malformed}, recs...)); seq != "" {
		t.Fatalf("retry from %s", seq)
	}
	f.wantIndexed("created", u.ID, u)
	if n := f.tb.count("TRI#"); n != len(user.Trigrams(u)) {
		t.Errorf("%d posting items, want only the %d of the well-formed user", n, len(user.Trigrams(u)))
	}

	// A stream without old images cannot be indexed: the handler fails, loudly.
	bad := recs[0]
	bad.Change.StreamViewType = "NEW_IMAGE"
	if _, err := f.x.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{bad}}); err == nil {
		t.Error("a NEW_IMAGE stream: no error")
	}
}
