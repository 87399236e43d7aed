// Package store is the single-table DynamoDB adapter: it implements the domain's ports,
// keeps each multi-item change in one transaction, and maps DynamoDB's failures to domain
// errors at its edge. It decides no business rule.
package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/retry"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

var _ DB = (*dynamodb.Client)(nil)

// Store is the table.
type Store struct {
	db    DB
	table *string
	calls atomic.Int64
	read  atomic.Int64 // items search has read
}

// New returns the store of table, reached through db.
func New(db DB, table string) *Store {
	return &Store{db: db, table: aws.String(table)}
}

// RoundTrips is how many DynamoDB calls the store has made, for benchmarks.
func (s *Store) RoundTrips() int64 { return s.calls.Load() }

// ItemsRead is how many items search has read (evaluated by a Query or returned by a
// BatchGetItem), for benchmarks.
func (s *Store) ItemsRead() int64 { return s.read.Load() }

// ErrTransactionConflict is a transaction that lost a race with another on the same items
// after every retry.
var ErrTransactionConflict = errors.New("store: transaction conflict")

// Waits of the store's retries: of a transaction that lost a race with another on the
// same items (DynamoDB does not retry those itself), and of a batch's unprocessed keys or
// items, which DynamoDB hands back to be sent again after a backoff.
var (
	conflictRetry    = retry.Policy{Attempts: 7, Base: 20 * time.Millisecond, Max: time.Second}
	unprocessedRetry = retry.Policy{Attempts: 9, Base: 10 * time.Millisecond, Max: 2 * time.Second}
)

// transact runs one TransactWriteItems, retrying while it loses races with concurrent
// transactions on the same items. It returns the cancellation reasons when a condition
// failed.
func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem) ([]types.CancellationReason, error) {
	var reasons []types.CancellationReason
	err := conflictRetry.Do(ctx, func(int) (bool, error) {
		s.calls.Add(1)
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return false, nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return false, fmt.Errorf("transact: %w", err)
		}
		conflict := false
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				reasons = tce.CancellationReasons
				return false, nil
			}
			if c := aws.ToString(r.Code); c == "TransactionConflict" || c == "ThrottlingError" {
				conflict = true
			}
		}
		if conflict {
			return true, ErrTransactionConflict
		}
		return false, fmt.Errorf("transact: %w", err)
	})
	return reasons, err
}

// failed reports whether the transaction item at index i failed its condition.
func failed(reasons []types.CancellationReason, i int) bool {
	return i < len(reasons) && aws.ToString(reasons[i].Code) == "ConditionalCheckFailed"
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
