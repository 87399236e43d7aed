package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// maxTxItems is the most items one TransactWriteItems takes.
const maxTxItems = 100

// txBuilder collects the items of one TransactWriteItems and what a failed condition of
// each means.
type txBuilder struct {
	s     *Store
	items []types.TransactWriteItem
	errs  []error // the domain error of item i's condition; nil for one that cannot fail
}

func (b *txBuilder) add(it types.TransactWriteItem, err error) {
	b.items = append(b.items, it)
	b.errs = append(b.errs, err)
}

func (b *txBuilder) put(av map[string]types.AttributeValue, cond string, vals map[string]types.AttributeValue, err error) {
	p := &types.Put{TableName: b.s.table, Item: av}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
		p.ExpressionAttributeValues = vals
	}
	b.add(types.TransactWriteItem{Put: p}, err)
}

func (b *txBuilder) update(k map[string]types.AttributeValue, expr, cond string, names map[string]string, vals map[string]types.AttributeValue, err error) {
	u := &types.Update{TableName: b.s.table, Key: k, UpdateExpression: aws.String(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals}
	if cond != "" {
		u.ConditionExpression = aws.String(cond)
	}
	b.add(types.TransactWriteItem{Update: u}, err)
}

func (b *txBuilder) del(k map[string]types.AttributeValue, cond string, vals map[string]types.AttributeValue, err error) {
	d := &types.Delete{TableName: b.s.table, Key: k}
	if cond != "" {
		d.ConditionExpression = aws.String(cond)
		d.ExpressionAttributeValues = vals
	}
	b.add(types.TransactWriteItem{Delete: d}, err)
}

// Apply writes every part of tx in one TransactWriteItems.
func (s *Store) Apply(ctx context.Context, tx *user.Tx) error {
	b := &txBuilder{s: s}
	if err := b.build(tx); err != nil {
		return err
	}
	if len(b.items) == 0 {
		return nil
	}
	if len(b.items) > maxTxItems {
		// The domain keeps every change within the limit (user.TrigramPositions); this
		// is the guard that a new one does too.
		return fmt.Errorf("transaction of %d items is over DynamoDB's %d", len(b.items), maxTxItems)
	}
	reasons, err := s.transact(ctx, b.items)
	if err != nil || reasons == nil {
		return err
	}
	var first error
	for i := range b.items {
		if !failed(reasons, i) {
			continue
		}
		e := b.errs[i]
		if e == nil {
			e = user.ErrConflict
		}
		if errors.Is(e, user.ErrLimited) {
			return e // a limit outranks what else failed: nothing is said past it
		}
		if first == nil {
			first = e
		}
	}
	if first == nil {
		first = user.ErrConflict
	}
	return first
}

func (b *txBuilder) build(tx *user.Tx) error {
	now := tx.Now.Unix()
	if u := tx.Create; u != nil {
		for _, k := range userCopies(u) {
			av, err := marshalUser(u, k[0], k[1])
			if err != nil {
				return err
			}
			b.put(av, condNew, nil, lockErr(k, user.ErrConflict))
		}
		b.indexWrites(nil, u)
	}
	if sv := tx.Save; sv != nil {
		if err := b.save(sv.Next, sv.Prev); err != nil {
			return err
		}
		b.indexWrites(sv.Prev, sv.Next)
	}
	if u := tx.Remove; u != nil {
		for _, k := range userCopies(u) {
			cond, vals := "id = :id", map[string]types.AttributeValue{":id": sAV(u.ID)}
			if k[1] == skProfile {
				cond, vals = "version = :v", map[string]types.AttributeValue{":v": n(u.Version)}
			}
			b.del(key(k[0], k[1]), cond, vals, user.ErrConflict)
		}
		b.indexWrites(u, nil)
	}
	if tx.Sponsor != "" {
		b.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: b.s.table, Key: userKey(tx.Sponsor), ConditionExpression: aws.String("attribute_exists(pk)"),
		}}, user.ErrSponsorNotFound)
	}
	for _, se := range tx.Sessions {
		av, err := marshalSession(se)
		if err != nil {
			return err
		}
		b.put(av, condNew, nil, nil)
	}
	if se := tx.Stamp; se != nil {
		b.update(sessionKey(se.UserID, se.ID), "SET epoch = :e", "attribute_exists(pk)", nil,
			map[string]types.AttributeValue{":e": n(se.Epoch)}, user.ErrConflict)
	}
	for _, se := range tx.Revoke {
		b.del(sessionKey(se.UserID, se.ID), "attribute_exists(pk)", nil, user.ErrNotFound)
	}
	if c := tx.Code; c != nil {
		av, err := marshalCode(c)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if c := tx.UseCode; c != nil {
		b.del(key(prefixCode+c.Hash, skCode), "attribute_exists(pk) AND expires_at > :now", map[string]types.AttributeValue{":now": n(now)}, user.ErrInvalidCode)
	}
	for _, w := range tx.Wishes {
		av, err := marshalWish(w)
		if err != nil {
			return err
		}
		if w.New {
			b.put(av, condNew, nil, user.ErrConflict)
		} else {
			b.put(av, "", nil, nil)
		}
	}
	for _, w := range tx.Unwish {
		b.del(key(prefixUser+w.UserID, prefixWish+w.ProductID), "attribute_exists(pk)", nil, user.ErrNotFound)
	}
	for _, m := range tx.Mails {
		av, err := marshalMail(m)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	for _, e := range tx.Events {
		av, err := marshalEvent(e)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if c := tx.Limit; c != nil {
		up := b.s.counterUpdate(*c, true)
		b.add(types.TransactWriteItem{Update: up}, user.ErrLimited)
	}
	for _, c := range tx.Hits {
		b.add(types.TransactWriteItem{Update: b.s.counterUpdate(c, false)}, nil)
	}
	for _, c := range tx.Uncount {
		up := b.s.counterUpdate(c, false)
		up.ExpressionAttributeValues[":one"] = n(-1)
		b.add(types.TransactWriteItem{Update: up}, nil)
	}
	if m := tx.MFA; m != nil {
		av, err := marshalMFA(m)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if tx.RemoveMFA != "" {
		b.del(key(prefixUser+tx.RemoveMFA, skMFA), "", nil, nil)
	}
	if t := tx.MFAToken; t != nil {
		av, err := marshalMFAToken(t)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if t := tx.UseMFAToken; t != nil {
		b.del(key(prefixUser+t.UserID, prefixMFAToken+t.Hash), "attribute_exists(pk) AND expires_at > :now",
			map[string]types.AttributeValue{":now": n(now)}, user.ErrInvalidCode)
	}
	if m := tx.MFAUse; m != nil {
		k := key(prefixUser+m.UserID, skMFA)
		if m.RecoveryHash != "" {
			b.update(k, "DELETE recovery :h", "contains(recovery, :one)", nil, map[string]types.AttributeValue{
				":h": &types.AttributeValueMemberSS{Value: []string{m.RecoveryHash}}, ":one": sAV(m.RecoveryHash),
			}, user.ErrInvalidCode)
		} else {
			b.update(k, "SET last_step = :s", "last_step < :s", nil, map[string]types.AttributeValue{":s": n(m.Step)}, user.ErrInvalidCode)
		}
	}
	if d := tx.AdminDelta; d != 0 {
		cond := ""
		vals := map[string]types.AttributeValue{":d": n(int64(d))}
		if d < 0 {
			// Never the last one: a count that would reach zero fails the transaction.
			cond, vals[":min"] = "#n > :min", n(int64(-d))
		}
		b.update(key(keyStats, skAdmins), "ADD #n :d", cond, map[string]string{"#n": "n"}, vals, user.ErrLastAdmin)
	}
	if f := tx.Failure; f != nil {
		for _, k := range userCopies(f.User) {
			b.update(key(k[0], k[1]),
				"SET fail_count = :c, fail_until = :u, locked_until = :l, lock_level = :lv",
				"fail_count = :oc AND fail_until = :ou AND id = :id", nil,
				map[string]types.AttributeValue{
					":c": n(f.Count), ":u": n(unix(f.Until)), ":l": n(unix(f.LockedUntil)), ":lv": n(f.LockLevel),
					":oc": n(f.User.FailCount), ":ou": n(unix(f.User.FailUntil)), ":id": sAV(f.User.ID),
				}, user.ErrConflict)
		}
	}
	if u := tx.ClearFailures; u != nil {
		for _, k := range userCopies(u) {
			b.update(key(k[0], k[1]), "SET fail_count = :z, fail_until = :z, locked_until = :z, lock_level = :z",
				"id = :id", nil, map[string]types.AttributeValue{":z": n(0), ":id": sAV(u.ID)}, user.ErrConflict)
		}
	}
	return nil
}

// save writes next over prev: the profile conditioned on prev's version, locks that stay
// rewritten, locks that go deleted, new locks taken only if free.
func (b *txBuilder) save(next, prev *user.User) error {
	old := map[[2]string]bool{}
	for _, k := range userCopies(prev) {
		old[k] = true
	}
	for _, k := range userCopies(next) {
		av, err := marshalUser(next, k[0], k[1])
		if err != nil {
			return err
		}
		switch {
		case k[1] == skProfile:
			b.put(av, "version = :v", map[string]types.AttributeValue{":v": n(prev.Version)}, user.ErrConflict)
		case old[k]:
			b.put(av, "id = :id", map[string]types.AttributeValue{":id": sAV(next.ID)}, user.ErrConflict)
		default:
			b.put(av, condNew, nil, lockErr(k, user.ErrConflict))
		}
		delete(old, k)
	}
	for k := range old {
		b.del(key(k[0], k[1]), "id = :id", map[string]types.AttributeValue{":id": sAV(next.ID)}, user.ErrConflict)
	}
	return nil
}

// lockErr is what a failed "must be new" condition on a copy means.
func lockErr(k [2]string, profile error) error {
	switch {
	case strings.HasPrefix(k[0], prefixEmail):
		return user.ErrEmailTaken
	case strings.HasPrefix(k[0], prefixPhone):
		return user.ErrPhoneTaken
	}
	return profile
}
