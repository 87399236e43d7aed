package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

type wishItem struct {
	PK           string    `dynamodbav:"pk"`
	SK           string    `dynamodbav:"sk"`
	Type         string    `dynamodbav:"type"`
	ProductID    string    `dynamodbav:"product_id"`
	Name         string    `dynamodbav:"name"`
	Alias        string    `dynamodbav:"alias,omitempty"`
	Images       []string  `dynamodbav:"images,omitempty"`
	Categories   []string  `dynamodbav:"categories,omitempty"`
	Brand        string    `dynamodbav:"brand,omitempty"`
	Publish      bool      `dynamodbav:"publish"`
	Price        float64   `dynamodbav:"price"`
	ComparePrice float64   `dynamodbav:"compare_price"`
	SKU          string    `dynamodbav:"sku,omitempty"`
	Weight       float64   `dynamodbav:"weight"`
	AddedAt      time.Time `dynamodbav:"added_at"`
}

func marshalWish(w *user.WishItem) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(wishItem{
		PK: prefixUser + w.UserID, SK: prefixWish + w.ProductID, Type: typeWish, ProductID: w.ProductID,
		Name: w.Name, Alias: w.Alias, Images: w.Images, Categories: w.Categories, Brand: w.Brand,
		Publish: w.Publish, Price: w.Price, ComparePrice: w.ComparePrice, SKU: w.SKU, Weight: w.Weight,
		AddedAt: w.AddedAt,
	})
}

func unmarshalWish(av map[string]types.AttributeValue) (*user.WishItem, error) {
	var it wishItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal wish: %w", err)
	}
	return &user.WishItem{UserID: strings.TrimPrefix(it.PK, prefixUser), ProductID: it.ProductID, Name: it.Name,
		Alias: it.Alias, Images: it.Images, Categories: it.Categories, Brand: it.Brand, Publish: it.Publish,
		Price: it.Price, ComparePrice: it.ComparePrice, SKU: it.SKU, Weight: it.Weight, AddedAt: it.AddedAt}, nil
}

// WishState reads the keys of a wishlist: whether one product is on it, and how many are.
func (s *Store) WishState(ctx context.Context, userID, productID string) (*user.WishItem, int, error) {
	var (
		found *user.WishItem
		count int
	)
	in := inPartition(userID, prefixWish)
	in.ProjectionExpression, in.ConsistentRead = aws.String("pk, sk, added_at"), aws.Bool(true)
	err := s.queryAll(ctx, in, func(item map[string]types.AttributeValue) error {
		count++
		if str(item["sk"]) != prefixWish+productID {
			return nil
		}
		var it wishItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return err
		}
		found = &user.WishItem{UserID: userID, ProductID: productID, AddedAt: it.AddedAt}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("query wishlist of %s: %w", userID, err)
	}
	return found, count, nil
}

// wishes puts wishlist items (a new one only if absent) and deletes removed ones.
func (b *txBuilder) wishes(tx *user.Tx) error {
	for _, w := range tx.Wishes {
		av, err := marshalWish(w)
		if err != nil {
			return err
		}
		if w.New {
			b.put(av, condNew, nil, user.ErrConflict)
		} else {
			// A replacement must find its item: one removed meanwhile is added again,
			// counted, by the caller.
			b.put(av, "attribute_exists(pk)", nil, user.ErrNotFound)
		}
	}
	for _, w := range tx.Unwish {
		b.del(key(prefixUser+w.UserID, prefixWish+w.ProductID), "attribute_exists(pk)", nil, user.ErrNotFound)
	}
	return nil
}
