package mail

import (
	"strings"
	"testing"
)

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
			[]string{`dir="ltr"`, `href="https://app.example.com/c?code=abc&amp;x=%3cy%3e"`}},
		{"persian code", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "fa", Code: "CODE123"},
			"نشانی ایمیل خود را برای Userbase تأیید کنید", []string{"CODE123"}, []string{`dir="rtl"`, `lang="fa"`, "CODE123"}},
		{"russian", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "ru", Code: "C"},
			"Подтвердите адрес электронной почты для Userbase", []string{"Здравствуйте!"}, []string{`lang="ru"`}},
		{"unknown language falls back", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "de", Code: "C"},
			"Confirm your email address for Userbase", nil, []string{`lang="en"`}},
		{"name is escaped", Mail{Kind: KindVerifyEmail, To: "a@x.io", Lang: "en", Name: "<script>", Code: "C"},
			"Confirm your email address for Userbase", nil, []string{"&lt;script&gt;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := Render(&tt.m, "no-reply@x.io", "Userbase")
			if err != nil {
				t.Fatal(err)
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
	if _, err := Render(&Mail{Kind: "nope"}, "", ""); err == nil {
		t.Error("Render of an unknown kind: got nil error")
	}
}
