package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/keys"
)

var _ keys.Store = (*Store)(nil)

// ringItem is KEYS / RING: the ring's version, which every change moves on under a
// condition, and its settings.
type ringItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	Type      string    `dynamodbav:"type"`
	Version   int64     `dynamodbav:"version"`
	TokenTTL  int64     `dynamodbav:"token_ttl_s"`
	UpdatedAt time.Time `dynamodbav:"updated_at"`
}

// dataKeyItem is KEYS / DATA#<version>: a data key, only as KMS ciphertext.
type dataKeyItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	Type       string    `dynamodbav:"type"`
	Version    int       `dynamodbav:"version"`
	Ciphertext []byte    `dynamodbav:"ciphertext"`
	KMSKeyID   string    `dynamodbav:"kms_key_id"`
	CreatedAt  time.Time `dynamodbav:"created_at"`
}

// signingKeyItem is KEYS / SIGN#<kid>: the public key in clear, the private key sealed.
type signingKeyItem struct {
	PK             string     `dynamodbav:"pk"`
	SK             string     `dynamodbav:"sk"`
	Type           string     `dynamodbav:"type"`
	KID            string     `dynamodbav:"kid"`
	N              []byte     `dynamodbav:"n"`
	E              int        `dynamodbav:"e"`
	Private        string     `dynamodbav:"private"`
	CreatedAt      time.Time  `dynamodbav:"created_at"`
	SignsFrom      time.Time  `dynamodbav:"signs_from"`
	SignsUntil     *time.Time `dynamodbav:"signs_until,omitempty"`
	PublishedUntil *time.Time `dynamodbav:"published_until,omitempty"`
	// ExpiresAt is the table's TTL attribute, set once the key is retired.
	ExpiresAt int64 `dynamodbav:"expires_at,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fromOpt(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// LoadKeys reads the whole key ring with one strongly consistent Query.
func (s *Store) LoadKeys(ctx context.Context) (*keys.State, error) {
	st := &keys.State{}
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAV(keyRing)},
		ConsistentRead:            aws.Bool(true),
	}, func(item map[string]types.AttributeValue) error {
		switch sk := str(item["sk"]); {
		case sk == skRing:
			var r ringItem
			if err := attributevalue.UnmarshalMap(item, &r); err != nil {
				return fmt.Errorf("key ring item: %w", err)
			}
			st.Version, st.TokenTTL = r.Version, time.Duration(r.TokenTTL)*time.Second
		case strings.HasPrefix(sk, prefixDataKey):
			var d dataKeyItem
			if err := attributevalue.UnmarshalMap(item, &d); err != nil {
				return fmt.Errorf("data key item %s: %w", sk, err)
			}
			st.DataKeys = append(st.DataKeys, keys.DataKey{Version: d.Version, Ciphertext: d.Ciphertext, KMSKeyID: d.KMSKeyID, CreatedAt: d.CreatedAt.UTC()})
		case strings.HasPrefix(sk, prefixSigningKey):
			var k signingKeyItem
			if err := attributevalue.UnmarshalMap(item, &k); err != nil {
				return fmt.Errorf("signing key item %s: %w", sk, err)
			}
			st.SigningKeys = append(st.SigningKeys, keys.SigningKey{
				KID: k.KID, N: k.N, E: k.E, Private: k.Private, CreatedAt: k.CreatedAt.UTC(), SignsFrom: k.SignsFrom.UTC(),
				SignsUntil: fromOpt(k.SignsUntil), PublishedUntil: fromOpt(k.PublishedUntil), ExpiresAt: fromUnix(k.ExpiresAt),
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load key ring: %w", err)
	}
	return st, nil
}

// SaveKeys writes c in one transaction with the ring item, whose version must still be
// c.Prev (absent when c.Prev is 0).
func (s *Store) SaveKeys(ctx context.Context, c keys.Change) error {
	ring, err := attributevalue.MarshalMap(ringItem{PK: keyRing, SK: skRing, Type: "key_ring", Version: c.Prev + 1,
		TokenTTL: int64(c.TokenTTL / time.Second), UpdatedAt: time.Now().UTC()})
	if err != nil {
		return err
	}
	put := &types.Put{TableName: s.table, Item: ring}
	if c.Prev == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		put.ConditionExpression = aws.String("version = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{
			":prev": &types.AttributeValueMemberN{Value: strconv.FormatInt(c.Prev, 10)},
		}
	}
	items := []types.TransactWriteItem{{Put: put}}
	for _, d := range c.DataKeys {
		item, err := attributevalue.MarshalMap(dataKeyItem{PK: keyRing, SK: prefixDataKey + strconv.Itoa(d.Version), Type: "data_key",
			Version: d.Version, Ciphertext: d.Ciphertext, KMSKeyID: d.KMSKeyID, CreatedAt: d.CreatedAt.UTC()})
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: item}})
	}
	for _, k := range c.SigningKeys {
		item, err := attributevalue.MarshalMap(signingKeyItem{PK: keyRing, SK: prefixSigningKey + k.KID, Type: "signing_key",
			KID: k.KID, N: k.N, E: k.E, Private: k.Private, CreatedAt: k.CreatedAt.UTC(), SignsFrom: k.SignsFrom.UTC(),
			SignsUntil: optTime(k.SignsUntil.UTC()), PublishedUntil: optTime(k.PublishedUntil.UTC()), ExpiresAt: unix(k.ExpiresAt)})
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: item}})
	}
	reasons, err := s.transact(ctx, items)
	if err != nil {
		return fmt.Errorf("save key ring: %w", err)
	}
	if failed(reasons, 0) {
		return keys.ErrConflict
	}
	return nil
}
