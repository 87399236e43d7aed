package mail

import (
	netmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/userbase/userbase/pkg/i18n"
)

// kinds lists every kind with what its texts must show.
var kinds = []struct {
	kind    string
	code    bool // carries a code: shows Link when set, else Code on a line of its own
	address bool // a notice that shows Address
}{
	{KindVerifyEmail, true, false},
	{KindResetPassword, true, false},
	{KindEmailChangeCode, true, false},
	{KindEmailChangeNotice, false, true},
	{KindEmailChanged, false, true},
	{KindPasswordChanged, false, false},
	{KindMFAEnabled, false, false},
	{KindMFADisabled, false, false},
	{KindInvite, true, false},
	{KindAccountDeleted, false, false},
	{KindSignInCode, true, false},
}

var langs = []i18n.Lang{i18n.English, i18n.Persian, i18n.Russian}

func TestRender(t *testing.T) {
	tests := []struct {
		name     string
		m        Mail
		wantSubj string
		wantText []string
		wantHTML []string
	}{
		{"english link", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "en", Name: "Ann", Link: "https://app.example.com/c?code=abc&x=<y>"},
			"Confirm your email address for Userbase", []string{"Hello Ann", "https://app.example.com/c?code=abc&x=<y>"},
			[]string{`dir="ltr"`, `href="https://app.example.com/c?code=abc&amp;x=&lt;y&gt;"`}},
		{"persian code", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "fa", Code: "CODE123"},
			"نشانی ایمیل خود را برای Userbase تأیید کنید", []string{"CODE123"}, []string{`dir="rtl"`, `lang="fa"`, "CODE123"}},
		{"russian", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "ru", Code: "C"},
			"Подтвердите адрес электронной почты для Userbase", []string{"Здравствуйте!"}, []string{`lang="ru"`}},
		{"unknown language falls back", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "de", Code: "C"},
			"Confirm your email address for Userbase", nil, []string{`lang="en"`}},
		{"name is escaped", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "en", Name: "<script>", Code: "C"},
			"Confirm your email address for Userbase", nil, []string{"&lt;script&gt;"}},
		{"reset in russian", Mail{Kind: KindResetPassword, To: "a@x.io", Lang: "ru", Name: "Анна", Code: "R1"},
			"Сброс пароля в Userbase", []string{"Здравствуйте, Анна!", "\nR1\n", "Код действует один час"}, []string{"<code>R1</code>"}},
		{"notice shows the masked address", Mail{Kind: KindEmailChangeNotice, To: "old@x.io", Lang: "en", Address: "n***@example.com"},
			"Request to change your Userbase email address", []string{"to n***@example.com."}, []string{"<strong>n***@example.com</strong>"}},
		{"email changed: the code that undoes it", Mail{Kind: KindEmailChanged, To: "old@x.io", Lang: "en", Address: "n***@example.com", Code: "U1"},
			"Your Userbase email address was changed", []string{"undo it within 7 days", "\nU1\n"}, []string{"<code>U1</code>"}},
		{"email changed: the link that undoes it", Mail{Kind: KindEmailChanged, To: "old@x.io", Lang: "ru", Address: "n***@example.com", Link: "https://a.example/r?code=U2"},
			"Адрес электронной почты в Userbase изменён", []string{"https://a.example/r?code=U2"}, []string{`href="https://a.example/r?code=U2"`}},
		{"persian address reads left to right", Mail{Kind: KindEmailChanged, To: "old@x.io", Lang: "fa", Address: "n***@example.com"},
			"نشانی ایمیل حساب Userbase شما تغییر کرد", []string{"n***@example.com"}, []string{`<strong dir="ltr">n***@example.com</strong>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := Render(&tt.m, "no-reply@x.io", "Userbase")
			if err != nil {
				t.Fatal(err)
			}
			if msg.From != `"Userbase" <no-reply@x.io>` || msg.To != tt.m.To {
				t.Errorf("from %q to %q", msg.From, msg.To)
			}
			if msg.Subject != tt.wantSubj {
				t.Errorf("subject %q, want %q", msg.Subject, tt.wantSubj)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(msg.Text, w) {
					t.Errorf("text %q lacks %q", msg.Text, w)
				}
			}
			for _, w := range tt.wantHTML {
				if !strings.Contains(msg.HTML, w) {
					t.Errorf("html %q lacks %q", msg.HTML, w)
				}
			}
			if strings.Contains(msg.HTML, "<script>") {
				t.Error("html holds an unescaped name")
			}
		})
	}
}

// TestRenderEveryKind renders every kind in every language, with a link and with a code.
func TestRenderEveryKind(t *testing.T) {
	const (
		link    = "https://app.example.com/confirm?code=LINK0123456789"
		code    = "CODE0123456789"
		address = "n***@example.com"
		hostile = `<script>alert("x")</script>`
	)
	for _, k := range kinds {
		english, err := Render(&Mail{Kind: k.kind, Lang: "en"}, "", "Userbase")
		if err != nil {
			t.Fatalf("%s in English: %v", k.kind, err)
		}
		for _, lang := range langs {
			for _, withLink := range []bool{true, false} {
				name := k.kind + "/" + string(lang) + "/code"
				m := Mail{Kind: k.kind, To: "a@x.io", Lang: string(lang), Name: hostile, Address: address}
				if withLink {
					name = k.kind + "/" + string(lang) + "/link"
					m.Link = link
				} else {
					m.Code = code
				}
				t.Run(name, func(t *testing.T) {
					msg, err := Render(&m, "no-reply@x.io", "Userbase")
					if err != nil {
						t.Fatal(err)
					}
					if strings.TrimSpace(msg.Subject) == "" {
						t.Error("empty subject")
					}
					if strings.Contains(msg.Subject, "{{") || strings.Contains(msg.Text, "{{") || strings.Contains(msg.HTML, "{{") {
						t.Errorf("an action is left unrendered: %q", msg.Subject)
					}
					if !strings.Contains(msg.Subject, "Userbase") {
						t.Errorf("subject %q does not name the app", msg.Subject)
					}
					if lang != i18n.English && msg.Subject == english.Subject {
						t.Errorf("subject %q is the English one", msg.Subject)
					}
					if strings.TrimSpace(msg.Text) == "" || !strings.Contains(msg.HTML, "<p>") {
						t.Error("empty text or HTML part")
					}
					if !strings.Contains(msg.HTML, `lang="`+string(lang)+`"`) {
						t.Errorf("html lacks lang=%q", lang)
					}
					wantDir := `dir="ltr"`
					if lang == i18n.Persian {
						wantDir = `dir="rtl"`
					}
					if !strings.Contains(msg.HTML, "<html lang=\""+string(lang)+"\" "+wantDir) {
						t.Errorf("html lacks %s", wantDir)
					}
					if k.code {
						if withLink {
							if !strings.Contains(msg.Text, "\n"+link+"\n") {
								t.Errorf("text lacks the link on a line of its own:\n%s", msg.Text)
							}
							if !strings.Contains(msg.HTML, `href="`+link+`"`) {
								t.Errorf("html lacks the link:\n%s", msg.HTML)
							}
						} else {
							if !strings.Contains(msg.Text, "\n"+code+"\n") {
								t.Errorf("text lacks the code on a line of its own:\n%s", msg.Text)
							}
							if !strings.Contains(msg.HTML, "<code>"+code+"</code>") {
								t.Errorf("html lacks the code:\n%s", msg.HTML)
							}
							if strings.Contains(msg.HTML, "href=") {
								t.Errorf("html has a link though none was set:\n%s", msg.HTML)
							}
						}
					}
					if k.address != strings.Contains(msg.Text, address) || k.address != strings.Contains(msg.HTML, address) {
						t.Errorf("address shown in text %v, html %v; want %v",
							strings.Contains(msg.Text, address), strings.Contains(msg.HTML, address), k.address)
					}
					if strings.Contains(msg.HTML, "<script>") || !strings.Contains(msg.HTML, "&lt;script&gt;") {
						t.Errorf("html does not escape the name:\n%s", msg.HTML)
					}
					if !strings.Contains(msg.Text, hostile) {
						t.Errorf("text lacks the name as given:\n%s", msg.Text)
					}
				})
			}
		}
	}
}

func TestAddressIsEscaped(t *testing.T) {
	for _, kind := range []string{KindEmailChangeNotice, KindEmailChanged} {
		msg, err := Render(&Mail{Kind: kind, Lang: "en", Address: "<b>x</b>@example.com"}, "", "Userbase")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(msg.HTML, "<b>") || !strings.Contains(msg.HTML, "&lt;b&gt;x&lt;/b&gt;@example.com") {
			t.Errorf("%s: html does not escape the address:\n%s", kind, msg.HTML)
		}
	}
}

func TestEveryKindHasEveryLanguage(t *testing.T) {
	templates := templateTexts()
	if len(templates) != len(kinds) {
		t.Errorf("%d kinds have templates, %d are listed in this test", len(templates), len(kinds))
	}
	for _, k := range kinds {
		byLang, ok := templates[k.kind]
		if !ok {
			t.Errorf("%s has no templates", k.kind)
			continue
		}
		if len(byLang) != len(langs) {
			t.Errorf("%s has %d languages, want %d", k.kind, len(byLang), len(langs))
		}
		for _, lang := range langs {
			s, ok := byLang[lang]
			if !ok {
				t.Errorf("%s has no %s texts", k.kind, lang)
				continue
			}
			if s.subject == "" || s.text == "" || s.html == "" {
				t.Errorf("%s in %s: an empty subject, text or HTML part", k.kind, lang)
			}
		}
	}
}

func TestRenderUnknownKind(t *testing.T) {
	for _, kind := range []string{"nope", ""} {
		if _, err := Render(&Mail{Kind: kind, Lang: "en"}, "", ""); err == nil {
			t.Errorf("Render of kind %q: got nil error", kind)
		}
	}
}

// TestParsedOnce checks that Render reuses one parse and is safe to call concurrently.
func TestParsedOnce(t *testing.T) {
	a, err := parsed()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := parsed()
	if &a[KindVerifyEmail][i18n.English].text[0] != &b[KindVerifyEmail][i18n.English].text[0] {
		t.Error("templates were parsed twice")
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := kinds[i%len(kinds)]
			if _, err := Render(&Mail{Kind: k.kind, Lang: string(langs[i%len(langs)]), Code: "C"}, "", "Userbase"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkRender(b *testing.B) {
	m := &Mail{Kind: KindResetPassword, Lang: "fa", Name: "Ann", Link: "https://app.example.com/r?code=abc"}
	for b.Loop() {
		if _, err := Render(m, "no-reply@x.io", "Userbase"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFromHeader(t *testing.T) {
	for _, tt := range []struct{ app, want string }{
		{"Userbase", `"Userbase" <no-reply@x.io>`},
		{"Acme, Inc.", `"Acme, Inc." <no-reply@x.io>`},
		{`Say "hi"`, `"Say \"hi\"" <no-reply@x.io>`},
		{"Кабинет", "=?utf-8?q?=D0=9A=D0=B0=D0=B1=D0=B8=D0=BD=D0=B5=D1=82?= <no-reply@x.io>"},
		{"", "no-reply@x.io"},
	} {
		got := From(tt.app, "no-reply@x.io")
		if got != tt.want {
			t.Errorf("From(%q) = %q, want %q", tt.app, got, tt.want)
		}
		if _, err := netmail.ParseAddress(got); err != nil {
			t.Errorf("From(%q) = %q does not parse: %v", tt.app, got, err)
		}
	}
}
