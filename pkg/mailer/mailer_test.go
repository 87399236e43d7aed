package mailer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

type fakeSES struct {
	sent []*ses.SendEmailInput
	fail map[string]error // by recipient
}

func (f *fakeSES) SendEmail(_ context.Context, in *ses.SendEmailInput, _ ...func(*ses.Options)) (*ses.SendEmailOutput, error) {
	if err := f.fail[in.Destination.ToAddresses[0]]; err != nil {
		return nil, err
	}
	f.sent = append(f.sent, in)
	return &ses.SendEmailOutput{MessageId: aws.String("m")}, nil
}

type fakeOutbox struct {
	pending    map[string]bool   // by mail id
	suppressed map[string]string // reason by address
	owners     map[string]string // user id by address
	skipped    map[string]*user.Event
	counts     map[string]int64 // by counter key
}

func (f *fakeOutbox) MailState(_ context.Context, id, address, counter string) (store.MailState, error) {
	return store.MailState{Pending: f.pending[id], Suppressed: f.suppressed[address], Count: f.counts[counter]}, nil
}

func (f *fakeOutbox) AddressOwner(_ context.Context, address string) (string, error) {
	return f.owners[address], nil
}

func (f *fakeOutbox) SkipMail(_ context.Context, id string, ev *user.Event) error {
	delete(f.pending, id)
	f.skipped[id] = ev
	return nil
}

func (f *fakeOutbox) DeleteMail(_ context.Context, id string) error {
	delete(f.pending, id)
	return nil
}

// record is an outbox item's INSERT as the stream delivers it.
func record(seq, id, to string) events.DynamoDBEventRecord {
	s := events.NewStringAttribute
	return events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
		SequenceNumber: seq,
		NewImage: map[string]events.DynamoDBAttributeValue{
			"pk": s("OUTBOX#" + id), "sk": s("MAIL"), "type": s("mail"), "id": s(id), "kind": s("reset_password"),
			"to": s(to), "code": s("code-1"), "expires_at": events.NewNumberAttribute("1900000000"),
		},
	}}
}

func TestHandle(t *testing.T) {
	var logs bytes.Buffer
	rec := metrics.New(logging.New(&logs, slog.LevelError), "test")
	sender := &fakeSES{fail: map[string]error{"down@example.com": errors.New("throttled"),
		"refused@example.com": &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "Local address contains control or whitespace"}}}
	box := &fakeOutbox{
		pending:    map[string]bool{"m1": true, "m2": true, "m3": true, "m4": true, "m5": true, "m6": true, "m7": true},
		suppressed: map[string]string{"bounced@example.com": "bounce", "stranger@example.com": "complaint"},
		owners:     map[string]string{"bounced@example.com": "user-1"},
		skipped:    map[string]*user.Event{},
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	m := &Mailer{SES: sender, Outbox: box, From: "no-reply@example.com", AppName: "App",
		ConfigurationSet: "feedback", Metrics: rec, Now: func() time.Time { return at }}
	resp, err := m.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "m1", "ann@example.com"),
		record("2", "m2", "bounced@example.com"),
		record("3", "m3", "stranger@example.com"),
		record("31", "m7", "refused@example.com"), // refused for good: dropped, not retried
		record("4", "m4", "down@example.com"),
		record("5", "m5", "bob@example.com"), // after the failure: left for the retry
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: "4"}}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if len(sender.sent) == 1 && aws.ToString(sender.sent[0].Source) != `"App" <no-reply@example.com>` {
		t.Errorf("sent as %q, want the display name once before the bare address", aws.ToString(sender.sent[0].Source))
	}
	if len(sender.sent) != 1 || sender.sent[0].Destination.ToAddresses[0] != "ann@example.com" ||
		aws.ToString(sender.sent[0].ConfigurationSetName) != "feedback" {
		t.Errorf("sent %d mails, want one to ann@example.com with the configuration set", len(sender.sent))
	}
	ev := box.skipped["m2"]
	if ev == nil || ev.UserID != "user-1" || ev.Type != user.EventMailSuppressed || !ev.At.Equal(at) ||
		ev.Detail["reason"] != "bounce" || ev.Detail["to"] != "b***@example.com" || ev.Detail["kind"] != "reset_password" {
		t.Errorf("skipped m2 with event %+v, want mail_suppressed on user-1", ev)
	}
	if ev, ok := box.skipped["m3"]; !ok || ev != nil {
		t.Errorf("m3 (an address of nobody): skipped %v with event %+v, want skipped with none", ok, ev)
	}
	for _, id := range []string{"m4", "m5", "m6"} {
		if !box.pending[id] {
			t.Errorf("%s is no longer pending", id)
		}
	}
	if box.pending["m7"] {
		t.Error("m7, refused by SES for good, is still pending")
	}
	counts := map[string]float64{}
	for _, line := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		ps, _ := metrics.Parse(line)
		for _, p := range ps {
			counts[p.Name] += p.Value
		}
	}
	if diff := cmp.Diff(map[string]float64{metrics.MailsSent: 1, metrics.MailsSuppressed: 2, metrics.MailsFailed: 2}, counts); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}

	// The retry from the failed record: m5 goes out now, m1 is not sent twice.
	delete(sender.fail, "down@example.com")
	resp, err = m.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "m1", "ann@example.com"), record("4", "m4", "down@example.com"), record("5", "m5", "bob@example.com"),
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v, %+v", err, resp)
	}
	if len(sender.sent) != 3 {
		t.Errorf("after the retry %d mails sent, want 3", len(sender.sent))
	}
}

// A sign-up's verification mail is counted from the stream, not refused: past the limit
// the mailer does not send it, so signing an address up and deleting the account again
// and again cannot flood it.
func TestMailPastTheAddressLimitIsNotSent(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	box := &fakeOutbox{
		pending: map[string]bool{"m1": true, "m2": true, "m3": true},
		owners:  map[string]string{"flooded@example.com": "user-9"},
		skipped: map[string]*user.Event{},
		counts: map[string]int64{
			user.MailCounter("reset_password", "flooded@example.com", at, 5).Key: 6,
			user.MailCounter("reset_password", "fine@example.com", at, 5).Key:    5,
		},
	}
	sender := &fakeSES{}
	m := &Mailer{SES: sender, Outbox: box, From: "no-reply@example.com", AppName: "App", Limit: 5, Now: func() time.Time { return at }}
	resp, err := m.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "m1", "flooded@example.com"), record("2", "m2", "fine@example.com"), record("3", "m3", "new@example.com"),
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: %v, %+v", err, resp)
	}
	if len(sender.sent) != 2 || sender.sent[0].Destination.ToAddresses[0] != "fine@example.com" {
		t.Errorf("sent %d mails, want the two at or under the limit", len(sender.sent))
	}
	if ev := box.skipped["m1"]; ev == nil || ev.UserID != "user-9" || ev.Detail["reason"] != "rate_limited" {
		t.Errorf("m1 skipped with %+v, want mail_suppressed (rate_limited) on user-9", ev)
	}
}

// SES's MessageRejected (an unverified MailFrom, a sandboxed account) is the operator's to
// fix: the mail is retried and parked in the failure queue, never dropped.
func TestMessageRejectedIsRetriedNotDropped(t *testing.T) {
	sender := &fakeSES{fail: map[string]error{"ann@example.com": &sestypes.MessageRejected{Message: aws.String("Email address is not verified.")}}}
	box := &fakeOutbox{pending: map[string]bool{"m1": true}, skipped: map[string]*user.Event{}}
	m := &Mailer{SES: sender, Outbox: box, From: "no-reply@example.com", AppName: "App"}
	resp, err := m.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record("1", "m1", "ann@example.com")}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "1" {
		t.Errorf("Handle = %+v, %v; want record 1 reported for a retry", resp, err)
	}
	if !box.pending["m1"] {
		t.Error("the rejected mail was dropped from the outbox")
	}
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{"ann@example.com": "a***@example.com", "x": "***", "@d": "***"} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
