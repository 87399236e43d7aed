// Package mailfeedback reads what SES reports of the mail it delivered — bounces and
// complaints, published by the stack's configuration set to an SNS topic — and marks the
// addresses that must get no more mail: a permanent bounce (the address does not exist) or
// a complaint (its owner called the mail spam). The mailer skips marked addresses; an
// admin clears a mark (DELETE /v1/users/{id}/mail-suppression).
package mailfeedback

import (
	"context"
	"encoding/json"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// Marks is what the handler needs of the table (pkg/store).
type Marks interface {
	SuppressMail(ctx context.Context, m store.MailSuppression) error
}

var _ Marks = (*store.Store)(nil)

// Handler marks the addresses of the bounces and complaints in SNS notifications.
type Handler struct {
	Marks   Marks
	Metrics *metrics.Recorder // nil: nothing counted
}

// Notification is the part of an SES event (configuration set event publishing, or an
// identity's feedback notification) the handler reads.
type Notification struct {
	EventType        string `json:"eventType"`        // configuration set events
	NotificationType string `json:"notificationType"` // identity notifications
	Bounce           *struct {
		BounceType        string      `json:"bounceType"`
		BounceSubType     string      `json:"bounceSubType"`
		BouncedRecipients []recipient `json:"bouncedRecipients"`
		Timestamp         time.Time   `json:"timestamp"`
		FeedbackID        string      `json:"feedbackId"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients  []recipient `json:"complainedRecipients"`
		ComplaintFeedbackType string      `json:"complaintFeedbackType"`
		Timestamp             time.Time   `json:"timestamp"`
		FeedbackID            string      `json:"feedbackId"`
	} `json:"complaint"`
}

type recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// Handle processes an SNS event. A notification it cannot read is logged and dropped (it
// will never read better); a mark that cannot be written fails the invocation, so Lambda
// tries the event again.
func (h *Handler) Handle(ctx context.Context, ev events.SNSEvent) error {
	for _, rec := range ev.Records {
		var n Notification
		if err := json.Unmarshal([]byte(rec.SNS.Message), &n); err != nil {
			logging.Logger().Error("mail feedback: not an SES notification", "message_id", rec.SNS.MessageID, "error", err.Error())
			continue
		}
		marks, metric := Suppressions(n)
		for _, m := range marks {
			if err := h.Marks.SuppressMail(ctx, m); err != nil {
				return fmt.Errorf("mark %s: %w", user.MaskEmail(m.Address), err)
			}
			h.Metrics.Count(ctx, metric, 1)
			logging.Logger().Warn("mail address suppressed", "to", user.MaskEmail(m.Address), "reason", m.Reason,
				"detail", m.Detail, "feedback_id", m.FeedbackID)
		}
	}
	return nil
}

// Suppressions is what a notification marks, and the metric that counts each mark: every
// recipient of a permanent bounce, and every recipient of a complaint (except a report
// that the mail is not spam). Transient and undetermined bounces mark nothing: the address
// may work tomorrow.
func Suppressions(n Notification) ([]store.MailSuppression, string) {
	typ := n.EventType
	if typ == "" {
		typ = n.NotificationType
	}
	var (
		out    []store.MailSuppression
		metric string
	)
	add := func(rs []recipient, reason, detail, feedback string, at time.Time) {
		for _, r := range rs {
			if a, ok := address(r.EmailAddress); ok {
				out = append(out, store.MailSuppression{Address: a, Reason: reason, Detail: detail, FeedbackID: feedback, At: at})
			}
		}
	}
	switch {
	case typ == "Bounce" && n.Bounce != nil && n.Bounce.BounceType == "Permanent":
		b := n.Bounce
		metric = metrics.MailBounces
		add(b.BouncedRecipients, "bounce", b.BounceSubType, b.FeedbackID, b.Timestamp)
	case typ == "Complaint" && n.Complaint != nil && n.Complaint.ComplaintFeedbackType != "not-spam":
		c := n.Complaint
		metric = metrics.MailComplaints
		add(c.ComplainedRecipients, "complaint", c.ComplaintFeedbackType, c.FeedbackID, c.Timestamp)
	}
	return out, metric
}

// address normalizes a reported recipient as the accounts store addresses, so the mark
// matches the mail's To: a bare address, or the address of "Name <address>".
func address(raw string) (string, bool) {
	if strings.ContainsRune(raw, '<') {
		if a, err := netmail.ParseAddress(raw); err == nil {
			raw = a.Address
		}
	}
	return user.NormalizeEmail(raw)
}
