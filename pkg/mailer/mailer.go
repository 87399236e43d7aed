// Package mailer is the stream consumer that sends the outbox: for each new outbox item it
// renders the localized mail, sends it through SES and deletes the item.
package mailer

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/streamimage"
)

// Sender is the part of the SES client the mailer uses.
type Sender interface {
	SendEmail(context.Context, *ses.SendEmailInput, ...func(*ses.Options)) (*ses.SendEmailOutput, error)
}

// Outbox is what the mailer needs of the table.
type Outbox interface {
	MailPending(ctx context.Context, id string) (bool, error)
	DeleteMail(ctx context.Context, id string) error
}

// Mailer sends outbox mail.
type Mailer struct {
	SES     Sender
	Outbox  Outbox
	From    string
	AppName string
}

// Handle processes one batch of stream records in order. On a failure it returns an error,
// so Lambda retries the batch (bisecting it, then sending it to the failure queue); mail
// already sent is not sent twice, because its outbox item is gone.
func (m *Mailer) Handle(ctx context.Context, ev events.DynamoDBEvent) error {
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
			return fmt.Errorf("mail %s: %w", msg.ID, err)
		}
	}
	return nil
}

func (m *Mailer) send(ctx context.Context, msg *mail.Mail) error {
	pending, err := m.Outbox.MailPending(ctx, msg.ID)
	if err != nil {
		return err
	}
	if !pending {
		return nil // sent by an earlier attempt of this batch
	}
	r, err := mail.Render(msg, m.From, m.AppName)
	if err != nil {
		logging.Logger().Error("skip outbox item", "mail_id", msg.ID, "error", err.Error())
		return m.Outbox.DeleteMail(ctx, msg.ID)
	}
	utf8 := aws.String("UTF-8")
	_, err = m.SES.SendEmail(ctx, &ses.SendEmailInput{
		Source:      aws.String(r.From),
		Destination: &sestypes.Destination{ToAddresses: []string{r.To}},
		Message: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(r.Subject), Charset: utf8},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: aws.String(r.Text), Charset: utf8},
				Html: &sestypes.Content{Data: aws.String(r.HTML), Charset: utf8},
			},
		},
	})
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	logging.Logger().Info("mail sent", "mail_id", msg.ID, "kind", msg.Kind, "to", MaskEmail(msg.To))
	return m.Outbox.DeleteMail(ctx, msg.ID)
}

// MaskEmail keeps an address recognizable in logs without revealing it: "a***@example.com".
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
