package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

// counterUpdate adds one to a rate counter; bounded, it only does so below the maximum.
func (s *Store) counterUpdate(c user.Counter, bounded bool) *types.Update {
	up := &types.Update{
		TableName:                s.table,
		Key:                      key(prefixLimit+c.Key, skLimit),
		UpdateExpression:         aws.String("ADD #n :one SET expires_at = :exp"),
		ExpressionAttributeNames: map[string]string{"#n": "n"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": n(1), ":exp": n(c.ExpiresAt.Unix()),
		},
	}
	if bounded {
		up.ConditionExpression = aws.String("attribute_not_exists(#n) OR #n < :max")
		up.ExpressionAttributeValues[":max"] = n(c.Max)
	}
	return up
}

// Hit counts one event, past the limit too.
func (s *Store) Hit(ctx context.Context, c user.Counter) error {
	up := s.counterUpdate(c, false)
	s.calls.Add(1)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: up.TableName, Key: up.Key, UpdateExpression: up.UpdateExpression,
		ExpressionAttributeNames: up.ExpressionAttributeNames, ExpressionAttributeValues: up.ExpressionAttributeValues,
	})
	if err != nil {
		return fmt.Errorf("hit %s: %w", c.Key, err)
	}
	return nil
}

// counters counts the bounded limit (only below its maximum), the hits and the counts down.
func (b *txBuilder) counters(tx *user.Tx) error {
	for _, c := range tx.Limits {
		b.add(types.TransactWriteItem{Update: b.s.counterUpdate(c, true)}, &user.LimitError{Counter: c})
	}
	for _, c := range tx.Hits {
		b.add(types.TransactWriteItem{Update: b.s.counterUpdate(c, false)}, nil)
	}
	for _, c := range tx.Uncount {
		up := b.s.counterUpdate(c, false)
		up.ExpressionAttributeValues[":one"] = n(-1)
		b.add(types.TransactWriteItem{Update: up}, nil)
	}
	return nil
}

// Count reads a counter's count.
func (s *Store) Count(ctx context.Context, counter string) (int64, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: key(prefixLimit+counter, skLimit), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, fmt.Errorf("get counter %s: %w", counter, err)
	}
	return count(out.Item), nil
}

// count is the number of a counter item; 0 for none.
func count(item map[string]types.AttributeValue) int64 {
	var c int64
	if nv, ok := item["n"].(*types.AttributeValueMemberN); ok {
		c, _ = strconv.ParseInt(nv.Value, 10, 64)
	}
	return c
}
