// Package mail holds the outbox message, its localized templates (text and HTML parts) and
// the sender port. Requests write a Mail to the outbox; the mailer function renders and
// sends it, so no request ever waits on the mail service.
package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/lazy"
)

// Mail kinds. Those marked "code" carry a code (Link or Code); those marked "notice" show
// Address.
const (
	KindVerifyEmail       = "verify_email"        // code: confirm the address of an account
	KindResetPassword     = "reset_password"      // code: a password reset was requested
	KindEmailChangeCode   = "email_change_code"   // code: to the new address of an email change
	KindEmailChangeNotice = "email_change_notice" // notice: to the old address, a change to Address was requested
	KindEmailChanged      = "email_changed"       // notice: to the old address, the email is now Address
	KindPasswordChanged   = "password_changed"    // the password was changed or reset
	KindMFAEnabled        = "mfa_enabled"         // two-step verification was turned on
	KindMFADisabled       = "mfa_disabled"        // two-step verification was turned off
	KindInvite            = "invite"              // code: an administrator created the account
	KindAccountDeleted    = "account_deleted"     // the account and its data were deleted
	KindSignInCode        = "sign_in_code"        // code: a one-time sign-in code, always as Code, also as Link when there is one
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
	Address   string // an address shown in a notice (the new one of an email change), already masked
	ExpiresAt time.Time
}

// Message is a rendered mail.
type Message struct {
	From, To, Subject, Text, HTML string
}

// Render builds the localized message of m. app is the product name shown in the mail and
// as the sender's display name. A language without texts falls back to English; an unknown
// kind is an error.
func Render(m *Mail, from, app string) (*Message, error) {
	all, err := parsed()
	if err != nil {
		return nil, err
	}
	t, ok := all[m.Kind]
	if !ok || m.Kind == "" { // "" holds the layout
		return nil, fmt.Errorf("mail: unknown kind %q", m.Kind)
	}
	lang := i18n.Pick(m.Lang, "")
	p, ok := t[lang]
	if !ok {
		lang = i18n.English
		if p, ok = t[lang]; !ok {
			return nil, fmt.Errorf("mail: no %s text of %s", lang, m.Kind)
		}
	}
	data := view{App: app, Name: m.Name, Link: m.Link, Code: m.Code, Address: m.Address,
		Dir: "ltr", Lang: string(lang)}
	if lang.RTL() {
		data.Dir = "rtl"
	}
	var text, body, html strings.Builder
	p.text.exec(&text, data.get, plain)
	p.html.exec(&body, data.get, escapeHTML)
	data.body = body.String()
	all[""][i18n.English].html.exec(&html, data.get, escapeHTML)
	return &Message{
		From:    From(app, from),
		To:      m.To,
		Subject: strings.ReplaceAll(p.subject, "{{app}}", app),
		Text:    text.String(),
		HTML:    html.String(),
	}, nil
}

// From is the From header of mail sent as address under the display name app, as RFC 5322
// writes it: quoted where the name needs it, RFC 2047-encoded where it is not ASCII.
func From(app, address string) string {
	if app == "" {
		return address
	}
	return (&netmail.Address{Name: app, Address: address}).String()
}

type view struct {
	App, Name, Link, Code, Address, Dir, Lang string
	body                                      string // the rendered HTML body, for the layout
}

// get is the value of a template field; the layout's {{.Body}} is already HTML.
func (v *view) get(name string) string {
	switch name {
	case "App":
		return v.App
	case "Name":
		return v.Name
	case "Link":
		return v.Link
	case "Code":
		return v.Code
	case "Address":
		return v.Address
	case "Undo":
		// Set when a notice carries a way to undo what it tells of (a link or a code).
		return v.Link + v.Code
	case "Dir":
		return v.Dir
	case "Lang":
		return v.Lang
	case "Body":
		return v.body
	}
	return ""
}

func knownField(name string) bool {
	switch name {
	case "App", "Name", "Link", "Code", "Address", "Undo", "Dir", "Lang":
		return true
	}
	return false
}

type strings3 struct{ subject, text, html string }

// compiled is one kind of mail in one language, ready to execute.
type compiled struct {
	subject    string
	text, html tmpl
}

// parsedMail is every template parsed, the layout under the kind "", or why not.
type parsedMail struct {
	all map[string]map[i18n.Lang]compiled
	err error
}

// parsedOnce parses every template once, on the first Render: not at package init, so a
// cold start of a function that never mails does not pay for it, and not on every Render.
var parsedOnce = lazy.Value[parsedMail]{New: func() parsedMail {
	all, err := parseAll()
	return parsedMail{all, err}
}}

func parsed() (map[string]map[i18n.Lang]compiled, error) {
	p := parsedOnce.Get()
	return p.all, p.err
}

func parseAll() (map[string]map[i18n.Lang]compiled, error) {
	templates := templateTexts()
	all := make(map[string]map[i18n.Lang]compiled, len(templates)+1)
	page, err := parseChecked("layout", layout)
	if err != nil {
		return nil, err
	}
	all[""] = map[i18n.Lang]compiled{i18n.English: {html: page}}
	for kind, langs := range templates {
		all[kind] = make(map[i18n.Lang]compiled, len(langs))
		for lang, s := range langs {
			name := kind + "." + string(lang)
			text, err := parseChecked(name, s.text)
			if err != nil {
				return nil, err
			}
			html, err := parseChecked(name, s.html)
			if err != nil {
				return nil, err
			}
			all[kind][lang] = compiled{subject: s.subject, text: text, html: html}
		}
	}
	return all, nil
}

func parseChecked(name, s string) (tmpl, error) {
	t, err := parseTmpl(s)
	if err == nil {
		err = t.fields(func(f string) bool { return knownField(f) || name == "layout" && f == "Body" })
	}
	if err != nil {
		return nil, fmt.Errorf("mail: %s: %w", name, err)
	}
	return t, nil
}

const layout = `<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><title>{{.App}}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto;padding:24px;text-align:start">
{{.Body}}
<p style="color:#666;font-size:12px">{{.App}}</p>
</body></html>`
