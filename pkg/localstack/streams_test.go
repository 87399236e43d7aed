package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// fakeFunction records the batches it is sent and fails those holding a
// record whose pk starts with "bad".
type fakeFunction struct {
	batches  [][]string
	response func(pks []string) string
}

func (f *fakeFunction) invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var pks []string
	for _, r := range ev.Records {
		pks = append(pks, r.Change.NewImage["pk"].String())
	}
	f.batches = append(f.batches, pks)
	if f.response != nil {
		return []byte(f.response(pks)), nil
	}
	for _, pk := range pks {
		if strings.HasPrefix(pk, "bad") {
			return nil, &FunctionError{Type: "errorString", Message: "bad record " + pk}
		}
	}
	return []byte("null"), nil
}

func records(pks ...string) []events.DynamoDBEventRecord {
	var out []events.DynamoDBEventRecord
	for i, pk := range pks {
		created := time.Now()
		if pk == "old" {
			created = created.Add(-time.Hour)
		}
		out = append(out, events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{
			SequenceNumber:              fmt.Sprint(100 + i),
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: created},
			NewImage:                    map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk)},
		}})
	}
	return out
}

func TestStreamRetries(t *testing.T) {
	cases := []struct {
		name        string
		event       samtemplate.DynamoDBEvent
		batch       []string
		response    func([]string) string
		wantBatches [][]string
		wantFailed  [][]string
	}{
		{
			name:        "success",
			event:       samtemplate.DynamoDBEvent{MaximumRetryAttempts: 2},
			batch:       []string{"a", "b"},
			wantBatches: [][]string{{"a", "b"}},
		},
		{
			name:        "retries then gives up",
			event:       samtemplate.DynamoDBEvent{MaximumRetryAttempts: 2},
			batch:       []string{"a", "bad"},
			wantBatches: [][]string{{"a", "bad"}, {"a", "bad"}, {"a", "bad"}},
			wantFailed:  [][]string{{"a", "bad"}},
		},
		{
			name:  "bisect isolates the poison record",
			event: samtemplate.DynamoDBEvent{MaximumRetryAttempts: 3, BisectBatchOnFunctionError: true},
			batch: []string{"a", "b", "c", "bad"},
			wantBatches: [][]string{
				{"a", "b", "c", "bad"},
				{"a", "b"}, {"c", "bad"},
				{"c"}, {"bad"},
				{"bad"},
			},
			wantFailed: [][]string{{"bad"}},
		},
		{
			name:        "records past their maximum age are not retried",
			event:       samtemplate.DynamoDBEvent{MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: 60},
			batch:       []string{"old", "old", "a"},
			wantBatches: [][]string{{"a"}},
			wantFailed:  [][]string{{"old", "old"}},
		},
		{
			name:  "batch item failures retry from the first failed record",
			event: samtemplate.DynamoDBEvent{MaximumRetryAttempts: 1, FunctionResponseTypes: []string{"ReportBatchItemFailures"}},
			batch: []string{"a", "b", "c"},
			response: func(pks []string) string {
				if pks[0] == "a" {
					return `{"batchItemFailures":[{"itemIdentifier":"101"}]}` // b
				}
				return `{"batchItemFailures":[]}`
			},
			wantBatches: [][]string{{"a", "b", "c"}, {"b", "c"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := &fakeFunction{response: c.response}
			var failed [][]string
			m := &streamMapping{
				fnID: "F", invokeFn: fn.invoke, event: c.event, retryBackoff: time.Millisecond, log: io.Discard,
				onFailure: func(fb FailedBatch) {
					var pks []string
					for _, r := range fb.Records {
						pks = append(pks, r.Change.NewImage["pk"].String())
					}
					failed = append(failed, pks)
					if (fb.Condition != "RetryAttemptsExhausted" && fb.Condition != "RecordAgeExceeded") || fb.Function != "F" || fb.BatchSize != len(fb.Records) {
						t.Errorf("failed batch: got %+v", fb)
					}
				},
			}
			m.process(context.Background(), "shard-1", records(c.batch...))
			if diff := cmp.Diff(c.wantBatches, fn.batches); diff != "" {
				t.Errorf("invocations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.wantFailed, failed); diff != "" {
				t.Errorf("sent to the on-failure destination (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStreamRetriesStopWithContext(t *testing.T) {
	fn := &fakeFunction{}
	ctx, cancel := context.WithCancel(context.Background())
	m := &streamMapping{
		fnID: "F", event: samtemplate.DynamoDBEvent{MaximumRetryAttempts: -1}, retryBackoff: time.Millisecond, log: io.Discard,
		invokeFn: func(c context.Context, p []byte) ([]byte, error) {
			if len(fn.batches) == 3 {
				cancel()
				return nil, errors.New("stopped")
			}
			return fn.invoke(c, p)
		},
		onFailure: func(FailedBatch) { t.Error("a batch went to the on-failure destination, want endless retries") },
	}
	m.process(ctx, "shard-1", records("bad"))
	if len(fn.batches) != 3 {
		t.Errorf("got %d invocations, want 3 before the context ended", len(fn.batches))
	}
}
