package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/store"
)

// queue is the part of the SQS client redrive uses.
type queue interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// streamReader is the part of the DynamoDB Streams client redrive uses.
type streamReader interface {
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// outbox is what redrive needs of the table (pkg/store).
type outbox interface {
	RequeueMail(ctx context.Context, id, newID string, now time.Time) (store.Requeue, error)
}

var (
	_ queue        = (*sqs.Client)(nil)
	_ streamReader = (*dynamodbstreams.Client)(nil)
	_ outbox       = (*store.Store)(nil)
)

// failureRecord is what Lambda sends the mailer's on-failure destination for a batch of
// stream records it gave up on: where the records are, not the records.
type failureRecord struct {
	Batch *struct {
		ShardID             string `json:"shardId"`
		StartSequenceNumber string `json:"startSequenceNumber"`
		EndSequenceNumber   string `json:"endSequenceNumber"`
		StreamARN           string `json:"streamArn"`
		BatchSize           int    `json:"batchSize"`
	} `json:"DDBStreamBatchInfo"`
}

// redriveReport counts what a redrive did.
type redriveReport struct {
	Messages, Requeued, Gone, Expired, Unreadable int
}

// redriver moves the failure queue's batches back to the mailer: it reads each batch's
// records from the table's stream (kept 24 hours), puts every outbox item of them that is
// still waiting back on the stream, and deletes the message. A message whose records the
// stream no longer has stays in the queue, unless drop says to delete it.
type redriver struct {
	queue   queue
	url     string
	streams streamReader
	outbox  outbox
	now     func() time.Time
	newID   func() (string, error)
	max     int  // messages to take at most
	drop    bool // delete messages whose records are gone from the stream
	log     io.Writer
}

// maxRecordPages bounds the stream pages read for one batch (a batch is at most 10 records;
// pages can be empty in a shard that is still open).
const maxRecordPages = 100

func (r *redriver) run(ctx context.Context) (redriveReport, error) {
	var rep redriveReport
	for rep.Messages < r.max {
		out, err := r.queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(r.url), MaxNumberOfMessages: int32(min(10, r.max-rep.Messages)),
			WaitTimeSeconds: 1, VisibilityTimeout: 120,
		})
		if err != nil {
			return rep, fmt.Errorf("receive from %s: %w", r.url, err)
		}
		if len(out.Messages) == 0 {
			return rep, nil
		}
		for _, m := range out.Messages {
			rep.Messages++
			ok, err := r.message(ctx, aws.ToString(m.Body), &rep)
			if err != nil {
				return rep, err
			}
			if !ok && !r.drop {
				continue // back in the queue when its visibility timeout ends
			}
			if _, err := r.queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return rep, fmt.Errorf("delete message %s: %w", aws.ToString(m.MessageId), err)
			}
		}
	}
	return rep, nil
}

// message redrives one failure record; it reports false when its records could not be read.
func (r *redriver) message(ctx context.Context, body string, rep *redriveReport) (bool, error) {
	var fr failureRecord
	if err := json.Unmarshal([]byte(body), &fr); err != nil || fr.Batch == nil || fr.Batch.ShardID == "" || fr.Batch.StartSequenceNumber == "" {
		rep.Unreadable++
		fmt.Fprintf(r.log, "not a stream failure record: %.200s\n", body)
		return false, nil
	}
	b := fr.Batch
	it, err := r.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(b.StreamARN), ShardId: aws.String(b.ShardID),
		ShardIteratorType: streamtypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(b.StartSequenceNumber),
	})
	if err != nil {
		var trimmed *streamtypes.TrimmedDataAccessException
		var missing *streamtypes.ResourceNotFoundException
		if errors.As(err, &trimmed) || errors.As(err, &missing) {
			rep.Unreadable++
			fmt.Fprintf(r.log, "batch %s..%s of %s: no longer in the stream (kept 24 hours)\n", b.StartSequenceNumber, b.EndSequenceNumber, b.ShardID)
			return false, nil
		}
		return false, fmt.Errorf("shard iterator of %s: %w", b.ShardID, err)
	}
	iter := it.ShardIterator
	for page := 0; iter != nil && page < maxRecordPages; page++ {
		out, err := r.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return false, fmt.Errorf("records of %s: %w", b.ShardID, err)
		}
		for _, rec := range out.Records {
			if rec.Dynamodb == nil {
				continue
			}
			seq := aws.ToString(rec.Dynamodb.SequenceNumber)
			if seqAfter(seq, b.EndSequenceNumber) {
				return true, nil
			}
			if err := r.record(ctx, rec, rep); err != nil {
				return false, err
			}
		}
		if len(out.Records) == 0 && out.NextShardIterator != nil && page > 0 {
			break // an open shard with nothing more yet: the batch is behind us
		}
		iter = out.NextShardIterator
	}
	return true, nil
}

// record requeues the outbox item of an INSERT record.
func (r *redriver) record(ctx context.Context, rec streamtypes.Record, rep *redriveReport) error {
	if rec.EventName != streamtypes.OperationTypeInsert {
		return nil
	}
	pk, _ := rec.Dynamodb.Keys["pk"].(*streamtypes.AttributeValueMemberS)
	if pk == nil || !strings.HasPrefix(pk.Value, store.OutboxPrefix) {
		return nil
	}
	id := strings.TrimPrefix(pk.Value, store.OutboxPrefix)
	newID, err := r.newID()
	if err != nil {
		return err
	}
	res, err := r.outbox.RequeueMail(ctx, id, newID, r.now())
	if err != nil {
		return err
	}
	switch res {
	case store.Requeued:
		rep.Requeued++
	case store.RequeueGone:
		rep.Gone++
	case store.RequeueExpired:
		rep.Expired++
	}
	return nil
}

// seqAfter reports whether stream sequence number a comes after b: they are decimal
// numbers of up to 40 digits, compared by length, then digit by digit.
func seqAfter(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// mailCmd runs `usersctl mail …`.
func mailCmd(ctx context.Context, local bool, table string, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] != "redrive" {
		return errors.New("mail: want redrive")
	}
	fs := flag.NewFlagSet("mail redrive", flag.ContinueOnError)
	url := fs.String("queue", os.Getenv("MAIL_FAILURE_QUEUE_URL"), "the failure queue (the MailFailureQueueUrl output)")
	max := fs.Int("max", 1000, "messages to take at most")
	drop := fs.Bool("drop-unreadable", false, "delete messages whose records are no longer in the stream")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if local {
		return errors.New("mail redrive: the local stack has no failure queue; it prints the batches it gives up on")
	}
	if *url == "" {
		return errors.New("mail redrive: pass --queue or set MAIL_FAILURE_QUEUE_URL (the stack's MailFailureQueueUrl output)")
	}
	st, cfg, err := tableStore(ctx, false, table)
	if err != nil {
		return err
	}
	r := &redriver{queue: sqs.NewFromConfig(cfg), url: *url, streams: dynamodbstreams.NewFromConfig(cfg), outbox: st,
		now: time.Now, newID: auth.NewID, max: *max, drop: *drop, log: w}
	rep, err := r.run(ctx)
	fmt.Fprintf(w, "%d messages: %d mails requeued, %d sent meanwhile, %d expired, %d messages unreadable (%s)\n",
		rep.Messages, rep.Requeued, rep.Gone, rep.Expired, rep.Unreadable, map[bool]string{true: "deleted", false: "left in the queue"}[*drop])
	return err
}
