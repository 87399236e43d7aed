package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Mail is one message the SES emulator received, as its GET /store lists it.
type Mail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	At int64 `json:"at"` // epoch seconds
}

// SentMail returns every mail the SES emulator holds, oldest first.
func (s *Stack) SentMail(ctx context.Context) ([]Mail, error) {
	var store struct {
		Emails []Mail `json:"emails"`
	}
	if err := s.sesCall(ctx, http.MethodGet, "/store", &store); err != nil {
		return nil, err
	}
	return store.Emails, nil
}

// ClearMail empties the SES emulator's store.
func (s *Stack) ClearMail(ctx context.Context) error {
	return s.sesCall(ctx, http.MethodPost, "/clear-store", nil)
}

func (s *Stack) sesCall(ctx context.Context, method, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.SESURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("ses emulator %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ses emulator %s: status %d", path, resp.StatusCode)
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(into)
}
