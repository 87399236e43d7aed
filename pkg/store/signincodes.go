package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

// signInCodeItem is the live sign-in code of an address, beside the address's lock item
// (EMAIL#<email> / SIGNIN_CODE): one per address, replaced by the next.
type signInCodeItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	UserID    string `dynamodbav:"user_id"`
	Hash      string `dynamodbav:"code_hash"`
	Tries     int64  `dynamodbav:"tries"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func signInCodeKey(email string) map[string]types.AttributeValue {
	return key(prefixEmail+email, skSignInCode)
}

// TrySignInCode counts a try with one conditioned UpdateItem that hands back the code.
func (s *Store) TrySignInCode(ctx context.Context, email string, maxTries int, now time.Time) (*user.SignInCode, error) {
	s.calls.Add(1)
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: s.table, Key: signInCodeKey(email),
		UpdateExpression:          aws.String("ADD tries :one"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND tries < :max AND expires_at > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":max": n(int64(maxTries)), ":now": n(now.Unix())},
		ReturnValues:              types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return nil, user.ErrInvalidCode
	}
	if err != nil {
		return nil, fmt.Errorf("try sign-in code: %w", err)
	}
	var it signInCodeItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return nil, fmt.Errorf("unmarshal sign-in code: %w", err)
	}
	if it.PK == "" {
		return nil, errors.New("try sign-in code: no attributes returned")
	}
	return &user.SignInCode{Email: email, UserID: it.UserID, Hash: it.Hash, Tries: int(it.Tries),
		ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}

// signInCodes puts a new sign-in code (over the address's last one) and consumes a used one.
func (b *txBuilder) signInCodes(tx *user.Tx) error {
	if c := tx.SignInCode; c != nil {
		av, err := attributevalue.MarshalMap(signInCodeItem{PK: prefixEmail + c.Email, SK: skSignInCode,
			Type: typeSignInCode, UserID: c.UserID, Hash: c.Hash, Tries: int64(c.Tries), ExpiresAt: c.ExpiresAt.Unix()})
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if c := tx.UseSignInCode; c != nil {
		b.spend(signInCodeKey(c.Email), "code_hash", c.Hash, tx.Now)
	}
	return nil
}
