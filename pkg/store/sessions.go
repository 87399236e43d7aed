package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

type sessionItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	Type       string    `dynamodbav:"type"`
	ID         string    `dynamodbav:"id"`
	UserID     string    `dynamodbav:"user_id"`
	TokenHash  string    `dynamodbav:"token_hash"`
	Epoch      int64     `dynamodbav:"epoch"`
	CreatedAt  time.Time `dynamodbav:"created_at"`
	LastSeenAt time.Time `dynamodbav:"last_seen_at"`
	ExpiresAt  int64     `dynamodbav:"expires_at"` // the table's TTL attribute
	IP         string    `dynamodbav:"ip,omitempty"`
	UserAgent  string    `dynamodbav:"user_agent,omitempty"`
	Methods    []string  `dynamodbav:"methods,omitempty"`
	// ReauthUntil ends the re-authentication window, epoch seconds; 0 for none.
	ReauthUntil int64 `dynamodbav:"reauth_until,omitempty"`
}

func marshalSession(se *user.Session) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(sessionItem{
		PK: prefixUser + se.UserID, SK: prefixSession + se.ID, Type: typeSession, ID: se.ID,
		UserID: se.UserID, TokenHash: se.TokenHash, Epoch: se.Epoch, CreatedAt: se.CreatedAt,
		LastSeenAt: se.LastSeenAt, ExpiresAt: se.ExpiresAt.Unix(), IP: se.IP, UserAgent: se.UserAgent,
		Methods: se.Methods, ReauthUntil: unix(se.ReauthUntil),
	})
}

func unmarshalSession(av map[string]types.AttributeValue) (*user.Session, error) {
	var it sessionItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal session: %w", err)
	}
	return &user.Session{
		ID: it.ID, UserID: it.UserID, TokenHash: it.TokenHash, Epoch: it.Epoch,
		CreatedAt: it.CreatedAt, LastSeenAt: it.LastSeenAt, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(),
		IP: it.IP, UserAgent: it.UserAgent, Methods: it.Methods, ReauthUntil: fromUnix(it.ReauthUntil),
	}, nil
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

// EndSession deletes one session, only if the token's hash matches and it is still live,
// and records ev in the same transaction: one round trip.
func (s *Store) EndSession(ctx context.Context, userID, sessionID, tokenHash string, now, seenSince time.Time, ev *user.Event) error {
	evItem, err := marshalEvent(ev)
	if err != nil {
		return err
	}
	// A session is live while its epoch is its user's, which only the user's item holds: the
	// transaction checks both at the epoch most accounts have, 0, and a failed check hands
	// back both items, which tell a dead session from one at a later epoch (tried once more,
	// at that epoch: a second round trip only for accounts that revoked sessions before).
	epoch := int64(0)
	for attempt := 0; attempt < 2; attempt++ {
		e := n(epoch)
		reasons, err := s.transact(ctx, []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName: s.table,
				Key:       sessionKey(userID, sessionID),
				// last_seen_at is RFC 3339 text, which orders as time does except within
				// a second (".5Z" sorts before "Z"): a session that close to its idle
				// limit may be taken as idle.
				ConditionExpression: aws.String("token_hash = :h AND expires_at > :now AND last_seen_at > :seen AND epoch = :e"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":h": sAV(tokenHash), ":now": n(now.Unix()), ":seen": sAV(seenSince.UTC().Format(time.RFC3339Nano)), ":e": e,
				},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			{ConditionCheck: &types.ConditionCheck{
				TableName:                           s.table,
				Key:                                 userKey(userID),
				ConditionExpression:                 aws.String("active = :t AND session_epoch = :e"),
				ExpressionAttributeValues:           map[string]types.AttributeValue{":t": yes, ":e": e},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			{Put: &types.Put{TableName: s.table, Item: evItem}},
		})
		if err != nil {
			return fmt.Errorf("delete session %s: %w", sessionID, err)
		}
		if reasons == nil {
			return nil
		}
		var se sessionItem
		var u userItem
		if len(reasons) < 2 || reasons[0].Item == nil || reasons[1].Item == nil ||
			attributevalue.UnmarshalMap(reasons[0].Item, &se) != nil || attributevalue.UnmarshalMap(reasons[1].Item, &u) != nil ||
			se.TokenHash != tokenHash || se.ExpiresAt <= now.Unix() || !se.LastSeenAt.After(seenSince) || !u.Active || se.Epoch != u.SessionEpoch || se.Epoch == epoch {
			return user.ErrNotFound
		}
		epoch = se.Epoch
	}
	return user.ErrNotFound // moved to yet another epoch meanwhile: revoked
}

// EndAllSessions moves every copy of the user to a new session epoch in one transaction —
// from then on no earlier session authenticates — and then deletes the session items.
func (s *Store) EndAllSessions(ctx context.Context, u *user.User, ev *user.Event) error {
	evItem, err := marshalEvent(ev)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: s.table, Item: evItem}}}
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

// DeleteSessionItems deletes every session item of a user.
func (s *Store) DeleteSessionItems(ctx context.Context, userID string) error {
	return s.deletePrefix(ctx, userID, prefixSession)
}

// sessions writes new sessions, moves one to a new epoch (Stamp) and deletes revoked ones.
func (b *txBuilder) sessions(tx *user.Tx) error {
	for _, se := range tx.Sessions {
		av, err := marshalSession(se)
		if err != nil {
			return err
		}
		b.put(av, condNew, nil, nil)
	}
	if se := tx.Stamp; se != nil {
		b.update(sessionKey(se.UserID, se.ID), "SET epoch = :e, reauth_until = :r", "attribute_exists(pk)", nil,
			map[string]types.AttributeValue{":e": n(se.Epoch), ":r": n(unix(se.ReauthUntil))}, user.ErrNotFound)
	}
	if se := tx.Reauth; se != nil && (tx.Stamp == nil || tx.Stamp.ID != se.ID) {
		b.update(sessionKey(se.UserID, se.ID), "SET reauth_until = :r", "attribute_exists(pk)", nil,
			map[string]types.AttributeValue{":r": n(unix(se.ReauthUntil))}, user.ErrNotFound)
	}
	for _, se := range tx.Revoke {
		b.del(sessionKey(se.UserID, se.ID), "attribute_exists(pk)", nil, user.ErrNotFound)
	}
	return nil
}
