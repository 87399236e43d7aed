package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

// A marked address: the mailer reads the mark with its outbox item in one round trip,
// finds the address's owner, skips the mail with an event; an admin clears the mark.
func TestMailSuppression(t *testing.T) {
	st := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	id, _ := auth.NewID()
	u := &user.User{ID: id, Email: "bounced@example.com", Role: user.RoleMember, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	m := &mail.Mail{ID: "mail-1", Kind: mail.KindResetPassword, To: u.Email, ExpiresAt: now.Add(time.Hour)}
	counter := user.MailCounter(m.Kind, u.Email, now, 5)
	if err := st.Apply(ctx, &user.Tx{Now: now, Create: u, Mails: []*mail.Mail{m}, Limits: []user.Counter{counter}}); err != nil {
		t.Fatal(err)
	}

	before := st.RoundTrips()
	ms, err := st.MailState(ctx, m.ID, u.Email, counter.Key)
	if err != nil || ms != (store.MailState{Pending: true, Count: 1}) {
		t.Fatalf("MailState before the mark: %+v %v, want pending, unmarked and counted once", ms, err)
	}
	if n := st.RoundTrips() - before; n != 1 {
		t.Errorf("MailState took %d round trips, want 1", n)
	}
	if err := st.SuppressMail(ctx, store.MailSuppression{Address: u.Email, Reason: "bounce", Detail: "General", FeedbackID: "f-1", At: now}); err != nil {
		t.Fatal(err)
	}
	if ms, _ = st.MailState(ctx, m.ID, u.Email, counter.Key); ms.Suppressed != "bounce" {
		t.Errorf("MailState after the mark: %q, want bounce", ms.Suppressed)
	}
	for addr, want := range map[string]string{u.Email: u.ID, "nobody@example.com": ""} {
		if got, err := st.AddressOwner(ctx, addr); err != nil || got != want {
			t.Errorf("AddressOwner(%s) = %q, %v; want %q", addr, got, err, want)
		}
	}
	ev := &user.Event{ID: "ev-1", UserID: u.ID, Type: user.EventMailSuppressed, At: now, Detail: map[string]string{"reason": "bounce"}}
	if err := st.SkipMail(ctx, m.ID, ev); err != nil {
		t.Fatal(err)
	}
	if ms, _ := st.MailState(ctx, m.ID, u.Email, counter.Key); ms.Pending {
		t.Error("the skipped mail is still pending")
	}
	if evs, _ := st.Events(ctx, u.ID); len(evs) != 1 || evs[0].Type != user.EventMailSuppressed {
		t.Errorf("events %+v, want the one mail_suppressed", evs)
	}

	cleared := &user.Event{ID: "ev-2", UserID: u.ID, Type: user.EventMailSuppressionCleared, At: now}
	if ok, err := st.ClearMailSuppression(ctx, []string{u.Email, "pending@example.com"}, cleared); err != nil || !ok {
		t.Fatalf("ClearMailSuppression: %v, %v; want a mark cleared", ok, err)
	}
	if ms, _ = st.MailState(ctx, m.ID, u.Email, counter.Key); ms.Suppressed != "" {
		t.Errorf("after clearing, marked %q", ms.Suppressed)
	}
	if ok, err := st.ClearMailSuppression(ctx, []string{u.Email}, cleared); err != nil || ok {
		t.Errorf("clearing again: %v, %v; want nothing cleared", ok, err)
	}
	if evs, _ := st.Events(ctx, u.ID); len(evs) != 2 {
		t.Errorf("%d events, want mail_suppressed and one mail_suppression_cleared", len(evs))
	}
}

// A mail the mailer gave up on goes back on the stream under a new id; one sent meanwhile
// or past its expiry does not.
func TestRequeueMail(t *testing.T) {
	st := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	live := &mail.Mail{ID: "mail-live", Kind: mail.KindVerifyEmail, To: "ann@example.com", Code: "c", ExpiresAt: now.Add(time.Hour)}
	old := &mail.Mail{ID: "mail-old", Kind: mail.KindResetPassword, To: "ann@example.com", Code: "c", ExpiresAt: now.Add(-time.Minute)}
	if err := st.Apply(ctx, &user.Tx{Now: now, Mails: []*mail.Mail{live, old}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id   string
		want store.Requeue
	}{{"mail-live", store.Requeued}, {"mail-live", store.RequeueGone}, {"mail-old", store.RequeueExpired}, {"nothing", store.RequeueGone}} {
		got, err := st.RequeueMail(ctx, tt.id, tt.id+"-again", now)
		if err != nil || got != tt.want {
			t.Errorf("RequeueMail(%s) = %v, %v; want %v", tt.id, got, err, tt.want)
		}
	}
	if ms, _ := st.MailState(ctx, "mail-live-again", "ann@example.com", "none"); !ms.Pending {
		t.Error("the requeued copy is not in the outbox")
	}
	if ms, _ := st.MailState(ctx, "mail-live", "ann@example.com", "none"); ms.Pending {
		t.Error("the original is still in the outbox")
	}
}
