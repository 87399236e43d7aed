package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// Mail suppression: SUPPRESS#<address> / MAIL marks an address mail must not go to (SES
// reported a permanent bounce or a complaint); it has no expiry, an admin clears it.
const (
	prefixSuppress = "SUPPRESS#"
	skSuppress     = "MAIL"
	typeSuppress   = "mail_suppression"
)

// MailSuppression is why mail to an address is no longer sent.
type MailSuppression struct {
	Address    string    // normalized
	Reason     string    // "bounce" or "complaint"
	Detail     string    // the bounce subtype or the complaint's feedback type
	FeedbackID string    // SES's id of the report
	At         time.Time // when SES reported it
}

type suppressionItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	Type       string    `dynamodbav:"type"`
	Reason     string    `dynamodbav:"reason"`
	Detail     string    `dynamodbav:"detail,omitempty"`
	FeedbackID string    `dynamodbav:"feedback_id,omitempty"`
	At         time.Time `dynamodbav:"at"`
}

var _ user.MailSuppressions = (*Store)(nil)

func suppressionKey(address string) map[string]types.AttributeValue {
	return key(prefixSuppress+address, skSuppress)
}

// SuppressMail marks an address (one PutItem; a later report replaces an earlier one).
func (s *Store) SuppressMail(ctx context.Context, m MailSuppression) error {
	av, err := attributevalue.MarshalMap(suppressionItem{PK: prefixSuppress + m.Address, SK: skSuppress, Type: typeSuppress,
		Reason: m.Reason, Detail: m.Detail, FeedbackID: m.FeedbackID, At: m.At.UTC()})
	if err != nil {
		return fmt.Errorf("marshal suppression: %w", err)
	}
	s.calls.Add(1)
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: av}); err != nil {
		return fmt.Errorf("suppress mail: %w", err)
	}
	return nil
}

// MailState is what the mailer reads before sending an outbox item.
type MailState struct {
	// Pending: the item still waits to be sent.
	Pending bool
	// Suppressed is why the address is marked, "" when it is not.
	Suppressed string
	// Count is the value of the mail's counter (user.MailCounter), 0 when it has none.
	Count int64
}

// MailState reads, in one round trip, an outbox item's state, its address's mark and the
// counter named (its key, as user.Counter's).
func (s *Store) MailState(ctx context.Context, mailID, address, counter string) (MailState, error) {
	mk, sk, ck := key(prefixOutbox+mailID, skMail), suppressionKey(address), key(prefixLimit+counter, skLimit)
	got, err := s.batchGet(ctx, mk, sk, ck)
	if err != nil {
		return MailState{}, fmt.Errorf("mail %s: %w", mailID, err)
	}
	var st MailState
	_, st.Pending = got[id(mk)]
	if item, ok := got[id(sk)]; ok {
		st.Suppressed = str(item["reason"])
		if st.Suppressed == "" {
			st.Suppressed = "unknown"
		}
	}
	st.Count = count(got[id(ck)])
	return st, nil
}

// AddressOwner is the id of the user whose login (or reserved old login) address is, ""
// when none.
func (s *Store) AddressOwner(ctx context.Context, address string) (string, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: key(prefixEmail+address, skLock),
		ProjectionExpression: aws.String("id")})
	if err != nil {
		return "", fmt.Errorf("owner of an address: %w", err)
	}
	return str(out.Item["id"]), nil
}

// SkipMail deletes an outbox item that will not be sent, after recording ev (nil: none).
// Two writes, not a transaction, so the mailer needs no transaction's permissions: ev's id
// should be the mail's, so that a retry after a failed delete writes the same event again.
func (s *Store) SkipMail(ctx context.Context, mailID string, ev *user.Event) error {
	if ev != nil {
		av, err := marshalEvent(ev)
		if err != nil {
			return err
		}
		s.calls.Add(1)
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: av}); err != nil {
			return fmt.Errorf("record %s: %w", ev.Type, err)
		}
	}
	return s.DeleteMail(ctx, mailID)
}

// ClearMailSuppression removes the marks of addresses and, when there was one, records ev.
// It reports whether there was.
func (s *Store) ClearMailSuppression(ctx context.Context, addresses []string, ev *user.Event) (bool, error) {
	cleared := false
	for _, a := range addresses {
		s.calls.Add(1)
		out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.table, Key: suppressionKey(a),
			ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			return false, fmt.Errorf("clear suppression: %w", err)
		}
		cleared = cleared || len(out.Attributes) > 0
	}
	if !cleared || ev == nil {
		return cleared, nil
	}
	av, err := marshalEvent(ev)
	if err != nil {
		return true, err
	}
	s.calls.Add(1)
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: av}); err != nil {
		return true, fmt.Errorf("record %s: %w", ev.Type, err)
	}
	return true, nil
}
