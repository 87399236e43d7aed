package mailfeedback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/store"
)

type fakeMarks struct {
	marked []store.MailSuppression
	err    error
}

func (f *fakeMarks) SuppressMail(_ context.Context, m store.MailSuppression) error {
	if f.err != nil {
		return f.err
	}
	f.marked = append(f.marked, m)
	return nil
}

func snsEvent(messages ...string) events.SNSEvent {
	var ev events.SNSEvent
	for _, m := range messages {
		ev.Records = append(ev.Records, events.SNSEventRecord{EventSource: "aws:sns", SNS: events.SNSEntity{MessageID: "id", Message: m}})
	}
	return ev
}

func TestHandleMarksBouncesAndComplaints(t *testing.T) {
	var logs bytes.Buffer
	marks := &fakeMarks{}
	h := &Handler{Marks: marks, Metrics: metrics.New(logging.New(&logs, slog.LevelError), "test")}
	err := h.Handle(context.Background(), snsEvent(
		// A permanent bounce of a configuration set event, two recipients, one by name.
		`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","feedbackId":"f-1",
		  "timestamp":"2030-01-02T03:04:05.000Z","bouncedRecipients":[{"emailAddress":"Ann@Example.com"},
		  {"emailAddress":"Bob <bob@example.com>"}]},"mail":{"messageId":"m-1"}}`,
		// A transient bounce marks nothing.
		`{"eventType":"Bounce","bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":"full@example.com"}]}}`,
		// A complaint, as an identity notification.
		`{"notificationType":"Complaint","complaint":{"complaintFeedbackType":"abuse","feedbackId":"f-2",
		  "timestamp":"2030-01-02T03:04:06.000Z","complainedRecipients":[{"emailAddress":"carol@example.com"}]}}`,
		// "not spam", a delivery, and what is no SES notification at all mark nothing.
		`{"eventType":"Complaint","complaint":{"complaintFeedbackType":"not-spam","complainedRecipients":[{"emailAddress":"dan@example.com"}]}}`,
		`{"eventType":"Delivery","delivery":{"recipients":["erin@example.com"]}}`,
		`not json`,
	))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	want := []store.MailSuppression{
		{Address: "ann@example.com", Reason: "bounce", Detail: "General", FeedbackID: "f-1", At: at},
		{Address: "bob@example.com", Reason: "bounce", Detail: "General", FeedbackID: "f-1", At: at},
		{Address: "carol@example.com", Reason: "complaint", Detail: "abuse", FeedbackID: "f-2", At: at.Add(time.Second)},
	}
	if diff := cmp.Diff(want, marks.marked); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}
	counts := map[string]float64{}
	for _, line := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		ps, _ := metrics.Parse(line)
		for _, p := range ps {
			counts[p.Name] += p.Value
		}
	}
	if diff := cmp.Diff(map[string]float64{metrics.MailBounces: 2, metrics.MailComplaints: 1}, counts); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	if bytes.Contains(logs.Bytes(), []byte("ann@example.com")) {
		t.Error("an address was logged unmasked")
	}
}

// A mark that cannot be written fails the invocation, so Lambda retries the event.
func TestHandleFailsWhenTheMarkIsNotWritten(t *testing.T) {
	h := &Handler{Marks: &fakeMarks{err: errors.New("throttled")}}
	err := h.Handle(context.Background(), snsEvent(`{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"a@example.com"}]}}`))
	if err == nil {
		t.Fatal("no error")
	}
}

// Whatever SNS delivers, reading it never panics, and every mark is of a normalized address.
func FuzzSuppressions(f *testing.F) {
	f.Add(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"Ann <A@example.com>"}]}}`)
	f.Add(`{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"x@y"}]}}`)
	f.Fuzz(func(t *testing.T, msg string) {
		var n Notification
		if json.Unmarshal([]byte(msg), &n) != nil {
			return
		}
		marks, _ := Suppressions(n)
		for _, m := range marks {
			if a, ok := address(m.Address); !ok || a != m.Address {
				t.Errorf("mark of %q, not a normalized address", m.Address)
			}
		}
	})
}
