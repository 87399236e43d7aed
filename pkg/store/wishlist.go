package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sAV(prefixUser + userID), ":sk": sAV(prefixWish),
		},
		ProjectionExpression: aws.String("pk, sk, added_at"),
		ConsistentRead:       aws.Bool(true),
	}, func(item map[string]types.AttributeValue) error {
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
var UserItemTypes = []string{typeUser, typeSession, typeEvent, typeWish, typeMFA, typeMFATok}

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
	case typeMFATok:
		// A pending second-factor challenge: a credential for minutes, never exported.
	default:
		return fmt.Errorf("user data: item %s/%s has unknown type %q", str(item["pk"]), str(item["sk"]), t)
	}
	return err
}
