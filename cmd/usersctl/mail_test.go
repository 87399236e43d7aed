package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/store"
)

// fakeQueue is an SQS queue: received messages are invisible until deleted or until the
// next run (a new fakeQueue view of the same messages).
type fakeQueue struct {
	msgs     []sqstypes.Message
	received int
	deleted  []string
}

func (q *fakeQueue) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if aws.ToString(in.QueueUrl) != "https://sqs.example/failures" {
		return nil, fmt.Errorf("queue %s", aws.ToString(in.QueueUrl))
	}
	n := min(int(in.MaxNumberOfMessages), len(q.msgs)-q.received)
	out := q.msgs[q.received : q.received+n]
	q.received += n
	return &sqs.ReceiveMessageOutput{Messages: out}, nil
}

func (q *fakeQueue) DeleteMessage(_ context.Context, in *sqs.DeleteMessageInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	q.deleted = append(q.deleted, aws.ToString(in.ReceiptHandle))
	return &sqs.DeleteMessageOutput{}, nil
}

// fakeStream is one shard of a table's stream; iterators are the index of the next record.
type fakeStream struct {
	records []streamtypes.Record
	trimmed map[string]bool // sequence numbers no longer kept
}

func (s *fakeStream) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	seq := aws.ToString(in.SequenceNumber)
	if s.trimmed[seq] {
		return nil, &streamtypes.TrimmedDataAccessException{Message: aws.String("trimmed")}
	}
	for i, r := range s.records {
		if aws.ToString(r.Dynamodb.SequenceNumber) == seq {
			return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprint(i))}, nil
		}
	}
	return nil, fmt.Errorf("no record %s", seq)
}

func (s *fakeStream) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	var i int
	fmt.Sscan(aws.ToString(in.ShardIterator), &i)
	end := min(i+2, len(s.records)) // two records a page
	return &dynamodbstreams.GetRecordsOutput{Records: s.records[i:end], NextShardIterator: aws.String(fmt.Sprint(end))}, nil
}

type fakeOutbox struct {
	pending  map[string]time.Time // expiry by mail id
	requeued []string
}

func (o *fakeOutbox) RequeueMail(_ context.Context, id, newID string, now time.Time) (store.Requeue, error) {
	exp, ok := o.pending[id]
	switch {
	case !ok:
		return store.RequeueGone, nil
	case !exp.After(now):
		return store.RequeueExpired, nil
	}
	delete(o.pending, id)
	o.pending[newID] = exp
	o.requeued = append(o.requeued, id)
	return store.Requeued, nil
}

func streamRecord(seq, event, pk string) streamtypes.Record {
	return streamtypes.Record{EventName: streamtypes.OperationType(event), Dynamodb: &streamtypes.StreamRecord{
		SequenceNumber: aws.String(seq),
		Keys:           map[string]streamtypes.AttributeValue{"pk": &streamtypes.AttributeValueMemberS{Value: pk}},
	}}
}

// failure is a message as Lambda writes it to a stream consumer's on-failure destination.
func failure(handle, start, end string) sqstypes.Message {
	body := fmt.Sprintf(`{"requestContext":{"condition":"RetryAttemptsExhausted","approximateInvokeCount":6},"version":"1.0",
		"DDBStreamBatchInfo":{"shardId":"shard-1","startSequenceNumber":%q,"endSequenceNumber":%q,"batchSize":2,
		"streamArn":"arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x"}}`, start, end)
	return sqstypes.Message{MessageId: aws.String(handle), ReceiptHandle: aws.String(handle), Body: aws.String(body)}
}

func TestRedrive(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	stream := &fakeStream{
		records: []streamtypes.Record{
			streamRecord("100", "INSERT", "OUTBOX#m1"),
			streamRecord("101", "INSERT", "USER#u1"), // not mail
			streamRecord("102", "REMOVE", "OUTBOX#m0"),
			streamRecord("103", "INSERT", "OUTBOX#m2"), // sent meanwhile
			streamRecord("104", "INSERT", "OUTBOX#m3"), // expired
			streamRecord("105", "INSERT", "OUTBOX#m4"), // after the batch: not touched
			streamRecord("900", "INSERT", "OUTBOX#m9"),
		},
		trimmed: map[string]bool{"050": true},
	}
	box := &fakeOutbox{pending: map[string]time.Time{"m1": now.Add(time.Hour), "m3": now.Add(-time.Hour), "m4": now.Add(time.Hour)}}
	q := &fakeQueue{msgs: []sqstypes.Message{
		failure("h1", "100", "104"),
		failure("h2", "050", "060"), // older than the stream keeps
		{MessageId: aws.String("h3"), ReceiptHandle: aws.String("h3"), Body: aws.String("not a failure record")},
	}}
	var log strings.Builder
	ids := 0
	r := &redriver{queue: q, url: "https://sqs.example/failures", streams: stream, outbox: box, now: func() time.Time { return now },
		newID: func() (string, error) { ids++; return fmt.Sprintf("new-%d", ids), nil }, max: 100, log: &log}
	rep, err := r.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(redriveReport{Messages: 3, Requeued: 1, Gone: 1, Expired: 1, Unreadable: 2}, rep); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"m1"}, box.requeued); diff != "" {
		t.Errorf("requeued (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"h1"}, q.deleted); diff != "" {
		t.Errorf("deleted messages (-want +got):\n%s", diff)
	}
	if !strings.Contains(log.String(), "no longer in the stream") || !strings.Contains(log.String(), "not a stream failure record") {
		t.Errorf("log %q does not say which messages were left", log.String())
	}

	// With --drop-unreadable, the messages that cannot be redriven go too.
	q2 := &fakeQueue{msgs: q.msgs[1:]}
	r.queue, r.drop = q2, true
	if _, err := r.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"h2", "h3"}, q2.deleted); diff != "" {
		t.Errorf("deleted with drop (-want +got):\n%s", diff)
	}
}

func TestSeqAfter(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"101", "100", true}, {"100", "100", false}, {"99", "100", false}, {"1000", "999", true}} {
		if got := seqAfter(tt.a, tt.b); got != tt.want {
			t.Errorf("seqAfter(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

// usersctl -h prints the usage and exits 0, as help does.
func TestHelpExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	for _, args := range [][]string{{"-h"}, {"help"}} {
		out, err := exec.Command("go", append([]string{"run", "."}, args...)...).CombinedOutput()
		if err != nil {
			t.Errorf("usersctl %v: %v\n%s", args, err, out)
		}
		if !strings.Contains(string(out), "mail redrive") {
			t.Errorf("usersctl %v printed no usage: %s", args, out)
		}
	}
}
