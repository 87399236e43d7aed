package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

type codeItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	Kind      string `dynamodbav:"kind"`
	UserID    string `dynamodbav:"user_id"`
	Email     string `dynamodbav:"email,omitempty"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func marshalCode(c *user.Code) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(codeItem{
		PK: prefixCode + c.Hash, SK: skCode, Type: typeCode, Kind: c.Kind, UserID: c.UserID,
		Email: c.Email, ExpiresAt: c.ExpiresAt.Unix(),
	})
}

func unmarshalCode(av map[string]types.AttributeValue) (*user.Code, error) {
	var it codeItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal code: %w", err)
	}
	return &user.Code{Hash: it.PK[len(prefixCode):], Kind: it.Kind, UserID: it.UserID, Email: it.Email,
		ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
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

// codes writes a new one-time code and consumes a used one (which must still be live).
func (b *txBuilder) codes(tx *user.Tx) error {
	if c := tx.Code; c != nil {
		av, err := marshalCode(c)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if c := tx.UseCode; c != nil {
		b.del(key(prefixCode+c.Hash, skCode), "attribute_exists(pk) AND expires_at > :now",
			map[string]types.AttributeValue{":now": n(tx.Now.Unix())}, user.ErrInvalidCode)
	}
	return nil
}
