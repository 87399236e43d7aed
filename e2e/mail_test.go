package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sentMail is one message as the SES emulator's /store lists it.
type sentMail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
}

// waitMail polls the emulator until a mail to address whose subject passes match arrives.
// The mail goes through the outbox, the stream and the mailer, so it comes a moment after
// the request.
func waitMail(t *testing.T, to string, match func(m sentMail) bool) sentMail {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(stack.SESURL + "/store")
		if err == nil {
			var store struct{ Emails []sentMail }
			err = json.NewDecoder(res.Body).Decode(&store)
			res.Body.Close()
			for _, m := range store.Emails {
				if err == nil && len(m.Destination.To) > 0 && strings.EqualFold(m.Destination.To[0], to) && (match == nil || match(m)) {
					return m
				}
			}
		}
		time.Sleep(100 * time.Millisecond) // polling an external emulator, not waiting out a race
	}
	t.Fatalf("no mail to %s arrived in 30 s", to)
	return sentMail{}
}

var codeInLink = regexp.MustCompile(`code=([A-Za-z0-9_%.-]+)`)

// linkCode extracts the code from a confirmation link in a mail's text.
func linkCode(t *testing.T, m sentMail) string {
	t.Helper()
	g := codeInLink.FindStringSubmatch(m.Body.Text)
	if g == nil {
		t.Fatalf("mail %q has no code link in %q", m.Subject, m.Body.Text)
	}
	return g[1]
}

// mailsTo counts the mails the emulator holds for address.
func mailsTo(t *testing.T, to string) int {
	t.Helper()
	res, err := http.Get(stack.SESURL + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var store struct{ Emails []sentMail }
	if err := json.NewDecoder(res.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range store.Emails {
		if len(m.Destination.To) > 0 && strings.EqualFold(m.Destination.To[0], to) {
			n++
		}
	}
	return n
}

// waitMails polls the emulator until n mails to address have arrived.
func waitMails(t *testing.T, to string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for mailsTo(t, to) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d mails to %s did not arrive in 30 s", n, to)
		}
		time.Sleep(100 * time.Millisecond) // polling an external emulator, not waiting out a race
	}
}

// pageCode returns the code of the link a mail carries to one of the stack's hosted pages
// (verify, reset, revert): the local stack's default URLs point at the pages on the origin
// passkeys work from, http://localhost:<API port>/account/<page>?code=…&lang=….
func pageCode(t *testing.T, m sentMail, page string) string {
	t.Helper()
	pages := strings.Replace(stack.APIURL, "127.0.0.1", "localhost", 1)
	re := regexp.MustCompile(regexp.QuoteMeta(pages+"/account/"+page+"?code=") + `([A-Za-z0-9_%.-]+)&lang=[a-z]{2}\b`)
	g := re.FindStringSubmatch(m.Body.Text)
	if g == nil {
		t.Fatalf("mail %q has no link to %s/account/%s?code=…&lang=…: %q", m.Subject, pages, page, m.Body.Text)
	}
	c, err := url.QueryUnescape(g[1])
	if err != nil {
		t.Fatal(err)
	}
	return c
}
