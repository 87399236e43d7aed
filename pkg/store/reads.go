package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// batchGet reads keys with one strongly consistent BatchGetItem (more only for what
// DynamoDB hands back unprocessed), indexed by pk+"|"+sk.
func (s *Store) batchGet(ctx context.Context, keys ...map[string]types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	got := make(map[string]map[string]types.AttributeValue, len(keys))
	for attempt := 0; len(keys) > 0; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(10<<min(attempt, 6)) * time.Millisecond) // back off as DynamoDB asks
		}
		s.calls.Add(1)
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			*s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return nil, fmt.Errorf("batch get: %w", err)
		}
		for _, item := range out.Responses[*s.table] {
			got[str(item["pk"])+"|"+str(item["sk"])] = item
		}
		keys = out.UnprocessedKeys[*s.table].Keys
	}
	return got, nil
}

func id(k map[string]types.AttributeValue) string { return str(k["pk"]) + "|" + str(k["sk"]) }

// LoginView reads the lock item of a login and a counter in one round trip.
func (s *Store) LoginView(ctx context.Context, login, counter string) (*user.User, int64, error) {
	lk, ck := loginKey(login), key(prefixLimit+counter, skLimit)
	keys := []map[string]types.AttributeValue{ck}
	if login != "" {
		keys = append(keys, lk)
	}
	got, err := s.batchGet(ctx, keys...)
	if err != nil {
		return nil, 0, err
	}
	var count int64
	if c, ok := got[id(ck)]; ok {
		if nv, ok := c["n"].(*types.AttributeValueMemberN); ok {
			fmt.Sscan(nv.Value, &count)
		}
	}
	item, ok := got[id(lk)]
	if !ok {
		return nil, count, nil
	}
	u, err := unmarshalUser(item)
	return u, count, err
}

// User reads a user's profile item.
func (s *Store) User(ctx context.Context, userID string) (*user.User, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: userKey(userID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", userID, err)
	}
	if len(out.Item) == 0 {
		return nil, user.ErrNotFound
	}
	return unmarshalUser(out.Item)
}

// UserSessions reads the profile and every session with one Query: in the user's
// partition, "PROFILE" sorts right before "SESSION#…".
func (s *Store) UserSessions(ctx context.Context, userID string) (*user.User, []*user.Session, error) {
	var (
		u    *user.User
		list []*user.Session
	)
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sAV(prefixUser + userID), ":a": sAV(skProfile), ":b": sAV(prefixSession + "\uffff"),
		},
		ConsistentRead: aws.Bool(true),
	}, func(item map[string]types.AttributeValue) (err error) {
		switch sk := str(item["sk"]); {
		case sk == skProfile:
			u, err = unmarshalUser(item)
		case strings.HasPrefix(sk, prefixSession):
			var se *user.Session
			if se, err = unmarshalSession(item); err == nil {
				list = append(list, se)
			}
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("query sessions of %s: %w", userID, err)
	}
	if u == nil {
		return nil, nil, user.ErrNotFound
	}
	return u, list, nil
}

// TouchSession sets a session's last_seen_at, if the session is still there.
func (s *Store) TouchSession(ctx context.Context, userID, sessionID string, now time.Time) error {
	s.calls.Add(1)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: s.table, Key: sessionKey(userID, sessionID),
		UpdateExpression:          aws.String("SET last_seen_at = :t"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": sAV(now.UTC().Format(time.RFC3339Nano))},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("touch session %s: %w", sessionID, err)
	}
	return nil
}

// RemoveSession deletes a session item; deleting one already gone is not an error.
func (s *Store) RemoveSession(ctx context.Context, userID, sessionID string) error {
	s.calls.Add(1)
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.table, Key: sessionKey(userID, sessionID)}); err != nil {
		return fmt.Errorf("delete session %s: %w", sessionID, err)
	}
	return nil
}

// DeleteSessionItems deletes every session item of a user.
func (s *Store) DeleteSessionItems(ctx context.Context, userID string) error {
	return s.deletePrefix(ctx, userID, prefixSession)
}

// DeleteUserItems deletes every item left in a user's partition.
func (s *Store) DeleteUserItems(ctx context.Context, userID string) error {
	return s.deletePrefix(ctx, userID, "")
}

// CodeUser reads a code and the user it names in one round trip.
func (s *Store) CodeUser(ctx context.Context, hash, userID string) (*user.Code, *user.User, error) {
	ck, uk := key(prefixCode+hash, skCode), userKey(userID)
	got, err := s.batchGet(ctx, ck, uk)
	if err != nil {
		return nil, nil, err
	}
	ci, ok1 := got[id(ck)]
	ui, ok2 := got[id(uk)]
	if !ok1 || !ok2 {
		return nil, nil, user.ErrNotFound
	}
	c, err := unmarshalCode(ci)
	if err != nil {
		return nil, nil, err
	}
	u, err := unmarshalUser(ui)
	return c, u, err
}

// MFAUser reads a user, its MFA enrollment and an MFA token in one round trip.
func (s *Store) MFAUser(ctx context.Context, userID, tokenHash string) (*user.User, *user.MFA, *user.MFAToken, error) {
	uk, mk := userKey(userID), key(prefixUser+userID, skMFA)
	keys := []map[string]types.AttributeValue{uk, mk}
	var tk map[string]types.AttributeValue
	if tokenHash != "" {
		tk = key(prefixUser+userID, prefixMFAToken+tokenHash)
		keys = append(keys, tk)
	}
	got, err := s.batchGet(ctx, keys...)
	if err != nil {
		return nil, nil, nil, err
	}
	ui, ok := got[id(uk)]
	if !ok {
		return nil, nil, nil, user.ErrNotFound
	}
	u, err := unmarshalUser(ui)
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		m *user.MFA
		t *user.MFAToken
	)
	if mi, ok := got[id(mk)]; ok {
		if m, err = unmarshalMFA(mi); err != nil {
			return nil, nil, nil, err
		}
	}
	if tk != nil {
		if ti, ok := got[id(tk)]; ok {
			if t, err = unmarshalMFAToken(ti); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return u, m, t, nil
}

// Events lists a user's security events, newest first (event ids sort by time).
func (s *Store) Events(ctx context.Context, userID string) ([]*user.Event, error) {
	var out []*user.Event
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sAV(prefixUser + userID), ":sk": sAV(prefixEvent),
		},
		ScanIndexForward: aws.Bool(false),
	}, func(item map[string]types.AttributeValue) error {
		e, err := unmarshalEvent(item)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("query events of %s: %w", userID, err)
	}
	return out, nil
}

// deletePrefix deletes the items of a user's partition whose sort key starts with prefix:
// keys-only Queries, then batched deletes.
func (s *Store) deletePrefix(ctx context.Context, userID, prefix string) error {
	cond := "pk = :pk"
	vals := map[string]types.AttributeValue{":pk": sAV(prefixUser + userID)}
	if prefix != "" {
		cond += " AND begins_with(sk, :sk)"
		vals[":sk"] = sAV(prefix)
	}
	var keys []map[string]types.AttributeValue
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: vals, ProjectionExpression: aws.String("pk, sk"),
	}, func(item map[string]types.AttributeValue) error {
		keys = append(keys, item)
		return nil
	})
	if err != nil {
		return fmt.Errorf("query items of %s: %w", userID, err)
	}
	return s.deleteKeys(ctx, keys)
}

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
