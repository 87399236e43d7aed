// Package mailer is the stream consumer that sends the outbox: for each new outbox item it
// renders the localized mail, sends it through SES and deletes the item. Mail to an address
// SES reported as bouncing or complaining is not sent.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/smithy-go"

	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/streamimage"
	"github.com/userbase/userbase/pkg/user"
)

// Sender is the part of the SES client the mailer uses.
type Sender interface {
	SendEmail(context.Context, *ses.SendEmailInput, ...func(*ses.Options)) (*ses.SendEmailOutput, error)
}

// Outbox is what the mailer needs of the table (pkg/store).
type Outbox interface {
	// MailState reads whether an outbox item still waits, why its address is marked and
	// the value of the counter named, in one round trip.
	MailState(ctx context.Context, id, address, counter string) (store.MailState, error)
	// AddressOwner is the user whose address it is, "" when none.
	AddressOwner(ctx context.Context, address string) (string, error)
	// SkipMail deletes an item that will not be sent, recording ev (nil: none) with it.
	SkipMail(ctx context.Context, id string, ev *user.Event) error
	DeleteMail(ctx context.Context, id string) error
}

var _ Outbox = (*store.Store)(nil)

// Mailer sends outbox mail.
type Mailer struct {
	SES    Sender
	Outbox Outbox
	// From is the sender's bare address (MAIL_FROM); mail.Render puts AppName before it
	// as the display name.
	From    string
	AppName string
	// ConfigurationSet is the SES configuration set of every mail, whose bounces and
	// complaints come back to the mail-feedback function; "" sends without one.
	ConfigurationSet string
	// Limit is how many mails of one kind an address gets in an hour (MAIL_LIMIT_PER_HOUR);
	// 0 sends without looking. Requests that mail are refused past it, but a sign-up's
	// verification mail is counted after its account's write (from the table's stream) and
	// not refused: here, a mail whose counter is past the limit is not sent.
	Limit   int
	Metrics *metrics.Recorder // nil: nothing counted
	Now     func() time.Time  // nil: time.Now
}

// Handle processes one batch of stream records in order. At the first record that fails it
// stops and reports that record as the batch's failure (ReportBatchItemFailures), so Lambda
// retries from it (and bisects, then parks what still fails in the failure queue); mail
// already sent is not sent twice, because its outbox item is gone.
func (m *Mailer) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	for _, rec := range ev.Records {
		if rec.EventName != "INSERT" {
			continue
		}
		img := rec.Change.NewImage
		if pk, ok := img["pk"]; !ok || pk.DataType() != events.DataTypeString || !strings.HasPrefix(pk.String(), store.OutboxPrefix) {
			continue
		}
		msg, err := store.UnmarshalMail(streamimage.Convert(img))
		if err != nil {
			// A malformed item will never send; retrying it would block the shard.
			logging.Logger().Error("skip outbox item", "pk", img["pk"].String(), "error", err.Error())
			continue
		}
		if err := m.send(ctx, msg); err != nil {
			m.Metrics.Count(ctx, metrics.MailsFailed, 1)
			logging.Logger().Error("mail not sent", "mail_id", msg.ID, "kind", msg.Kind, "to", MaskEmail(msg.To), "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			return resp, nil
		}
	}
	return resp, nil
}

// refused reports whether SES refused a mail for what it is (InvalidParameterValue: a
// recipient it cannot send to) rather than for now. MessageRejected is not one: SES answers
// it for an unverified MailFrom or a sandboxed account too, which the operator fixes; those
// mails are retried and then parked in the failure queue (its alarm, `mail redrive`), not
// dropped.
func refused(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "InvalidParameterValue"
}

func (m *Mailer) send(ctx context.Context, msg *mail.Mail) error {
	st, err := m.Outbox.MailState(ctx, msg.ID, msg.To, user.MailCounter(msg.Kind, msg.To, m.now(), m.Limit).Key)
	if err != nil {
		return err
	}
	if !st.Pending {
		return nil // sent by an earlier attempt of this batch
	}
	if st.Suppressed != "" {
		return m.skip(ctx, msg, st.Suppressed)
	}
	// The counter holds this mail once the stream has counted it, so one more than the
	// limit may go out before that; a sign-up-and-delete loop cannot flood the address.
	if m.Limit > 0 && st.Count > int64(m.Limit) {
		return m.skip(ctx, msg, "rate_limited")
	}
	r, err := mail.Render(msg, m.From, m.AppName)
	if err != nil {
		logging.Logger().Error("skip outbox item", "mail_id", msg.ID, "error", err.Error())
		return m.Outbox.DeleteMail(ctx, msg.ID)
	}
	utf8 := aws.String("UTF-8")
	in := &ses.SendEmailInput{
		Source:      aws.String(r.From),
		Destination: &sestypes.Destination{ToAddresses: []string{r.To}},
		Message: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(r.Subject), Charset: utf8},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: aws.String(r.Text), Charset: utf8},
				Html: &sestypes.Content{Data: aws.String(r.HTML), Charset: utf8},
			},
		},
	}
	if m.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(m.ConfigurationSet)
	}
	if _, err = m.SES.SendEmail(ctx, in); refused(err) {
		// No retry will send it: setting the batch aside would hold up the mail behind it.
		m.Metrics.Count(ctx, metrics.MailsFailed, 1)
		logging.Logger().Error("mail refused by SES", "mail_id", msg.ID, "kind", msg.Kind, "to", MaskEmail(msg.To), "error", err.Error())
		return m.Outbox.DeleteMail(ctx, msg.ID)
	} else if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	m.Metrics.Count(ctx, metrics.MailsSent, 1)
	logging.Logger().Info("mail sent", "mail_id", msg.ID, "kind", msg.Kind, "to", MaskEmail(msg.To))
	return m.Outbox.DeleteMail(ctx, msg.ID)
}

// skip drops a mail to a marked address, recording it on the user whose address it is.
func (m *Mailer) skip(ctx context.Context, msg *mail.Mail, reason string) error {
	owner, err := m.Outbox.AddressOwner(ctx, msg.To)
	if err != nil {
		return err
	}
	var ev *user.Event
	if owner != "" {
		// The mail's id (time-ordered too) makes a retried skip record the same event.
		ev = &user.Event{ID: msg.ID, UserID: owner, Type: user.EventMailSuppressed, At: m.now(),
			Detail: map[string]string{"kind": msg.Kind, "reason": reason, "to": user.MaskEmail(msg.To)}}
	}
	if err := m.Outbox.SkipMail(ctx, msg.ID, ev); err != nil {
		return err
	}
	m.Metrics.Count(ctx, metrics.MailsSuppressed, 1)
	logging.Logger().Warn("mail suppressed", "mail_id", msg.ID, "kind", msg.Kind, "to", MaskEmail(msg.To), "reason", reason)
	return nil
}

// now is the time in UTC.
func (m *Mailer) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

// MaskEmail keeps an address recognizable in logs without revealing it: "a***@example.com".
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
