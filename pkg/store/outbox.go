package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/user"
)

// mailItem is an outbox entry; the mailer reads it from the stream's new image.
type mailItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	ID        string `dynamodbav:"id"`
	Kind      string `dynamodbav:"kind"`
	To        string `dynamodbav:"to"`
	Lang      string `dynamodbav:"lang,omitempty"`
	Name      string `dynamodbav:"name,omitempty"`
	Link      string `dynamodbav:"link,omitempty"`
	Code      string `dynamodbav:"code,omitempty"`
	Address   string `dynamodbav:"address,omitempty"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func marshalMail(m *mail.Mail) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(mailItem{
		PK: prefixOutbox + m.ID, SK: skMail, Type: typeMail, ID: m.ID, Kind: m.Kind, To: m.To,
		Lang: m.Lang, Name: m.Name, Link: m.Link, Code: m.Code, Address: m.Address, ExpiresAt: m.ExpiresAt.Unix(),
	})
}

// UnmarshalMail reads an outbox item, as the mailer receives it from the stream.
func UnmarshalMail(av map[string]types.AttributeValue) (*mail.Mail, error) {
	var it mailItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal mail: %w", err)
	}
	if it.Type != typeMail || it.ID == "" || it.To == "" {
		return nil, fmt.Errorf("unmarshal mail: %s is not an outbox item", it.PK)
	}
	return &mail.Mail{ID: it.ID, Kind: it.Kind, To: it.To, Lang: it.Lang, Name: it.Name,
		Link: it.Link, Code: it.Code, Address: it.Address, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}

// DeleteMail removes a sent outbox item.
func (s *Store) DeleteMail(ctx context.Context, id string) error {
	s.calls.Add(1)
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.table, Key: key(prefixOutbox+id, skMail)}); err != nil {
		return fmt.Errorf("delete mail %s: %w", id, err)
	}
	return nil
}

// mails writes outbox items; the mailer sends them from the table's stream.
func (b *txBuilder) mails(tx *user.Tx) error {
	for _, m := range tx.Mails {
		av, err := marshalMail(m)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	return nil
}

// Requeue is what RequeueMail did with an outbox item.
type Requeue int

// RequeueMail's outcomes.
const (
	Requeued       Requeue = iota // written again under a new id, so the stream delivers it
	RequeueGone                   // no longer in the outbox: sent, or skipped, meanwhile
	RequeueExpired                // past its expiry: its code no longer works, so it stays unsent
)

// RequeueMail puts the outbox item id back on the table's stream, for a mail the mailer
// gave up on: a copy under newID (an INSERT, which the mailer's subscription takes), then
// the item itself deleted. A copy whose delete failed would be sent twice; a delete
// before the copy could lose the mail.
func (s *Store) RequeueMail(ctx context.Context, id, newID string, now time.Time) (Requeue, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: key(prefixOutbox+id, skMail), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, fmt.Errorf("get mail %s: %w", id, err)
	}
	if len(out.Item) == 0 {
		return RequeueGone, nil
	}
	m, err := UnmarshalMail(out.Item)
	if err != nil {
		return 0, err
	}
	if !m.ExpiresAt.After(now) {
		return RequeueExpired, nil
	}
	m.ID = newID
	av, err := marshalMail(m)
	if err != nil {
		return 0, err
	}
	s.calls.Add(1)
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: av, ConditionExpression: aws.String(condNew)}); err != nil {
		return 0, fmt.Errorf("requeue mail %s as %s: %w", id, newID, err)
	}
	return Requeued, s.DeleteMail(ctx, id)
}
