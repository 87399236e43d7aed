package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// Stream polling defaults: short, so tests see an outbox mail quickly.
const (
	defaultPollInterval  = 200 * time.Millisecond
	defaultRetryBackoff  = 200 * time.Millisecond
	maxRetryBackoff      = 5 * time.Second
	shardRefreshInterval = 2 * time.Second
)

// FailedBatch is a batch of stream records that a function failed to
// process after its retries, as Lambda hands it to the mapping's on-failure
// destination. Locally it is logged and kept in memory (Stack.FailedBatches).
type FailedBatch struct {
	Function            string                       `json:"function"`
	Destination         string                       `json:"destination,omitempty"` // the resolved DestinationConfig.OnFailure, "" when none
	Condition           string                       `json:"condition"`             // "RetryAttemptsExhausted"
	ErrorType           string                       `json:"errorType,omitempty"`
	ErrorMessage        string                       `json:"errorMessage"`
	ApproximateInvokes  int                          `json:"approximateInvokeCount"`
	StreamARN           string                       `json:"streamArn"`
	ShardID             string                       `json:"shardId"`
	StartSequenceNumber string                       `json:"startSequenceNumber"`
	EndSequenceNumber   string                       `json:"endSequenceNumber"`
	BatchSize           int                          `json:"batchSize"`
	Time                time.Time                    `json:"timestamp"`
	Records             []events.DynamoDBEventRecord `json:"-"`
}

// streamMapping is one DynamoDB event of one function: Lambda's event
// source mapping, polling the table's stream shard by shard, in order.
type streamMapping struct {
	fnID         string
	invokeFn     func(ctx context.Context, payload []byte) ([]byte, error)
	event        samtemplate.DynamoDBEvent
	streamARN    string
	destination  string
	filters      []filterPattern
	startLatest  bool // begin at LATEST rather than the event's StartingPosition
	client       *dynamodbstreams.Client
	pollInterval time.Duration
	retryBackoff time.Duration
	log          io.Writer
	onFailure    func(FailedBatch)

	shards map[string]*shardState // by shard ID; only the poller's goroutine uses it
}

// shardState is where a mapping is in one shard.
type shardState struct {
	id       string
	parent   string
	iterator *string
	lastSeq  string
	closed   bool
}

// start takes the mapping's starting position in every shard. Start calls
// it before it returns, so a record written as soon as the API answers is
// not missed by a mapping that starts at LATEST.
func (m *streamMapping) start(ctx context.Context) error {
	m.shards = map[string]*shardState{}
	return m.refreshShards(ctx, true)
}

// run polls until ctx ends.
func (m *streamMapping) run(ctx context.Context) {
	lastRefresh := time.Now()
	for ctx.Err() == nil {
		if time.Since(lastRefresh) >= shardRefreshInterval {
			if err := m.refreshShards(ctx, false); err != nil && ctx.Err() == nil {
				m.logf("describe stream: %v", err)
			}
			lastRefresh = time.Now()
		}
		busy := false
		for _, id := range sortedShardIDs(m.shards) {
			s := m.shards[id]
			if s.closed || !parentDone(m.shards, s) {
				continue
			}
			n, err := m.poll(ctx, s)
			if err != nil && ctx.Err() == nil {
				m.logf("shard %s: %v", s.id, err)
			}
			busy = busy || n > 0
		}
		if !busy {
			select {
			case <-ctx.Done():
			case <-time.After(m.pollInterval):
			}
		}
	}
}

// refreshShards adds shards not seen yet. Shards present at the first look
// start where the mapping starts; later ones are new, read from their start.
func (m *streamMapping) refreshShards(ctx context.Context, first bool) error {
	shards := m.shards
	var start *string
	for {
		out, err := m.client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &m.streamARN, ExclusiveStartShardId: start})
		if err != nil {
			return err
		}
		for _, sh := range out.StreamDescription.Shards {
			id := deref(sh.ShardId)
			if _, ok := shards[id]; ok {
				continue
			}
			typ := streamtypes.ShardIteratorTypeTrimHorizon
			if first && (m.startLatest || m.event.StartingPosition == "LATEST") {
				typ = streamtypes.ShardIteratorTypeLatest
			}
			it, err := m.client.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: &m.streamARN, ShardId: &id, ShardIteratorType: typ})
			if err != nil {
				return fmt.Errorf("shard iterator %s: %w", id, err)
			}
			shards[id] = &shardState{id: id, parent: deref(sh.ParentShardId), iterator: it.ShardIterator}
		}
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return nil
		}
	}
}

// poll reads one batch from a shard and processes it; it returns how many
// records it read.
func (m *streamMapping) poll(ctx context.Context, s *shardState) (int, error) {
	if s.iterator == nil {
		s.closed = true
		return 0, nil
	}
	limit := int32(min(m.event.BatchSize, 1000))
	out, err := m.client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: s.iterator, Limit: &limit})
	if err != nil {
		var expired *streamtypes.ExpiredIteratorException
		if errors.As(err, &expired) {
			return 0, m.renewIterator(ctx, s)
		}
		return 0, err
	}
	s.iterator = out.NextShardIterator
	if s.iterator == nil {
		s.closed = true
	}
	if len(out.Records) == 0 {
		return 0, nil
	}
	var batch []events.DynamoDBEventRecord
	for _, r := range out.Records {
		rec := eventRecord(r, m.streamARN)
		if matchAny(m.filters, recordJSON(rec)) {
			batch = append(batch, rec)
		}
	}
	if last := out.Records[len(out.Records)-1].Dynamodb; last != nil {
		s.lastSeq = deref(last.SequenceNumber)
	}
	if len(batch) > 0 {
		m.process(ctx, s.id, batch)
	}
	return len(out.Records), nil
}

// renewIterator replaces an expired iterator after the last record read.
func (m *streamMapping) renewIterator(ctx context.Context, s *shardState) error {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &m.streamARN, ShardId: &s.id, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon}
	if s.lastSeq != "" {
		in.ShardIteratorType = streamtypes.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(s.lastSeq)
	}
	it, err := m.client.GetShardIterator(ctx, in)
	if err != nil {
		return err
	}
	s.iterator = it.ShardIterator
	return nil
}

// process delivers a batch as Lambda does: a failed invocation is retried
// with backoff up to MaximumRetryAttempts (-1: forever); with
// BisectBatchOnFunctionError a failed batch is split in two and each half
// retried on its own, which isolates a poison record; with
// ReportBatchItemFailures the retry starts at the first failed record.
// What still fails goes to the on-failure destination, and the shard moves
// on. Halves inherit the attempts already spent, so bisecting ends.
// Records older than MaximumRecordAgeInSeconds go there without a retry.
func (m *streamMapping) process(ctx context.Context, shardID string, batch []events.DynamoDBEventRecord) {
	type pending struct {
		records  []events.DynamoDBEventRecord
		attempts int
	}
	queue := []pending{{records: batch}}
	for len(queue) > 0 && ctx.Err() == nil {
		p := queue[0]
		queue = queue[1:]
		if n := m.expired(p.records); n > 0 {
			m.fail(shardID, p.records[:n], p.attempts, "RecordAgeExceeded", errors.New("records older than MaximumRecordAgeInSeconds"))
			if p.records = p.records[n:]; len(p.records) == 0 {
				continue
			}
		}
		from, err := m.invoke(ctx, p.records)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		p.attempts++
		p.records = p.records[from:]
		m.logf("batch of %d failed (attempt %d): %v", len(p.records), p.attempts, err)
		if max := m.event.MaximumRetryAttempts; max >= 0 && p.attempts > max {
			m.fail(shardID, p.records, p.attempts, "RetryAttemptsExhausted", err)
			continue
		}
		backoff := min(m.retryBackoff<<min(p.attempts-1, 16), maxRetryBackoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if m.event.BisectBatchOnFunctionError && len(p.records) > 1 {
			half := len(p.records) / 2
			queue = append([]pending{{p.records[:half], p.attempts}, {p.records[half:], p.attempts}}, queue...)
		} else {
			queue = append([]pending{p}, queue...)
		}
	}
}

// invoke sends one batch. On failure it returns the index of the first
// record to retry (0 unless the function reported batch item failures).
func (m *streamMapping) invoke(ctx context.Context, records []events.DynamoDBEventRecord) (int, error) {
	payload, err := json.Marshal(events.DynamoDBEvent{Records: records})
	if err != nil {
		return 0, err
	}
	out, err := m.invokeFn(ctx, payload)
	if err != nil {
		return 0, err
	}
	if !m.reportsItemFailures() {
		return 0, nil
	}
	var resp events.DynamoDBEventResponse
	if json.Unmarshal(out, &resp) != nil || len(resp.BatchItemFailures) == 0 {
		return 0, nil
	}
	// Lambda retries from the lowest failed sequence number; an identifier
	// that names no record fails the whole batch.
	first := len(records)
	for _, f := range resp.BatchItemFailures {
		idx := -1
		for i, r := range records {
			if r.Change.SequenceNumber == f.ItemIdentifier {
				idx = i
				break
			}
		}
		if idx < 0 {
			first = 0
			break
		}
		first = min(first, idx)
	}
	return first, fmt.Errorf("the function reported %d failed records", len(resp.BatchItemFailures))
}

func (m *streamMapping) reportsItemFailures() bool {
	for _, t := range m.event.FunctionResponseTypes {
		if t == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

// expired returns how many of the leading (oldest) records are older than
// the mapping's MaximumRecordAgeInSeconds (-1: none; Lambda's least is 60).
func (m *streamMapping) expired(records []events.DynamoDBEventRecord) int {
	max := m.event.MaximumRecordAgeInSeconds
	if max <= 0 {
		return 0
	}
	cutoff := time.Now().Add(-time.Duration(max) * time.Second)
	n := 0
	for n < len(records) {
		t := records[n].Change.ApproximateCreationDateTime.Time
		if t.IsZero() || !t.Before(cutoff) {
			break
		}
		n++
	}
	return n
}

func (m *streamMapping) fail(shardID string, records []events.DynamoDBEventRecord, attempts int, condition string, err error) {
	fb := FailedBatch{
		Function:            m.fnID,
		Destination:         m.destination,
		Condition:           condition,
		ErrorMessage:        err.Error(),
		ApproximateInvokes:  attempts,
		StreamARN:           m.streamARN,
		ShardID:             shardID,
		StartSequenceNumber: records[0].Change.SequenceNumber,
		EndSequenceNumber:   records[len(records)-1].Change.SequenceNumber,
		BatchSize:           len(records),
		Time:                time.Now().UTC(),
		Records:             records,
	}
	var fe *FunctionError
	if errors.As(err, &fe) {
		fb.ErrorType, fb.ErrorMessage = fe.Type, fe.Message
	}
	b, _ := json.Marshal(fb)
	m.logf("retries exhausted; batch sent to the on-failure destination: %s", b)
	m.onFailure(fb)
}

func (m *streamMapping) logf(format string, args ...any) {
	logLine(m.log, "stream "+m.fnID, fmt.Sprintf(format, args...))
}

func parentDone(shards map[string]*shardState, s *shardState) bool {
	p, ok := shards[s.parent]
	return s.parent == "" || !ok || p.closed
}

func sortedShardIDs(shards map[string]*shardState) []string {
	ids := make([]string, 0, len(shards))
	for id := range shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// failureLog keeps the batches sent to on-failure destinations.
type failureLog struct {
	mu      sync.Mutex
	batches []FailedBatch
}

func (l *failureLog) add(fb FailedBatch) {
	l.mu.Lock()
	l.batches = append(l.batches, fb)
	l.mu.Unlock()
}

func (l *failureLog) list() []FailedBatch {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]FailedBatch(nil), l.batches...)
}
