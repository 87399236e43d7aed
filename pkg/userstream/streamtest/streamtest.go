// Package streamtest runs the user-stream function's handler over the records of a table's
// stream on DynamoDB Local, through the filter and in the batch size of the function's
// subscription in template.yaml, as Lambda would. Tests and the bench use it to bring a
// table's search index up to date with its writes without the local stack's poller.
package streamtest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/userstream"
)

// Indexer feeds a table's stream records to the user-stream handler.
type Indexer struct {
	mu     sync.Mutex
	reader *localstack.StreamReader
	x      *userstream.Indexer
	batch  int
}

// New reads the stream of table, from its oldest record, for the handler of the
// user-stream function of the template at templatePath, writing to index.
func New(ctx context.Context, db *dynamodb.Client, templatePath, table string, index userstream.Index) (*Indexer, error) {
	tpl, err := samtemplate.Load(templatePath)
	if err != nil {
		return nil, err
	}
	f, err := tpl.Function(samtemplate.LogicalID("user-stream"))
	if err != nil {
		return nil, err
	}
	evs := f.DynamoDBEvents()
	if len(evs) != 1 {
		return nil, fmt.Errorf("user-stream has %d DynamoDB events, want 1", len(evs))
	}
	r, err := localstack.NewStreamReader(ctx, db, table, evs[0].FilterPatterns...)
	if err != nil {
		return nil, err
	}
	return &Indexer{reader: r, x: &userstream.Indexer{Index: index}, batch: max(evs[0].BatchSize, 1)}, nil
}

// CatchUp hands the handler every record written since the last call, in order, and
// fails on a batch the handler reports failed.
func (i *Indexer) CatchUp(ctx context.Context) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	recs, err := i.reader.Read(ctx)
	if err != nil {
		return err
	}
	for batch := range slices.Chunk(recs, i.batch) {
		resp, err := i.x.Handle(ctx, events.DynamoDBEvent{Records: batch})
		if err != nil {
			return fmt.Errorf("user-stream: %w", err)
		}
		if len(resp.BatchItemFailures) > 0 {
			return fmt.Errorf("user-stream: a batch of %d records failed from %s", len(batch), resp.BatchItemFailures[0].ItemIdentifier)
		}
	}
	return nil
}
