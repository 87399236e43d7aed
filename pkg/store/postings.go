package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// Search postings (TRI#<trigram> / <id rotated>) are not written in the transaction of the
// user change that causes them: the stream consumer (pkg/userstream) writes them from the
// table's stream of profile items, in the stream's order, as the difference between each
// record's old and new image. docs/data-model.md ("Postings from
// the stream") has the argument for why that ends right whatever is retried.

// attrCreatedEvent and attrCreatedHits are the profile attributes that carry a new user's
// account_created event and the counters its creation counts, for the stream to write
// (see user.Tx.Created). Lock copies never carry them.
const (
	attrCreatedEvent = "created_event"
	attrCreatedHits  = "created_hits"
)

// createdHit is a counter as a new profile carries it.
type createdHit struct {
	Key       string `dynamodbav:"key"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

// createdEvent is the account_created event as a new profile carries it; its id is the
// user's.
type createdEvent struct {
	At        time.Time         `dynamodbav:"at"`
	IP        string            `dynamodbav:"ip,omitempty"`
	UserAgent string            `dynamodbav:"user_agent,omitempty"`
	Detail    map[string]string `dynamodbav:"detail,omitempty"`
}

// IsProfileKey reports whether a stream record's keys are those of a user profile item.
func IsProfileKey(keys map[string]types.AttributeValue) bool {
	pk := str(keys["pk"])
	return len(pk) > len(prefixUser) && strings.HasPrefix(pk, prefixUser) && str(keys["sk"]) == skProfile
}

// UserChange is what one stream record of a profile item asks of the search index: the
// user before and after the write (Old nil for a new user, New nil for a removed one) and,
// for a new user, the creation event and the counter hits it carries.
type UserChange struct {
	Old, New *user.User
	Created  *user.Event
	Hits     []user.Counter
}

// UserChangeOf reads a stream record of a profile item from its old and new images (nil or
// empty for none), in the SDK's form.
func UserChangeOf(oldImage, newImage map[string]types.AttributeValue) (UserChange, error) {
	var c UserChange
	var err error
	if len(oldImage) > 0 {
		if c.Old, err = unmarshalUser(oldImage); err != nil {
			return c, err
		}
	}
	if len(newImage) > 0 {
		if c.New, err = unmarshalUser(newImage); err != nil {
			return c, err
		}
		if ev, ok := newImage[attrCreatedEvent]; ok && c.Old == nil {
			var it createdEvent
			if err := attributevalue.Unmarshal(ev, &it); err != nil {
				return c, fmt.Errorf("unmarshal %s of %s: %w", attrCreatedEvent, c.New.ID, err)
			}
			c.Created = &user.Event{ID: c.New.ID, UserID: c.New.ID, Type: user.EventAccountCreated, At: it.At,
				IP: it.IP, UserAgent: it.UserAgent, Detail: it.Detail}
		}
		if hits, ok := newImage[attrCreatedHits]; ok && c.Old == nil {
			var hs []createdHit
			if err := attributevalue.Unmarshal(hits, &hs); err != nil {
				return c, fmt.Errorf("unmarshal %s of %s: %w", attrCreatedHits, c.New.ID, err)
			}
			for _, h := range hs {
				c.Hits = append(c.Hits, user.Counter{Key: h.Key, ExpiresAt: time.Unix(h.ExpiresAt, 0).UTC()})
			}
		}
	}
	if c.Old == nil && c.New == nil {
		return c, fmt.Errorf("a stream record of a profile item with neither image")
	}
	if c.Old != nil && c.New != nil && c.Old.ID != c.New.ID {
		return c, fmt.Errorf("a stream record of two users, %s and %s", c.Old.ID, c.New.ID)
	}
	return c, nil
}

// createdAttrs adds to a new profile item what tx's creation leaves to the stream.
func createdAttrs(av map[string]types.AttributeValue, tx *user.Tx) error {
	var err error
	if e := tx.Created; e != nil {
		if av[attrCreatedEvent], err = attributevalue.Marshal(createdEvent{At: e.At, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail}); err != nil {
			return fmt.Errorf("marshal %s: %w", attrCreatedEvent, err)
		}
	}
	if len(tx.CreatedHits) > 0 {
		hs := make([]createdHit, len(tx.CreatedHits))
		for i, c := range tx.CreatedHits {
			hs[i] = createdHit{Key: c.Key, ExpiresAt: c.ExpiresAt.Unix()}
		}
		if av[attrCreatedHits], err = attributevalue.Marshal(hs); err != nil {
			return fmt.Errorf("marshal %s: %w", attrCreatedHits, err)
		}
	}
	return nil
}

// postingItem is the posting of trigram t for user uid.
func postingItem(t, uid string) map[string]types.AttributeValue {
	av := trigramKey(t, uid)
	av["type"] = sAV(typeTrigram)
	return av
}

// indexWrite is the last write a run of changes asks of one item: a put of item, or a
// delete of key; at is the index of the change that asked it.
type indexWrite struct {
	item, key map[string]types.AttributeValue
	at        int
}

// IndexUsers writes what changes, in stream order, ask of the search index, with
// BatchWriteItems: for each change the postings of the new user missing from the old one
// are put and those of the old one missing from the new one deleted; a new user's
// creation event is put, and a removed user's deleted. Every write is idempotent (the
// same item put again, an absent item deleted), and an item that several changes touch
// gets only the last one's write, which is what applying them one by one leaves. A new
// user's counter hits are counted too (UpdateItem): those alone count again when a
// change is applied again.
//
// done is how many leading changes are wholly applied: after an error, applying
// changes[done:] (and whatever follows them in the stream) leaves the index as applying
// every change once, in order, would have.
func (s *Store) IndexUsers(ctx context.Context, changes []UserChange) (done int, err error) {
	order, err := indexWrites(changes)
	if err != nil {
		return 0, err
	}
	batches := slices.Collect(slices.Chunk(order, 25))
	type hit struct {
		c  user.Counter
		at int
	}
	var hits []hit
	for i, c := range changes {
		for _, h := range c.Hits {
			hits = append(hits, hit{h, i})
		}
	}
	errs := make([]error, len(batches)+len(hits))
	_ = parallel(len(batches)+len(hits), func(i int) error {
		if i >= len(batches) {
			errs[i] = s.Hit(ctx, hits[i-len(batches)].c)
			return nil
		}
		errs[i] = s.writeBatch(ctx, writeRequests(batches[i]))
		return nil
	})
	done = len(changes)
	for i, e := range errs {
		at := 0
		switch {
		case e == nil:
			continue
		case i < len(batches):
			// Every write of a change before this batch's first is in an earlier batch.
			at = batches[i][0].at
		default:
			at = hits[i-len(batches)].at
		}
		if at < done {
			done, err = at, fmt.Errorf("index users: %w", e)
		}
	}
	return done, err
}

// indexWrites is the item writes of changes, one per item (the last change's), in the
// order of the changes that asked them, so that a failed batch says from which change on
// the work is to be redone.
func indexWrites(changes []UserChange) ([]*indexWrite, error) {
	last := map[string]*indexWrite{}
	var order []*indexWrite
	set := func(w *indexWrite) {
		k := w.key
		if w.item != nil {
			k = key(str(w.item["pk"]), str(w.item["sk"]))
		}
		id := str(k["pk"]) + "\x00" + str(k["sk"])
		if prev, ok := last[id]; ok {
			*prev = *w // one write an item a batch: the later change's
			return
		}
		last[id] = w
		order = append(order, w)
	}
	for i, c := range changes {
		var old, cur []string
		if c.Old != nil {
			old = user.Trigrams(c.Old)
		}
		if c.New != nil {
			cur = user.Trigrams(c.New)
		}
		for _, t := range old {
			if !slices.Contains(cur, t) {
				set(&indexWrite{key: trigramKey(t, c.Old.ID), at: i})
			}
		}
		for _, t := range cur {
			if !slices.Contains(old, t) {
				set(&indexWrite{item: postingItem(t, c.New.ID), at: i})
			}
		}
		switch {
		case c.Created != nil:
			av, err := marshalEvent(c.Created)
			if err != nil {
				return nil, err
			}
			set(&indexWrite{item: av, at: i})
		case c.New == nil:
			// The creation event of a user removed before the stream wrote it would outlive
			// the user's own clean-up: it goes with the user. (Its id is the user's.)
			set(&indexWrite{key: key(prefixUser+c.Old.ID, prefixEvent+c.Old.ID), at: i})
		}
	}
	slices.SortStableFunc(order, func(a, b *indexWrite) int { return a.at - b.at })
	return order, nil
}

// writeRequests is a batch's puts and deletes.
func writeRequests(batch []*indexWrite) []types.WriteRequest {
	reqs := make([]types.WriteRequest, len(batch))
	for j, w := range batch {
		if w.item != nil {
			reqs[j] = types.WriteRequest{PutRequest: &types.PutRequest{Item: w.item}}
		} else {
			reqs[j] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: w.key}}
		}
	}
	return reqs
}
