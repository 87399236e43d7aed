package localstack

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// maxReadPages bounds the GetRecords calls of one StreamReader.Read.
const maxReadPages = 10_000

// StreamReader reads a table's stream on DynamoDB Local from its oldest record on, shard
// by shard (a parent before its children), in the form Lambda hands a function, keeping
// only the records that pass the filter patterns given (an event source mapping's
// FilterCriteria; none keeps all). It is for tests and the bench, which drive a stream
// consumer's code over the records the table really wrote, without the stack's poller.
type StreamReader struct {
	client  *dynamodbstreams.Client
	arn     string
	filters []filterPattern
	shards  map[string]*shardState
}

// NewStreamReader reads the stream of table, through the endpoint and credentials of db.
func NewStreamReader(ctx context.Context, db *dynamodb.Client, table string, patterns ...string) (*StreamReader, error) {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	arn := aws.ToString(out.Table.LatestStreamArn)
	if arn == "" {
		return nil, fmt.Errorf("table %s has no stream", table)
	}
	o := db.Options()
	r := &StreamReader{
		client: dynamodbstreams.New(dynamodbstreams.Options{Region: o.Region, Credentials: o.Credentials, BaseEndpoint: o.BaseEndpoint}),
		arn:    arn, shards: map[string]*shardState{},
	}
	for _, p := range patterns {
		fp, err := parseFilterPattern(p)
		if err != nil {
			return nil, err
		}
		r.filters = append(r.filters, fp)
	}
	return r, nil
}

// Read returns, in stream order within each shard, the records that pass the filters and
// were written since the last Read.
func (r *StreamReader) Read(ctx context.Context) ([]events.DynamoDBEventRecord, error) {
	var out []events.DynamoDBEventRecord
	pages := 0
	for {
		if err := r.refresh(ctx); err != nil {
			return nil, err
		}
		closed := false // a shard closed in this pass: its children are readable now
		for _, id := range sortedShardIDs(r.shards) {
			s := r.shards[id]
			if s.closed || !parentDone(r.shards, s) {
				continue
			}
			for !s.closed {
				if pages++; pages > maxReadPages {
					return nil, fmt.Errorf("stream %s: more than %d pages", r.arn, maxReadPages)
				}
				got, err := r.client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: s.iterator, Limit: aws.Int32(1000)})
				var expired *streamtypes.ExpiredIteratorException
				if errors.As(err, &expired) {
					if err := r.renew(ctx, s); err != nil {
						return nil, err
					}
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("stream %s: %w", r.arn, err)
				}
				s.iterator, s.closed = got.NextShardIterator, got.NextShardIterator == nil
				closed = closed || s.closed
				for _, rec := range got.Records {
					if d := rec.Dynamodb; d != nil {
						s.lastSeq = aws.ToString(d.SequenceNumber)
					}
					if ev := eventRecord(rec, r.arn); matchAny(r.filters, recordJSON(ev)) {
						out = append(out, ev)
					}
				}
				if len(got.Records) == 0 {
					break // caught up with an open shard
				}
			}
		}
		if !closed {
			return out, nil
		}
	}
}

// refresh adds the shards not seen yet, each from its oldest record.
func (r *StreamReader) refresh(ctx context.Context) error {
	var start *string
	for {
		out, err := r.client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &r.arn, ExclusiveStartShardId: start})
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", r.arn, err)
		}
		for _, sh := range out.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			if _, ok := r.shards[id]; ok {
				continue
			}
			it, err := r.client.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: &r.arn, ShardId: &id,
				ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
			if err != nil {
				return fmt.Errorf("shard iterator %s: %w", id, err)
			}
			r.shards[id] = &shardState{id: id, parent: aws.ToString(sh.ParentShardId), iterator: it.ShardIterator}
		}
		if start = out.StreamDescription.LastEvaluatedShardId; start == nil {
			return nil
		}
	}
}

// renew replaces an expired iterator after the last record read.
func (r *StreamReader) renew(ctx context.Context, s *shardState) error {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &r.arn, ShardId: &s.id, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon}
	if s.lastSeq != "" {
		in.ShardIteratorType, in.SequenceNumber = streamtypes.ShardIteratorTypeAfterSequenceNumber, aws.String(s.lastSeq)
	}
	it, err := r.client.GetShardIterator(ctx, in)
	if err != nil {
		return fmt.Errorf("shard iterator %s: %w", s.id, err)
	}
	s.iterator = it.ShardIterator
	return nil
}
