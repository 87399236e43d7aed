package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

var _ user.Store = (*Store)(nil)

const condNew = "attribute_not_exists(pk)"

// CreateUser writes the user, its locks, and what comes with it in one transaction.
func (s *Store) CreateUser(ctx context.Context, c *user.Creation) error {
	tx := &user.Tx{Create: c.User, Sponsor: c.User.SponsorID, Code: c.Code, Limit: c.Limit, Events: c.Events}
	if c.Session != nil {
		tx.Sessions = []*user.Session{c.Session}
	}
	if c.Mail != nil {
		tx.Mails = append(tx.Mails, c.Mail)
	}
	return s.Apply(ctx, tx)
}

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

// Account reads the lock item of a login, which carries the whole user.
func (s *Store) Account(ctx context.Context, login string) (*user.User, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: s.table, Key: loginKey(login), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get account: %w", err)
	}
	if len(out.Item) == 0 {
		return nil, user.ErrNotFound
	}
	return unmarshalUser(out.Item)
}

// StartSession stores a session; with upgrade, it also replaces the password hash on every
// copy of the user in the same transaction.
func (s *Store) StartSession(ctx context.Context, se *user.Session, upgrade *user.User) error {
	av, err := marshalSession(se)
	if err != nil {
		return err
	}
	if upgrade == nil {
		s.calls.Add(1)
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: av, ConditionExpression: aws.String(condNew)})
		if err != nil {
			return fmt.Errorf("put session: %w", err)
		}
		return nil
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: s.table, Item: av, ConditionExpression: aws.String(condNew)}}}
	for _, k := range userCopies(upgrade) {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:           s.table,
			Key:                 key(k[0], k[1]),
			UpdateExpression:    aws.String("SET password_hash = :h, version = version + :one"),
			ConditionExpression: aws.String("version = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":h": sAV(upgrade.PasswordHash), ":one": n(1), ":v": n(upgrade.Version),
			},
		}})
	}
	reasons, err := s.transact(ctx, items)
	if err != nil {
		return err
	}
	if reasons != nil {
		return user.ErrConflict
	}
	return nil
}

// SessionUser reads a session and its user with one strongly consistent BatchGetItem, so a
// revocation is seen by the very next request.
func (s *Store) SessionUser(ctx context.Context, userID, sessionID string) (*user.Session, *user.User, error) {
	keys := []map[string]types.AttributeValue{userKey(userID), sessionKey(userID, sessionID)}
	got := make([]map[string]types.AttributeValue, 0, 2)
	for len(keys) > 0 {
		s.calls.Add(1)
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			*s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return nil, nil, fmt.Errorf("get session %s: %w", sessionID, err)
		}
		got = append(got, out.Responses[*s.table]...)
		keys = out.UnprocessedKeys[*s.table].Keys
	}
	var (
		se  *user.Session
		u   *user.User
		err error
	)
	for _, item := range got {
		switch sk := item["sk"].(*types.AttributeValueMemberS).Value; sk {
		case skProfile:
			u, err = unmarshalUser(item)
		default:
			se, err = unmarshalSession(item)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if se == nil || u == nil {
		return nil, nil, user.ErrNotFound
	}
	return se, u, nil
}

// EndSession deletes one session, only if the token's hash matches and it is still live.
func (s *Store) EndSession(ctx context.Context, userID, sessionID, tokenHash string, now time.Time) error {
	s.calls.Add(1)
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           s.table,
		Key:                 sessionKey(userID, sessionID),
		ConditionExpression: aws.String("token_hash = :h AND expires_at > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":h": sAV(tokenHash), ":now": n(now.Unix()),
		},
	})
	if isConditionFailed(err) {
		return user.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete session %s: %w", sessionID, err)
	}
	return nil
}

// EndAllSessions moves every copy of the user to a new session epoch in one transaction —
// from then on no earlier session authenticates — and then deletes the session items.
func (s *Store) EndAllSessions(ctx context.Context, u *user.User) error {
	var items []types.TransactWriteItem
	for _, k := range userCopies(u) {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:           s.table,
			Key:                 key(k[0], k[1]),
			UpdateExpression:    aws.String("SET session_epoch = session_epoch + :one, version = version + :one"),
			ConditionExpression: aws.String("version = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": n(1), ":v": n(u.Version),
			},
		}})
	}
	reasons, err := s.transact(ctx, items)
	if err != nil {
		return err
	}
	if reasons != nil {
		return user.ErrConflict
	}
	return s.DeleteSessionItems(ctx, u.ID)
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

// DeleteMail removes a sent outbox item.
func (s *Store) DeleteMail(ctx context.Context, id string) error {
	s.calls.Add(1)
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.table, Key: key(prefixOutbox+id, skMail)}); err != nil {
		return fmt.Errorf("delete mail %s: %w", id, err)
	}
	return nil
}

func str(v types.AttributeValue) string {
	if sv, ok := v.(*types.AttributeValueMemberS); ok {
		return sv.Value
	}
	return ""
}

// MailPending reports whether an outbox item is still waiting to be sent.
func (s *Store) MailPending(ctx context.Context, id string) (bool, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: s.table, Key: key(prefixOutbox+id, skMail), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("pk"),
	})
	if err != nil {
		return false, fmt.Errorf("get mail %s: %w", id, err)
	}
	return len(out.Item) > 0, nil
}

// SaveUser writes next over prev on every copy, in one transaction.
func (s *Store) SaveUser(ctx context.Context, next, prev *user.User) error {
	return s.Apply(ctx, &user.Tx{Save: &user.Save{Next: next, Prev: prev}})
}
