package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/user"
)

// emfPoints reads the metric values of the EMF lines fn wrote, as CloudWatch Logs would
// extract them; a line that claims to be EMF and is not fails the test.
func emfPoints(t *testing.T, fn string) []metrics.Point {
	t.Helper()
	var out []metrics.Point
	prefix := "[" + fn + "] "
	for _, line := range strings.Split(logs.String(), "\n") {
		body, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		ps, err := metrics.Parse([]byte(body))
		if err != nil {
			t.Errorf("%s wrote a bad EMF line: %v\n%s", fn, err, body)
		}
		out = append(out, ps...)
	}
	return out
}

// waitMetric polls fn's output until it holds metric name with the dimensions dims (in
// one of its dimension sets); the mailer writes its line a moment after SES has the mail.
func waitMetric(t *testing.T, fn, name string, dims map[string]string) metrics.Point {
	t.Helper()
	ns := "Userbase/" + samtemplate.LocalStackName
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, p := range emfPoints(t, fn) {
			if p.Name != name || p.Namespace != ns || p.Value < 1 {
				continue
			}
			for _, set := range p.Dimensions {
				match := len(set) == len(dims)
				for k, v := range dims {
					match = match && set[k] == v
				}
				if match {
					return p
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s wrote no %s %v metric in namespace %s within 30 s", fn, name, dims, ns)
		}
		time.Sleep(100 * time.Millisecond) // polling a process's output, not waiting out a race
	}
}

// The functions count what happens as CloudWatch metrics in their output: a sign-up, a
// sign-in by method, a failure, the access tokens, the mail sent.
func TestMetricsInFunctionOutput(t *testing.T) {
	email := newEmail("metrics")
	signUp(t, email, nil)
	token(t, login(t, email, password))
	want(t, login(t, email, "not the password at all"), http.StatusUnauthorized, "invalid_credentials")
	waitMail(t, email, nil)

	waitMetric(t, "AuthRegisterFunction", metrics.Registrations, map[string]string{})
	waitMetric(t, "AuthRegisterFunction", metrics.TokensMinted, map[string]string{})
	waitMetric(t, "AuthLoginFunction", metrics.SignIns, map[string]string{})
	waitMetric(t, "AuthLoginFunction", metrics.SignIns, map[string]string{metrics.MethodDimension: user.MethodPassword})
	waitMetric(t, "AuthLoginFunction", metrics.SignInFailures, map[string]string{})
	waitMetric(t, "MailerFunction", metrics.MailsSent, map[string]string{})
}

// bounceEvent is what SNS hands the mail-feedback function when SES reports a permanent
// bounce of a mail sent with the stack's configuration set.
func bounceEvent(t *testing.T, address string) []byte {
	t.Helper()
	msg := fmt.Sprintf(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
		"bouncedRecipients":[{"emailAddress":%q,"action":"failed","status":"5.1.1"}],
		"timestamp":%q,"feedbackId":"e2e-feedback"},"mail":{"messageId":"e2e-message"}}`, address, time.Now().UTC().Format(time.RFC3339))
	b, err := json.Marshal(events.SNSEvent{Records: []events.SNSEventRecord{{EventSource: "aws:sns", EventVersion: "1.0",
		SNS: events.SNSEntity{Type: "Notification", MessageID: "e2e-sns", TopicArn: "arn:aws:sns:us-east-1:123456789012:feedback", Message: msg}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventOf polls the user's security events for one of typ (the mailer records it from the
// stream, a moment after the request).
func eventOf(t *testing.T, tok, typ string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := do(t, req{method: "GET", path: "/v1/me/events", token: tok})
		want(t, r, http.StatusOK, "")
		for _, it := range r.JSON(t)["items"].([]any) {
			if e := it.(map[string]any); e["type"] == typ {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event within 30 s", typ)
		}
		time.Sleep(100 * time.Millisecond) // polling the stream's consumer, not waiting out a race
	}
}

// A permanent bounce, as SNS delivers it to the mail-feedback function, marks the address:
// the next mail to it is not sent and the user has a mail_suppressed event; once an admin
// clears the mark, mail goes out again.
func TestBounceStopsMailUntilAnAdminClearsIt(t *testing.T) {
	email := newEmail("bounce")
	tok, id := signUp(t, email, nil)
	waitMail(t, email, nil) // the verification mail went out before the bounce

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := stack.Invoke(ctx, "MailFeedbackFunction", bounceEvent(t, strings.ToUpper(email))); err != nil {
		t.Fatalf("invoke the mail-feedback function: %v", err)
	}
	waitMetric(t, "MailFeedbackFunction", metrics.MailBounces, map[string]string{})

	before := mailsTo(t, email)
	want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email}}), http.StatusAccepted, "")
	ev := eventOf(t, tok, user.EventMailSuppressed)
	detail := ev["detail"].(map[string]any)
	if detail["kind"] != mail.KindResetPassword || detail["reason"] != "bounce" || detail["to"] != user.MaskEmail(email) {
		t.Errorf("mail_suppressed detail %v, want the reset mail, bounce, the masked address", detail)
	}
	waitMetric(t, "MailerFunction", metrics.MailsSuppressed, map[string]string{})
	if n := mailsTo(t, email); n != before {
		t.Errorf("%d mails reached the bounced address after the bounce, want none", n-before)
	}

	admin := adminToken(t)
	r := do(t, req{method: "DELETE", path: "/v1/users/" + id + "/mail-suppression", token: admin})
	want(t, r, http.StatusOK, "")
	if r.JSON(t)["cleared"] != true {
		t.Errorf("clear answered %s, want cleared true", r.Body)
	}
	r = do(t, req{method: "DELETE", path: "/v1/users/" + id + "/mail-suppression", token: admin})
	want(t, r, http.StatusOK, "")
	if r.JSON(t)["cleared"] != false {
		t.Errorf("clearing again answered %s, want cleared false", r.Body)
	}
	want(t, do(t, req{method: "DELETE", path: "/v1/users/" + id + "/mail-suppression", token: tok}), http.StatusForbidden, "forbidden")

	want(t, do(t, req{method: "POST", path: "/v1/auth/password/forgot", body: map[string]string{"email": email}}), http.StatusAccepted, "")
	for deadline := time.Now().Add(30 * time.Second); mailsTo(t, email) == before; {
		if time.Now().After(deadline) {
			t.Fatal("no mail reached the address within 30 s of the mark cleared")
		}
		time.Sleep(100 * time.Millisecond) // polling the SES emulator
	}
	if e := eventOf(t, tok, user.EventMailSuppressionCleared); e["detail"].(map[string]any)["by"] == "" {
		t.Errorf("mail_suppression_cleared %v names no admin", e)
	}
}
