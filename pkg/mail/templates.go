package mail

//lint:file-ignore ST1018 Persian text is written with zero-width non-joiners (U+200C); escaping them would make it unreadable to its translators.

import "github.com/userbase/userbase/pkg/i18n"

// templateTexts holds each kind of mail in each language: subject, text part, HTML part.
// They are parsed once, on the first Render (see parsedOnce in mail.go).
//
// Subjects may hold {{app}}, replaced by the product name. Text and HTML parts are templates
// over view: in code-bearing kinds {{.Link}} is set when the code goes out as a link, else
// {{.Code}} stands alone on a line of its own; {{.Address}} is the (already masked) address a
// notice is about. The HTML part is the body of layout; Persian ones set dir="ltr" on codes and
// addresses so they read left to right inside right-to-left text. Persian texts use U+200C
// (zero-width non-joiner) where the orthography needs it, as in نمی‌شود.
func templateTexts() map[string]map[i18n.Lang]strings3 {
	return map[string]map[i18n.Lang]strings3{
		KindVerifyEmail: {
			i18n.English: {
				subject: "Confirm your email address for {{app}}",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

Please confirm your email address for {{.App}}.

{{if .Link}}Open this link to confirm it:

{{.Link}}
{{else}}Your confirmation code:

{{.Code}}
{{end}}
{{if .Link}}The link{{else}}The code{{end}} is valid for 24 hours and can be used once. If you did not sign up, ignore this mail.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Please confirm your email address for {{.App}}.</p>
{{if .Link}}<p><a href="{{.Link}}">Confirm my email address</a></p>{{else}}<p>Your confirmation code:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}The link{{else}}The code{{end}} is valid for 24 hours and can be used once. If you did not sign up, ignore this mail.</p>`,
			},
			i18n.Persian: {
				subject: "نشانی ایمیل خود را برای {{app}} تأیید کنید",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

لطفاً نشانی ایمیل خود را برای {{.App}} تأیید کنید.

{{if .Link}}برای تأیید، این پیوند را باز کنید:

{{.Link}}
{{else}}کد تأیید شما:

{{.Code}}
{{end}}
{{if .Link}}این پیوند{{else}}این کد{{end}} ۲۴ ساعت اعتبار دارد و یک بار قابل استفاده است. اگر ثبت‌نام نکرده‌اید، این ایمیل را نادیده بگیرید.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>لطفاً نشانی ایمیل خود را برای {{.App}} تأیید کنید.</p>
{{if .Link}}<p><a href="{{.Link}}">تأیید نشانی ایمیل</a></p>{{else}}<p>کد تأیید شما:</p><p style="font-size:18px" dir="ltr"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}این پیوند{{else}}این کد{{end}} ۲۴ ساعت اعتبار دارد و یک بار قابل استفاده است. اگر ثبت‌نام نکرده‌اید، این ایمیل را نادیده بگیرید.</p>`,
			},
			i18n.Russian: {
				subject: "Подтвердите адрес электронной почты для {{app}}",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Подтвердите, пожалуйста, адрес электронной почты для {{.App}}.

{{if .Link}}Откройте ссылку, чтобы подтвердить его:

{{.Link}}
{{else}}Ваш код подтверждения:

{{.Code}}
{{end}}
{{if .Link}}Ссылка действует 24 часа и может быть использована один раз.{{else}}Код действует 24 часа и может быть использован один раз.{{end}} Если вы не регистрировались, проигнорируйте это письмо.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Подтвердите, пожалуйста, адрес электронной почты для {{.App}}.</p>
{{if .Link}}<p><a href="{{.Link}}">Подтвердить адрес</a></p>{{else}}<p>Ваш код подтверждения:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}Ссылка действует 24 часа и может быть использована один раз.{{else}}Код действует 24 часа и может быть использован один раз.{{end}} Если вы не регистрировались, проигнорируйте это письмо.</p>`,
			},
		},
		KindResetPassword: {
			i18n.English: {
				subject: "Reset your {{app}} password",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

We received a request to reset the password of your {{.App}} account.

{{if .Link}}Open this link to choose a new password:

{{.Link}}
{{else}}Your password reset code:

{{.Code}}
{{end}}
{{if .Link}}The link{{else}}The code{{end}} is valid for 1 hour and can be used once. If you did not ask for this, ignore this mail — your password has not been changed.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>We received a request to reset the password of your {{.App}} account.</p>
{{if .Link}}<p><a href="{{.Link}}">Choose a new password</a></p>{{else}}<p>Your password reset code:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}The link{{else}}The code{{end}} is valid for 1 hour and can be used once. If you did not ask for this, ignore this mail — your password has not been changed.</p>`,
			},
			i18n.Persian: {
				subject: "بازنشانی گذرواژهٔ {{app}}",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

درخواستی برای بازنشانی گذرواژهٔ حساب {{.App}} شما دریافت کردیم.

{{if .Link}}برای انتخاب گذرواژهٔ جدید، این پیوند را باز کنید:

{{.Link}}
{{else}}کد بازنشانی گذرواژهٔ شما:

{{.Code}}
{{end}}
{{if .Link}}این پیوند{{else}}این کد{{end}} یک ساعت اعتبار دارد و فقط یک بار قابل استفاده است. اگر چنین درخواستی نداده‌اید، این ایمیل را نادیده بگیرید؛ گذرواژهٔ شما تغییری نکرده است.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>درخواستی برای بازنشانی گذرواژهٔ حساب {{.App}} شما دریافت کردیم.</p>
{{if .Link}}<p><a href="{{.Link}}">انتخاب گذرواژهٔ جدید</a></p>{{else}}<p>کد بازنشانی گذرواژهٔ شما:</p><p style="font-size:18px" dir="ltr"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}این پیوند{{else}}این کد{{end}} یک ساعت اعتبار دارد و فقط یک بار قابل استفاده است. اگر چنین درخواستی نداده‌اید، این ایمیل را نادیده بگیرید؛ گذرواژهٔ شما تغییری نکرده است.</p>`,
			},
			i18n.Russian: {
				subject: "Сброс пароля в {{app}}",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Мы получили запрос на сброс пароля вашей учётной записи в {{.App}}.

{{if .Link}}Чтобы задать новый пароль, откройте ссылку:

{{.Link}}
{{else}}Ваш код для сброса пароля:

{{.Code}}
{{end}}
{{if .Link}}Ссылка действует один час и может быть использована только один раз.{{else}}Код действует один час и может быть использован только один раз.{{end}} Если вы не запрашивали сброс пароля, просто проигнорируйте это письмо — ваш пароль остался прежним.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Мы получили запрос на сброс пароля вашей учётной записи в {{.App}}.</p>
{{if .Link}}<p><a href="{{.Link}}">Задать новый пароль</a></p>{{else}}<p>Ваш код для сброса пароля:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}Ссылка действует один час и может быть использована только один раз.{{else}}Код действует один час и может быть использован только один раз.{{end}} Если вы не запрашивали сброс пароля, просто проигнорируйте это письмо — ваш пароль остался прежним.</p>`,
			},
		},
		KindEmailChangeCode: {
			i18n.English: {
				subject: "Confirm your new email address for {{app}}",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

Please confirm this address to make it the email address of your {{.App}} account.

{{if .Link}}Open this link to confirm it:

{{.Link}}
{{else}}Your confirmation code:

{{.Code}}
{{end}}
{{if .Link}}The link{{else}}The code{{end}} is valid for 24 hours and can be used once. If you did not ask for this, ignore this mail — this address will not be added to any account.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Please confirm this address to make it the email address of your {{.App}} account.</p>
{{if .Link}}<p><a href="{{.Link}}">Confirm my new email address</a></p>{{else}}<p>Your confirmation code:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}The link{{else}}The code{{end}} is valid for 24 hours and can be used once. If you did not ask for this, ignore this mail — this address will not be added to any account.</p>`,
			},
			i18n.Persian: {
				subject: "نشانی ایمیل جدید خود را برای {{app}} تأیید کنید",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

لطفاً این نشانی را تأیید کنید تا به‌عنوان نشانی ایمیل حساب {{.App}} شما ثبت شود.

{{if .Link}}برای تأیید، این پیوند را باز کنید:

{{.Link}}
{{else}}کد تأیید شما:

{{.Code}}
{{end}}
{{if .Link}}این پیوند{{else}}این کد{{end}} ۲۴ ساعت اعتبار دارد و فقط یک بار قابل استفاده است. اگر چنین درخواستی نداده‌اید، این ایمیل را نادیده بگیرید؛ این نشانی به هیچ حسابی افزوده نمی‌شود.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>لطفاً این نشانی را تأیید کنید تا به‌عنوان نشانی ایمیل حساب {{.App}} شما ثبت شود.</p>
{{if .Link}}<p><a href="{{.Link}}">تأیید نشانی ایمیل جدید</a></p>{{else}}<p>کد تأیید شما:</p><p style="font-size:18px" dir="ltr"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}این پیوند{{else}}این کد{{end}} ۲۴ ساعت اعتبار دارد و فقط یک بار قابل استفاده است. اگر چنین درخواستی نداده‌اید، این ایمیل را نادیده بگیرید؛ این نشانی به هیچ حسابی افزوده نمی‌شود.</p>`,
			},
			i18n.Russian: {
				subject: "Подтвердите новый адрес электронной почты для {{app}}",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Подтвердите, пожалуйста, этот адрес, чтобы он стал адресом электронной почты вашей учётной записи в {{.App}}.

{{if .Link}}Чтобы подтвердить его, откройте ссылку:

{{.Link}}
{{else}}Ваш код подтверждения:

{{.Code}}
{{end}}
{{if .Link}}Ссылка действует 24 часа и может быть использована только один раз.{{else}}Код действует 24 часа и может быть использован только один раз.{{end}} Если вы этого не запрашивали, проигнорируйте это письмо — адрес не будет привязан ни к одной учётной записи.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Подтвердите, пожалуйста, этот адрес, чтобы он стал адресом электронной почты вашей учётной записи в {{.App}}.</p>
{{if .Link}}<p><a href="{{.Link}}">Подтвердить новый адрес</a></p>{{else}}<p>Ваш код подтверждения:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}Ссылка действует 24 часа и может быть использована только один раз.{{else}}Код действует 24 часа и может быть использован только один раз.{{end}} Если вы этого не запрашивали, проигнорируйте это письмо — адрес не будет привязан ни к одной учётной записи.</p>`,
			},
		},
		KindEmailChangeNotice: {
			i18n.English: {
				subject: "Request to change your {{app}} email address",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

We received a request to change the email address of your {{.App}} account to {{.Address}}. The change takes effect only once it is confirmed from the new address; until then, your account keeps this address.

If this was not you, change your password now.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>We received a request to change the email address of your {{.App}} account to <strong>{{.Address}}</strong>. The change takes effect only once it is confirmed from the new address; until then, your account keeps this address.</p>
<p>If this was not you, change your password now.</p>`,
			},
			i18n.Persian: {
				subject: "درخواست تغییر نشانی ایمیل حساب {{app}}",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

درخواستی برای تغییر نشانی ایمیل حساب {{.App}} شما به {{.Address}} دریافت کردیم. این تغییر فقط پس از تأیید از طریق نشانی جدید انجام می‌شود و تا آن زمان، همین نشانی ایمیل حساب شما باقی می‌ماند.

اگر این درخواست را شما نداده‌اید، همین حالا گذرواژهٔ خود را تغییر دهید.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>درخواستی برای تغییر نشانی ایمیل حساب {{.App}} شما به <strong dir="ltr">{{.Address}}</strong> دریافت کردیم. این تغییر فقط پس از تأیید از طریق نشانی جدید انجام می‌شود و تا آن زمان، همین نشانی ایمیل حساب شما باقی می‌ماند.</p>
<p>اگر این درخواست را شما نداده‌اید، همین حالا گذرواژهٔ خود را تغییر دهید.</p>`,
			},
			i18n.Russian: {
				subject: "Запрос на смену адреса электронной почты в {{app}}",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Мы получили запрос на смену адреса электронной почты вашей учётной записи в {{.App}} на {{.Address}}. Изменение вступит в силу только после подтверждения с нового адреса, а до тех пор за учётной записью остаётся этот адрес.

Если это были не вы, немедленно смените пароль.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Мы получили запрос на смену адреса электронной почты вашей учётной записи в {{.App}} на <strong>{{.Address}}</strong>. Изменение вступит в силу только после подтверждения с нового адреса, а до тех пор за учётной записью остаётся этот адрес.</p>
<p>Если это были не вы, немедленно смените пароль.</p>`,
			},
		},
		KindEmailChanged: {
			i18n.English: {
				subject: "Your {{app}} email address was changed",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

The email address of your {{.App}} account is now {{.Address}}. Mail about your account will no longer be sent to this address.
{{if .Undo}}
If you did not make this change, undo it within 7 days: this restores this address and signs every session out.
{{if .Link}}
{{.Link}}
{{else}}
Your code to undo the change:

{{.Code}}
{{end}}{{end}}`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>The email address of your {{.App}} account is now <strong>{{.Address}}</strong>. Mail about your account will no longer be sent to this address.</p>
{{if .Undo}}<p>If you did not make this change, undo it within 7 days: this restores this address and signs every session out.</p>
{{if .Link}}<p><a href="{{.Link}}">Undo the change</a></p>{{else}}<p>Your code to undo the change:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}{{end}}`,
			},
			i18n.Persian: {
				subject: "نشانی ایمیل حساب {{app}} شما تغییر کرد",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

نشانی ایمیل حساب {{.App}} شما اکنون {{.Address}} است. از این پس ایمیل‌های مربوط به حساب شما به این نشانی فرستاده نمی‌شود.
{{if .Undo}}
اگر این تغییر کار شما نبوده، تا ۷ روز آن را برگردانید: این نشانی بازمی‌گردد و همهٔ نشست‌ها خارج می‌شوند.
{{if .Link}}
{{.Link}}
{{else}}
کد برگرداندن تغییر:

{{.Code}}
{{end}}{{end}}`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>نشانی ایمیل حساب {{.App}} شما اکنون <strong dir="ltr">{{.Address}}</strong> است. از این پس ایمیل‌های مربوط به حساب شما به این نشانی فرستاده نمی‌شود.</p>
{{if .Undo}}<p>اگر این تغییر کار شما نبوده، تا ۷ روز آن را برگردانید: این نشانی بازمی‌گردد و همهٔ نشست‌ها خارج می‌شوند.</p>
{{if .Link}}<p><a href="{{.Link}}">برگرداندن تغییر</a></p>{{else}}<p>کد برگرداندن تغییر:</p><p style="font-size:18px" dir="ltr"><code>{{.Code}}</code></p>{{end}}{{end}}`,
			},
			i18n.Russian: {
				subject: "Адрес электронной почты в {{app}} изменён",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Адрес электронной почты вашей учётной записи в {{.App}} изменён на {{.Address}}. Письма об учётной записи больше не будут приходить на этот адрес.
{{if .Undo}}
Если это сделали не вы, отмените изменение в течение 7 дней: этот адрес вернётся, а все сеансы будут завершены.
{{if .Link}}
{{.Link}}
{{else}}
Код для отмены изменения:

{{.Code}}
{{end}}{{end}}`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Адрес электронной почты вашей учётной записи в {{.App}} изменён на <strong>{{.Address}}</strong>. Письма об учётной записи больше не будут приходить на этот адрес.</p>
{{if .Undo}}<p>Если это сделали не вы, отмените изменение в течение 7 дней: этот адрес вернётся, а все сеансы будут завершены.</p>
{{if .Link}}<p><a href="{{.Link}}">Отменить изменение</a></p>{{else}}<p>Код для отмены изменения:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}{{end}}`,
			},
		},
		KindPasswordChanged: {
			i18n.English: {
				subject: "Your {{app}} password was changed",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

The password of your {{.App}} account was changed. For your security, all other sessions were signed out.

If this was not you, reset your password at once.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>The password of your {{.App}} account was changed. For your security, all other sessions were signed out.</p>
<p>If this was not you, reset your password at once.</p>`,
			},
			i18n.Persian: {
				subject: "گذرواژهٔ حساب {{app}} شما تغییر کرد",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

گذرواژهٔ حساب {{.App}} شما تغییر کرد. برای حفظ امنیت حساب، از همهٔ نشست‌های دیگر خارج شدید.

اگر این کار را شما انجام نداده‌اید، فوراً گذرواژهٔ خود را بازنشانی کنید.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>گذرواژهٔ حساب {{.App}} شما تغییر کرد. برای حفظ امنیت حساب، از همهٔ نشست‌های دیگر خارج شدید.</p>
<p>اگر این کار را شما انجام نداده‌اید، فوراً گذرواژهٔ خود را بازنشانی کنید.</p>`,
			},
			i18n.Russian: {
				subject: "Пароль в {{app}} изменён",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Пароль вашей учётной записи в {{.App}} был изменён. В целях безопасности выполнен выход из всех остальных сеансов.

Если это были не вы, немедленно сбросьте пароль.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Пароль вашей учётной записи в {{.App}} был изменён. В целях безопасности выполнен выход из всех остальных сеансов.</p>
<p>Если это были не вы, немедленно сбросьте пароль.</p>`,
			},
		},
		KindMFAEnabled: {
			i18n.English: {
				subject: "Two-step verification is on for your {{app}} account",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

Two-step verification was turned on for your {{.App}} account. From now on, after your password you will be asked for a code from your authenticator app or one of your recovery codes. Keep your recovery codes in a safe place.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Two-step verification was turned on for your {{.App}} account. From now on, after your password you will be asked for a code from your authenticator app or one of your recovery codes. Keep your recovery codes in a safe place.</p>`,
			},
			i18n.Persian: {
				subject: "تأیید دومرحله‌ای برای حساب {{app}} شما فعال شد",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

تأیید دومرحله‌ای برای حساب {{.App}} شما فعال شد. از این پس هنگام ورود، پس از گذرواژه باید کدی از برنامهٔ احراز هویت یا یکی از کدهای بازیابی خود را وارد کنید. کدهای بازیابی را در جای امنی نگه دارید.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>تأیید دومرحله‌ای برای حساب {{.App}} شما فعال شد. از این پس هنگام ورود، پس از گذرواژه باید کدی از برنامهٔ احراز هویت یا یکی از کدهای بازیابی خود را وارد کنید. کدهای بازیابی را در جای امنی نگه دارید.</p>`,
			},
			i18n.Russian: {
				subject: "Двухэтапная аутентификация в {{app}} включена",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Для вашей учётной записи в {{.App}} включена двухэтапная аутентификация. Теперь при входе после пароля нужно будет ввести код из приложения-аутентификатора или один из резервных кодов. Храните резервные коды в надёжном месте.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Для вашей учётной записи в {{.App}} включена двухэтапная аутентификация. Теперь при входе после пароля нужно будет ввести код из приложения-аутентификатора или один из резервных кодов. Храните резервные коды в надёжном месте.</p>`,
			},
		},
		KindMFADisabled: {
			i18n.English: {
				subject: "Two-step verification is off for your {{app}} account",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

Two-step verification was turned off for your {{.App}} account. From now on, your password alone is enough to sign in.

If this was not you, reset your password at once.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Two-step verification was turned off for your {{.App}} account. From now on, your password alone is enough to sign in.</p>
<p>If this was not you, reset your password at once.</p>`,
			},
			i18n.Persian: {
				subject: "تأیید دومرحله‌ای برای حساب {{app}} شما غیرفعال شد",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

تأیید دومرحله‌ای برای حساب {{.App}} شما غیرفعال شد. از این پس برای ورود، گذرواژه به‌تنهایی کافی است.

اگر این کار را شما انجام نداده‌اید، فوراً گذرواژهٔ خود را بازنشانی کنید.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>تأیید دومرحله‌ای برای حساب {{.App}} شما غیرفعال شد. از این پس برای ورود، گذرواژه به‌تنهایی کافی است.</p>
<p>اگر این کار را شما انجام نداده‌اید، فوراً گذرواژهٔ خود را بازنشانی کنید.</p>`,
			},
			i18n.Russian: {
				subject: "Двухэтапная аутентификация в {{app}} отключена",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Для вашей учётной записи в {{.App}} отключена двухэтапная аутентификация. Теперь для входа достаточно одного пароля.

Если это были не вы, немедленно сбросьте пароль.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Для вашей учётной записи в {{.App}} отключена двухэтапная аутентификация. Теперь для входа достаточно одного пароля.</p>
<p>Если это были не вы, немедленно сбросьте пароль.</p>`,
			},
		},
		KindInvite: {
			i18n.English: {
				subject: "An account was created for you at {{app}}",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

An administrator has created an account for you at {{.App}}. Please confirm your email address to start using it.

{{if .Link}}Open this link to confirm it:

{{.Link}}
{{else}}Your confirmation code:

{{.Code}}
{{end}}
{{if .Link}}The link{{else}}The code{{end}} is valid for 24 hours and can be used once. If you were not expecting this mail, you can ignore it.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>An administrator has created an account for you at {{.App}}. Please confirm your email address to start using it.</p>
{{if .Link}}<p><a href="{{.Link}}">Confirm my email address</a></p>{{else}}<p>Your confirmation code:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}The link{{else}}The code{{end}} is valid for 24 hours and can be used once. If you were not expecting this mail, you can ignore it.</p>`,
			},
			i18n.Persian: {
				subject: "حساب کاربری شما در {{app}} ساخته شد",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

یکی از مدیران {{.App}} برای شما حساب کاربری ساخته است. برای شروع استفاده، لطفاً نشانی ایمیل خود را تأیید کنید.

{{if .Link}}برای تأیید، این پیوند را باز کنید:

{{.Link}}
{{else}}کد تأیید شما:

{{.Code}}
{{end}}
{{if .Link}}این پیوند{{else}}این کد{{end}} ۲۴ ساعت اعتبار دارد و فقط یک بار قابل استفاده است. اگر انتظار این ایمیل را نداشتید، می‌توانید آن را نادیده بگیرید.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>یکی از مدیران {{.App}} برای شما حساب کاربری ساخته است. برای شروع استفاده، لطفاً نشانی ایمیل خود را تأیید کنید.</p>
{{if .Link}}<p><a href="{{.Link}}">تأیید نشانی ایمیل</a></p>{{else}}<p>کد تأیید شما:</p><p style="font-size:18px" dir="ltr"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}این پیوند{{else}}این کد{{end}} ۲۴ ساعت اعتبار دارد و فقط یک بار قابل استفاده است. اگر انتظار این ایمیل را نداشتید، می‌توانید آن را نادیده بگیرید.</p>`,
			},
			i18n.Russian: {
				subject: "Для вас создана учётная запись в {{app}}",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Администратор создал для вас учётную запись в {{.App}}. Чтобы начать ею пользоваться, подтвердите, пожалуйста, адрес электронной почты.

{{if .Link}}Чтобы подтвердить его, откройте ссылку:

{{.Link}}
{{else}}Ваш код подтверждения:

{{.Code}}
{{end}}
{{if .Link}}Ссылка действует 24 часа и может быть использована только один раз.{{else}}Код действует 24 часа и может быть использован только один раз.{{end}} Если вы не ожидали этого письма, просто проигнорируйте его.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Администратор создал для вас учётную запись в {{.App}}. Чтобы начать ею пользоваться, подтвердите, пожалуйста, адрес электронной почты.</p>
{{if .Link}}<p><a href="{{.Link}}">Подтвердить адрес</a></p>{{else}}<p>Ваш код подтверждения:</p><p style="font-size:18px"><code>{{.Code}}</code></p>{{end}}
<p>{{if .Link}}Ссылка действует 24 часа и может быть использована только один раз.{{else}}Код действует 24 часа и может быть использован только один раз.{{end}} Если вы не ожидали этого письма, просто проигнорируйте его.</p>`,
			},
		},
		KindSignInCode: {
			i18n.English: {
				subject: "Your {{app}} sign-in code",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

Someone asked to sign in to {{.App}} with this email address.
{{if .Code}}
Your sign-in code:

{{.Code}}
{{end}}{{if .Link}}
Open this link to sign in:

{{.Link}}
{{end}}
It is valid for 10 minutes and can be used once. Never give it to anyone. If you did not ask to sign in, ignore this mail: nobody can sign in without it.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Someone asked to sign in to {{.App}} with this email address.</p>
{{if .Code}}<p>Your sign-in code:</p><p style="font-size:22px;letter-spacing:2px"><code>{{.Code}}</code></p>{{end}}
{{if .Link}}<p><a href="{{.Link}}">Sign in to {{.App}}</a></p>{{end}}
<p>It is valid for 10 minutes and can be used once. Never give it to anyone. If you did not ask to sign in, ignore this mail: nobody can sign in without it.</p>`,
			},
			i18n.Persian: {
				subject: "کد ورود شما به {{app}}",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

کسی خواسته است با این نشانی ایمیل به {{.App}} وارد شود.
{{if .Code}}
کد ورود شما:

{{.Code}}
{{end}}{{if .Link}}
برای ورود، این پیوند را باز کنید:

{{.Link}}
{{end}}
این کد ۱۰ دقیقه اعتبار دارد و فقط یک بار قابل استفاده است. آن را به هیچ‌کس ندهید. اگر شما درخواست ورود نداده‌اید، این ایمیل را نادیده بگیرید: بدون آن کسی نمی‌تواند وارد شود.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>کسی خواسته است با این نشانی ایمیل به {{.App}} وارد شود.</p>
{{if .Code}}<p>کد ورود شما:</p><p style="font-size:22px;letter-spacing:2px" dir="ltr"><code>{{.Code}}</code></p>{{end}}
{{if .Link}}<p><a href="{{.Link}}">ورود به {{.App}}</a></p>{{end}}
<p>این کد ۱۰ دقیقه اعتبار دارد و فقط یک بار قابل استفاده است. آن را به هیچ‌کس ندهید. اگر شما درخواست ورود نداده‌اید، این ایمیل را نادیده بگیرید: بدون آن کسی نمی‌تواند وارد شود.</p>`,
			},
			i18n.Russian: {
				subject: "Ваш код для входа в {{app}}",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Кто-то запросил вход в {{.App}} с этим адресом электронной почты.
{{if .Code}}
Ваш код для входа:

{{.Code}}
{{end}}{{if .Link}}
Чтобы войти, откройте ссылку:

{{.Link}}
{{end}}
Код действует 10 минут и может быть использован один раз. Никому его не сообщайте. Если вы не запрашивали вход, проигнорируйте это письмо: без кода войти нельзя.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Кто-то запросил вход в {{.App}} с этим адресом электронной почты.</p>
{{if .Code}}<p>Ваш код для входа:</p><p style="font-size:22px;letter-spacing:2px"><code>{{.Code}}</code></p>{{end}}
{{if .Link}}<p><a href="{{.Link}}">Войти в {{.App}}</a></p>{{end}}
<p>Код действует 10 минут и может быть использован один раз. Никому его не сообщайте. Если вы не запрашивали вход, проигнорируйте это письмо: без кода войти нельзя.</p>`,
			},
		},
		KindAccountDeleted: {
			i18n.English: {
				subject: "Your {{app}} account was deleted",
				text: `Hello{{if .Name}} {{.Name}}{{end}},

Your {{.App}} account and its data were deleted. You will receive no further mail about this account.
`,
				html: `<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Your {{.App}} account and its data were deleted. You will receive no further mail about this account.</p>`,
			},
			i18n.Persian: {
				subject: "حساب {{app}} شما حذف شد",
				text: `سلام{{if .Name}} {{.Name}}{{end}}،

حساب {{.App}} شما و داده‌های آن حذف شد. از این پس ایمیلی دربارهٔ این حساب دریافت نخواهید کرد.
`,
				html: `<p>سلام{{if .Name}} {{.Name}}{{end}}،</p>
<p>حساب {{.App}} شما و داده‌های آن حذف شد. از این پس ایمیلی دربارهٔ این حساب دریافت نخواهید کرد.</p>`,
			},
			i18n.Russian: {
				subject: "Ваша учётная запись в {{app}} удалена",
				text: `Здравствуйте{{if .Name}}, {{.Name}}{{end}}!

Ваша учётная запись в {{.App}} и все её данные удалены. Больше писем об этой учётной записи вы не получите.
`,
				html: `<p>Здравствуйте{{if .Name}}, {{.Name}}{{end}}!</p>
<p>Ваша учётная запись в {{.App}} и все её данные удалены. Больше писем об этой учётной записи вы не получите.</p>`,
			},
		},
	}
}
