package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// batchGet reads keys with one strongly consistent BatchGetItem (more only for what
// DynamoDB hands back unprocessed), indexed by pk+"|"+sk.
func (s *Store) batchGet(ctx context.Context, keys ...map[string]types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	got := make(map[string]map[string]types.AttributeValue, len(keys))
	if len(keys) == 0 {
		return got, nil
	}
	err := unprocessedRetry.Do(ctx, func(int) (bool, error) {
		s.calls.Add(1)
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			*s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return false, fmt.Errorf("batch get: %w", err)
		}
		for _, item := range out.Responses[*s.table] {
			got[str(item["pk"])+"|"+str(item["sk"])] = item
		}
		keys = out.UnprocessedKeys[*s.table].Keys
		if len(keys) > 0 {
			return true, errors.New("batch get: still unprocessed after retries")
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return got, nil
}

func id(k map[string]types.AttributeValue) string { return str(k["pk"]) + "|" + str(k["sk"]) }

// queryAll runs a Query to its end, page by page, handing each item to fn.
func (s *Store) queryAll(ctx context.Context, in *dynamodb.QueryInput, fn func(map[string]types.AttributeValue) error) error {
	in.TableName = s.table
	for {
		s.calls.Add(1)
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, item := range out.Items {
			if err := fn(item); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// deleteKeys deletes items by key, 25 to a BatchWriteItem, resending what comes back
// unprocessed.
func (s *Store) deleteKeys(ctx context.Context, keys []map[string]types.AttributeValue) error {
	for len(keys) > 0 {
		batch := keys[:min(25, len(keys))]
		keys = keys[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, k := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(str(k["pk"]), str(k["sk"]))}}
		}
		if err := s.writeBatch(ctx, reqs); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
	}
	return nil
}

func str(v types.AttributeValue) string {
	if sv, ok := v.(*types.AttributeValueMemberS); ok {
		return sv.Value
	}
	return ""
}

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// inPartition is a Query of the items of a user's partition whose sort key starts with
// prefix (all of them for "").
func inPartition(userID, prefix string) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAV(prefixUser + userID)},
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("pk = :pk AND begins_with(sk, :sk)")
		in.ExpressionAttributeValues[":sk"] = sAV(prefix)
	}
	return in
}

// collect runs in to its end and decodes each item with decode.
func collect[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput, decode func(map[string]types.AttributeValue) (T, error)) ([]T, error) {
	var out []T
	err := s.queryAll(ctx, in, func(item map[string]types.AttributeValue) error {
		v, err := decode(item)
		out = append(out, v)
		return err
	})
	return out, err
}
