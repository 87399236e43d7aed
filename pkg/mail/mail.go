// Package mail holds the outbox message, its localized templates (text and HTML parts) and
// the sender port. Requests write a Mail to the outbox; the mailer function renders and
// sends it, so no request ever waits on the mail service.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/userbase/userbase/pkg/i18n"
)

// Mail kinds.
const (
	KindVerifyEmail   = "verify_email"
	KindResetPassword = "reset_password"
)

// Mail is one message waiting in the outbox. It carries the code in clear because it must
// be mailed; the outbox item is deleted once sent and expires with the code.
type Mail struct {
	ID        string
	Kind      string
	To        string
	Lang      string
	Name      string // the recipient's name, may be empty
	Link      string // the link holding the code, when a URL was given or configured
	Code      string // the code alone, when there is no link
	ExpiresAt time.Time
}

// Message is a rendered mail.
type Message struct {
	From, To, Subject, Text, HTML string
}

// Render builds the localized message of m. app is the product name shown in the mail.
func Render(m *Mail, from, app string) (*Message, error) {
	t, ok := templates[m.Kind]
	if !ok {
		return nil, fmt.Errorf("mail: unknown kind %q", m.Kind)
	}
	lang := i18n.Pick(m.Lang, "")
	s, ok := t[lang]
	if !ok {
		s = t[i18n.English]
	}
	data := view{App: app, Name: m.Name, Link: m.Link, Code: m.Code, Dir: "ltr", Lang: string(lang)}
	if lang.RTL() {
		data.Dir = "rtl"
	}
	var text, html bytes.Buffer
	if err := texttemplate.Must(texttemplate.New("t").Parse(s.text)).Execute(&text, data); err != nil {
		return nil, fmt.Errorf("mail: text of %s: %w", m.Kind, err)
	}
	body := htmltemplate.Must(htmltemplate.New("h").Parse(s.html))
	page := htmltemplate.Must(layout.Clone())
	if _, err := page.AddParseTree("body", body.Tree); err != nil {
		return nil, err
	}
	if err := page.Execute(&html, data); err != nil {
		return nil, fmt.Errorf("mail: html of %s: %w", m.Kind, err)
	}
	return &Message{
		From:    from,
		To:      m.To,
		Subject: strings.ReplaceAll(s.subject, "{{app}}", app),
		Text:    text.String(),
		HTML:    html.String(),
	}, nil
}

type view struct {
	App, Name, Link, Code, Dir, Lang string
}

type strings3 struct{ subject, text, html string }

var layout = htmltemplate.Must(htmltemplate.New("layout").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><title>{{.App}}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto;padding:24px;text-align:start">
{{template "body" .}}
<p style="color:#666;font-size:12px">{{.App}}</p>
</body></html>`))
