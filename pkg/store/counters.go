package store

import (
	"context"
	"fmt"

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
	if c := tx.Limit; c != nil {
		b.add(types.TransactWriteItem{Update: b.s.counterUpdate(*c, true)}, user.ErrLimited)
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
