package mail

import "github.com/userbase/userbase/pkg/i18n"

// templates holds each kind of mail in each language: subject, text part, HTML part.
// {{.Link}} is set when the code goes out as a link, else {{.Code}}.
var templates = map[string]map[i18n.Lang]strings3{
	KindVerifyEmail: {
		i18n.English: {
			subject: "Confirm your email address for {{app}}",
			text: `Hello{{if .Name}} {{.Name}}{{end}},

Please confirm your email address for {{.App}}.
{{if .Link}}Open this link to confirm it:
{{.Link}}{{else}}Your confirmation code:

{{.Code}}
{{end}}
The code is valid for 24 hours and can be used once. If you did not sign up, ignore this mail.
`,
			html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Please confirm your email address for {{.App}}.</p>
{{if .Link}}<p><a href="{{.Link}}">Confirm my email address</a></p>{{else}}<p>Your confirmation code:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>The code is valid for 24 hours and can be used once. If you did not sign up, ignore this mail.</p>`,
		},
		i18n.Persian: {
			subject: "نشانی ایمیل خود را برای {{app}} تأیید کنید",
			text: `سلام{{if .Name}} {{.Name}}{{end}}،

لطفاً نشانی ایمیل خود را برای {{.App}} تأیید کنید.
{{if .Link}}برای تأیید این پیوند را باز کنید:
{{.Link}}{{else}}کد تأیید شما:

{{.Code}}
{{end}}
این کد ۲۴ ساعت اعتبار دارد و یک بار قابل استفاده است. اگر ثبت‌نام نکرده‌اید، این ایمیل را نادیده بگیرید.
`,
			html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>لطفاً نشانی ایمیل خود را برای {{.App}} تأیید کنید.</p>
{{if .Link}}<p><a href="{{.Link}}">تأیید نشانی ایمیل</a></p>{{else}}<p>کد تأیید شما:</p><p style="font-size:18px" dir="ltr"><code>{{.Code}}</code></p>{{end}}
<p>این کد ۲۴ ساعت اعتبار دارد و یک بار قابل استفاده است. اگر ثبت‌نام نکرده‌اید، این ایمیل را نادیده بگیرید.</p>`,
		},
		i18n.Russian: {
			subject: "Подтвердите адрес электронной почты для {{app}}",
			text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Подтвердите, пожалуйста, адрес электронной почты для {{.App}}.
{{if .Link}}Откройте ссылку, чтобы подтвердить его:
{{.Link}}{{else}}Ваш код подтверждения:

{{.Code}}
{{end}}
Код действует 24 часа и может быть использован один раз. Если вы не регистрировались, проигнорируйте это письмо.
`,
			html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Подтвердите, пожалуйста, адрес электронной почты для {{.App}}.</p>
{{if .Link}}<p><a href="{{.Link}}">Подтвердить адрес</a></p>{{else}}<p>Ваш код подтверждения:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>Код действует 24 часа и может быть использован один раз. Если вы не регистрировались, проигнорируйте это письмо.</p>`,
		},
	},
}
