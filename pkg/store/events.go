package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

// eventTTL is how long security events are kept.
const eventTTL = 90 * 24 * time.Hour

type eventItem struct {
	PK        string            `dynamodbav:"pk"`
	SK        string            `dynamodbav:"sk"`
	Type      string            `dynamodbav:"type"`
	ID        string            `dynamodbav:"id"`
	UserID    string            `dynamodbav:"user_id"`
	EventType string            `dynamodbav:"event_type"`
	At        time.Time         `dynamodbav:"at"`
	IP        string            `dynamodbav:"ip,omitempty"`
	UserAgent string            `dynamodbav:"user_agent,omitempty"`
	Detail    map[string]string `dynamodbav:"detail,omitempty"`
	ExpiresAt int64             `dynamodbav:"expires_at"`
}

func marshalEvent(e *user.Event) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(eventItem{
		PK: prefixUser + e.UserID, SK: prefixEvent + e.ID, Type: typeEvent, ID: e.ID, UserID: e.UserID,
		EventType: e.Type, At: e.At, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail,
		ExpiresAt: e.At.Add(eventTTL).Unix(),
	})
}

func unmarshalEvent(av map[string]types.AttributeValue) (*user.Event, error) {
	var it eventItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal event: %w", err)
	}
	return &user.Event{ID: it.ID, UserID: it.UserID, Type: it.EventType, At: it.At, IP: it.IP,
		UserAgent: it.UserAgent, Detail: it.Detail}, nil
}

// Events lists a user's security events, newest first (event ids sort by time).
func (s *Store) Events(ctx context.Context, userID string) ([]*user.Event, error) {
	in := inPartition(userID, prefixEvent)
	in.ScanIndexForward = aws.Bool(false)
	out, err := collect(ctx, s, in, unmarshalEvent)
	if err != nil {
		return nil, fmt.Errorf("query events of %s: %w", userID, err)
	}
	return out, nil
}

// events writes security events.
func (b *txBuilder) events(tx *user.Tx) error {
	for _, e := range tx.Events {
		av, err := marshalEvent(e)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	return nil
}
