package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

// UserData reads a user's partition with one paged Query: without events, only the range
// from "MFA" to the last "WISH#" key, which skips the "EVENT#…" items that sort before it.
func (s *Store) UserData(ctx context.Context, userID string, events bool) (*user.UserData, error) {
	in := &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sAV(prefixUser + userID), ":a": sAV(skMFA), ":b": sAV(prefixWish + "\uffff"),
		},
		ConsistentRead: aws.Bool(true),
	}
	if events {
		in.KeyConditionExpression = aws.String("pk = :pk")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":pk": sAV(prefixUser + userID)}
	}
	d := &user.UserData{}
	if err := s.queryAll(ctx, in, func(item map[string]types.AttributeValue) error { return addItem(d, item) }); err != nil {
		return nil, fmt.Errorf("query items of %s: %w", userID, err)
	}
	if d.User == nil {
		return nil, user.ErrNotFound
	}
	// Events come oldest first from the Query; lists show them newest first.
	slices.Reverse(d.Events)
	return d, nil
}

// UserItemTypes are the kinds of item kept under a user's partition. UserData reads every
// one of them, and nothing else may appear there: addItem fails on an unknown kind, so a
// new kind cannot be left out of the data export silently.
var UserItemTypes = []string{typeUser, typeSession, typeEvent, typeWish, typeMFA, typeMFATok, typePasskey}

func addItem(d *user.UserData, item map[string]types.AttributeValue) error {
	var err error
	switch t := str(item["type"]); t {
	case typeUser:
		d.User, err = unmarshalUser(item)
	case typeSession:
		var se *user.Session
		if se, err = unmarshalSession(item); err == nil {
			d.Sessions = append(d.Sessions, se)
		}
	case typeEvent:
		var e *user.Event
		if e, err = unmarshalEvent(item); err == nil {
			d.Events = append(d.Events, e)
		}
	case typeWish:
		var w *user.WishItem
		if w, err = unmarshalWish(item); err == nil {
			d.Wishes = append(d.Wishes, w)
		}
	case typeMFA:
		d.MFA, err = unmarshalMFA(item)
	case typePasskey:
		var p *user.Passkey
		if p, err = unmarshalPasskey(item); err == nil {
			d.Passkeys = append(d.Passkeys, p)
		}
	case typeMFATok:
		// A pending second-factor challenge: a credential for minutes, never exported.
	default:
		return fmt.Errorf("user data: item %s/%s has unknown type %q", str(item["pk"]), str(item["sk"]), t)
	}
	return err
}

// DeleteUserItems deletes every item left in a user's partition.
func (s *Store) DeleteUserItems(ctx context.Context, userID string) error {
	return s.deletePrefix(ctx, userID, "")
}

// deletePrefix deletes the items of a user's partition whose sort key starts with prefix:
// keys-only Queries, then batched deletes.
func (s *Store) deletePrefix(ctx context.Context, userID, prefix string) error {
	in := inPartition(userID, prefix)
	in.ProjectionExpression = aws.String("pk, sk")
	var keys []map[string]types.AttributeValue
	err := s.queryAll(ctx, in, func(item map[string]types.AttributeValue) error {
		keys = append(keys, item)
		return nil
	})
	if err != nil {
		return fmt.Errorf("query items of %s: %w", userID, err)
	}
	return s.deleteKeys(ctx, append(keys, passkeyCredentialKeys(keys)...))
}
