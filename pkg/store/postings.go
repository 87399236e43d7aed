package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// Search postings (TRI#<trigram> / <id rotated>) are not written in the transaction of the
// user change that causes them: the stream consumer (pkg/userstream) writes them from the
// table's stream of profile items, a record at a time in the stream's order, as the
// difference between the record's old and new image. docs/data-model.md ("Postings from
// the stream") has the argument for why that ends right whatever is retried.

// attrCreatedEvent is the profile attribute that carries a new user's account_created event
// until the stream writes it (see user.Tx.Created). Lock copies never carry it.
const attrCreatedEvent = "created_event"

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
	pk, sk := str(keys["pk"]), str(keys["sk"])
	return len(pk) > len(prefixUser) && pk[:len(prefixUser)] == prefixUser && sk == skProfile
}

// UserChange is what one stream record of a profile item asks of the search index: the
// user before and after the write (Old nil for a new user, New nil for a removed one) and,
// for a new user, the creation event it carries.
type UserChange struct {
	Old, New *user.User
	Created  *user.Event
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
	}
	if c.Old == nil && c.New == nil {
		return c, fmt.Errorf("a stream record of a profile item with neither image")
	}
	if c.Old != nil && c.New != nil && c.Old.ID != c.New.ID {
		return c, fmt.Errorf("a stream record of two users, %s and %s", c.Old.ID, c.New.ID)
	}
	return c, nil
}

// createdAttr is the created_event attribute of e.
func createdAttr(e *user.Event) (types.AttributeValue, error) {
	av, err := attributevalue.Marshal(createdEvent{At: e.At, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail})
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", attrCreatedEvent, err)
	}
	return av, nil
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
// gets only the last one's write, which is what applying them one by one leaves.
//
// done is how many leading changes are wholly applied: after an error, applying
// changes[done:] (and whatever follows them in the stream) leaves the index as applying
// every change once, in order, would have.
func (s *Store) IndexUsers(ctx context.Context, changes []UserChange) (done int, err error) {
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
				return 0, err
			}
			set(&indexWrite{item: av, at: i})
		case c.New == nil:
			// The creation event of a user removed before the stream wrote it would outlive
			// the user's own clean-up: it goes with the user. (Its id is the user's.)
			set(&indexWrite{key: key(prefixUser+c.Old.ID, prefixEvent+c.Old.ID), at: i})
		}
	}
	// In the order of the changes that asked them, so that a failed batch says from which
	// change on the work is to be redone.
	slices.SortStableFunc(order, func(a, b *indexWrite) int { return a.at - b.at })
	batches := slices.Collect(slices.Chunk(order, 25))
	errs := make([]error, len(batches))
	_ = parallel(len(batches), func(i int) error {
		reqs := make([]types.WriteRequest, len(batches[i]))
		for j, w := range batches[i] {
			if w.item != nil {
				reqs[j] = types.WriteRequest{PutRequest: &types.PutRequest{Item: w.item}}
			} else {
				reqs[j] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: w.key}}
			}
		}
		errs[i] = s.writeBatch(ctx, reqs)
		return nil
	})
	for i, err := range errs {
		if err != nil {
			// Every write of a change before this batch's first is in an earlier batch,
			// which was written (or failed and said so first).
			return batches[i][0].at, fmt.Errorf("index users: %w", err)
		}
	}
	return len(changes), nil
}
