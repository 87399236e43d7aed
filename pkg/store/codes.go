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
	Epoch     int64  `dynamodbav:"epoch,omitempty"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func marshalCode(c *user.Code) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(codeItem{
		PK: prefixCode + c.Hash, SK: skCode, Type: typeCode, Kind: c.Kind, UserID: c.UserID,
		Email: c.Email, Epoch: c.Epoch, ExpiresAt: c.ExpiresAt.Unix(),
	})
}

func unmarshalCode(av map[string]types.AttributeValue) (*user.Code, error) {
	var it codeItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal code: %w", err)
	}
	return &user.Code{Hash: it.PK[len(prefixCode):], Kind: it.Kind, UserID: it.UserID, Email: it.Email,
		Epoch: it.Epoch, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}

// CodeUser reads a code, the user it names and a counter with one BatchGetItem.
func (s *Store) CodeUser(ctx context.Context, hash, userID, counter string) (*user.Code, *user.User, int64, error) {
	ck, uk, lk := key(prefixCode+hash, skCode), userKey(userID), key(prefixLimit+counter, skLimit)
	keys := []map[string]types.AttributeValue{ck, uk}
	if counter != "" {
		keys = append(keys, lk)
	}
	got, err := s.batchGet(ctx, keys...)
	if err != nil {
		return nil, nil, 0, err
	}
	var (
		c *user.Code
		u *user.User
	)
	if item, ok := got[id(ck)]; ok {
		if c, err = unmarshalCode(item); err != nil {
			return nil, nil, 0, err
		}
	}
	if item, ok := got[id(uk)]; ok {
		if u, err = unmarshalUser(item); err != nil {
			return nil, nil, 0, err
		}
	}
	return c, u, count(got[id(lk)]), nil
}

// codes writes a new one-time code and consumes a used one (which must still be live).
func (b *txBuilder) codes(tx *user.Tx) error {
	for _, c := range tx.Codes {
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
