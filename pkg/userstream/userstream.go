// Package userstream is the consumer of the table's stream of user profile items. It writes
// what a user's own transaction leaves out because nothing needs it at once: the search
// postings, as the difference between each record's old and new image, and a new user's
// account_created event (pkg/store.IndexUsers; docs/data-model.md, "Postings from the
// stream").
package userstream

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/streamimage"
)

// viewType is the stream view the difference needs: an update's and a removal's old image.
const viewType = "NEW_AND_OLD_IMAGES"

// Index is what the consumer needs of the table (pkg/store.Store).
type Index interface {
	IndexUsers(ctx context.Context, changes []store.UserChange) (done int, err error)
}

// Indexer applies stream records of profile items to the index.
type Indexer struct {
	Index Index
}

// Handle applies one batch of stream records, in order. When the writes fail it reports
// the first record whose work is not wholly done (ReportBatchItemFailures): Lambda retries
// from there, bisecting, and parks what still fails in the on-failure queue. Rewriting
// what an earlier attempt wrote is harmless (IndexUsers).
func (x *Indexer) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var (
		changes []store.UserChange
		records []int // the record of each change
	)
	for i, rec := range ev.Records {
		if !store.IsProfileKey(streamimage.Convert(rec.Change.Keys)) {
			continue // the subscription's filter passes profile items only
		}
		if v := rec.Change.StreamViewType; v != viewType {
			// Without the old image a change or a removal cannot be told: fail loudly.
			return events.DynamoDBEventResponse{}, fmt.Errorf("the table's stream shows %s, want %s", v, viewType)
		}
		c, err := store.UserChangeOf(streamimage.Convert(rec.Change.OldImage), streamimage.Convert(rec.Change.NewImage))
		if err != nil {
			// A malformed item is never indexed; retrying it would only hold the shard.
			logging.Logger().Error("skip stream record", "event_id", rec.EventID, "error", err.Error())
			continue
		}
		changes = append(changes, c)
		records = append(records, i)
	}
	done, err := x.Index.IndexUsers(ctx, changes)
	if err == nil {
		return events.DynamoDBEventResponse{}, nil
	}
	first := ev.Records[records[done]]
	logging.Logger().Warn("index users", "records", len(ev.Records), "retry_from", first.Change.SequenceNumber, "error", err.Error())
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
		{ItemIdentifier: first.Change.SequenceNumber},
	}}, nil
}
