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
		p.ExpressionAttributeNames = reservedNames(cond)
	}
	b.add(types.TransactWriteItem{Put: p}, err)
}

// reservedNames maps the placeholders an expression uses for attribute names that are
// DynamoDB reserved words.
func reservedNames(expr string) map[string]string {
	var names map[string]string
	for _, w := range []string{"type", "n"} {
		if strings.Contains(expr, "#"+w+" ") || strings.HasSuffix(expr, "#"+w) {
			if names == nil {
				names = map[string]string{}
			}
			names["#"+w] = w
		}
	}
	return names
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
		// No use case comes near it (a sign-up is 7 to 9 items); this is the guard that a
		// new one does not either.
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

// build turns each part of tx into its conditioned writes, part by part; the order is the
// order in which a failed condition is reported (ErrLimited outranks all, see Apply).
func (b *txBuilder) build(tx *user.Tx) error {
	parts := []func(*user.Tx) error{
		b.users, b.sessions, b.codes, b.wishes, b.mails, b.events, b.counters, b.mfa, b.admins, b.failures,
		b.passkeys, b.signInCodes,
	}
	for _, part := range parts {
		if err := part(tx); err != nil {
			return err
		}
	}
	return nil
}
