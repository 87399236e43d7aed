package pages

//lint:file-ignore ST1018 Persian text is written with zero-width non-joiners (U+200C); escaping them would make it unreadable to its translators.

import (
	"slices"
	"strings"
	"sync"

	"github.com/userbase/userbase/pkg/i18n"
)

// languages are the languages of the pages, in the order the language menu shows them.
var languages = []i18n.Lang{i18n.English, i18n.Persian, i18n.Russian}

// langName is a language's name in that language, as a language menu shows it.
func langName(l i18n.Lang) string {
	switch l {
	case i18n.Persian:
		return "فارسی"
	case i18n.Russian:
		return "Русский"
	}
	return "English"
}

// text returns key's text in m, else in English, else the key itself.
func text(m map[string]string, key string) string {
	if s, ok := m[key]; ok {
		return s
	}
	if s, ok := english()[key]; ok {
		return s
	}
	return key
}

// texts returns the catalog of l. Each is built on first use: a page needs one.
func texts(l i18n.Lang) map[string]string {
	switch l {
	case i18n.Persian:
		return persian()
	case i18n.Russian:
		return russian()
	}
	return english()
}

// jsKeys are the keys of the texts the script shows (prefix "js."), sorted.
var jsKeys = sync.OnceValue(func() []string {
	var out []string
	for k := range english() {
		if strings.HasPrefix(k, "js.") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
})

var english = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"account":                "Account",
		"skip":                   "Skip to the content",
		"language":               "Language",
		"noscript":               "These pages need JavaScript. Turn it on and reload the page.",
		"nav":                    "Your account",
		"nav.profile":            "Profile",
		"nav.security":           "Security",
		"nav.delete":             "Delete account",
		"nav.sign_out":           "Sign out",
		"field.email":            "Email",
		"field.login":            "Email or phone",
		"field.password":         "Password",
		"field.new_password":     "New password",
		"field.confirm_password": "Repeat the new password",
		"field.current_password": "Current password",
		"field.first_name":       "First name",
		"field.last_name":        "Last name",
		"field.language":         "Language of the pages and mails",
		"hint.password":          "At least 8 characters. A few unrelated words make a strong one.",
		"optional":               "optional",
		"loading":                "Loading…",
		"cancel":                 "Cancel",

		"sign-in.title":       "Sign in",
		"sign-in.submit":      "Sign in",
		"sign-in.forgot":      "Forgot your password?",
		"sign-in.no_account":  "No account yet?",
		"sign-in.sign_up":     "Create an account",
		"sign-in.other":       "Other ways to sign in",
		"sign-in.passkey":     "Sign in with a passkey",
		"sign-in.email_code":  "Sign in with a code sent by email",
		"sign-in.send_code":   "Email me a code",
		"sign-in.code":        "Code from the mail",
		"sign-in.code_submit": "Sign in with the code",
		"sign-in.mfa_title":   "Two-step sign-in",
		"sign-in.mfa_hint":    "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
		"sign-in.mfa_code":    "Code",
		"sign-in.mfa_submit":  "Continue",

		"sign-up.title":        "Create an account",
		"sign-up.submit":       "Create the account",
		"sign-up.have_account": "Already have an account?",
		"sign-up.sign_in":      "Sign in",

		"forgot-password.title":  "Reset your password",
		"forgot-password.intro":  "Enter the email address of your account. We will send you a link to choose a new password.",
		"forgot-password.submit": "Send the link",
		"forgot-password.back":   "Back to sign in",

		"reset.title":  "Choose a new password",
		"reset.submit": "Set the password",

		"verify.title":  "Confirm your email address",
		"verify.intro":  "Press the button to confirm the email address of your account.",
		"verify.submit": "Confirm the address",

		"revert.title":  "Undo the email change",
		"revert.intro":  "If you did not ask to change the email address of your account, undo it: the old address becomes the account's again and every session ends. Then choose a new password.",
		"revert.submit": "Undo the change",

		"profile.title":         "Your profile",
		"profile.email":         "Email address",
		"profile.resend":        "Send the confirmation mail again",
		"profile.names":         "Your name",
		"profile.save":          "Save",
		"profile.save_language": "Change the language",
		"profile.avatar":        "Picture",
		"profile.avatar_alt":    "Your picture",
		"profile.avatar_file":   "Image (PNG, JPEG, GIF or WebP)",
		"profile.avatar_upload": "Upload",
		"profile.avatar_remove": "Remove the picture",
		"profile.export":        "Your data",
		"profile.export_intro":  "Download everything held about you as one JSON file.",
		"profile.export_button": "Download my data",

		"security.title":               "Security",
		"security.password":            "Change the password",
		"security.password_submit":     "Change the password",
		"security.email":               "Change the email address",
		"security.email_intro":         "We send a confirmation link to the new address; the change takes effect once it is opened.",
		"security.new_email":           "New email address",
		"security.email_submit":        "Change the address",
		"security.totp":                "Two-step sign-in",
		"security.totp_start":          "Set up two-step sign-in",
		"security.totp_scan":           "Scan this QR code with your authenticator app, or type the key into it. Then enter the 6-digit code the app shows.",
		"security.totp_qr_alt":         "QR code of the key for your authenticator app",
		"security.totp_key":            "Key",
		"security.totp_code":           "Code from the app",
		"security.totp_confirm":        "Turn on",
		"security.totp_recovery":       "Recovery codes",
		"security.totp_recovery_intro": "Two-step sign-in is on. Keep these recovery codes somewhere safe: each one signs you in once if you lose your authenticator app. They are shown only now.",
		"security.totp_done":           "I have kept them",
		"security.totp_disable":        "Turn off two-step sign-in",
		"security.totp_disable_code":   "Code from your authenticator app, or a recovery code",
		"security.passkeys":            "Passkeys",
		"security.passkeys_intro":      "A passkey signs you in with this device's screen lock or a security key, without a password.",
		"security.passkey_name":        "Name of the new passkey",
		"security.passkey_add":         "Add a passkey",
		"security.sessions":            "Where you are signed in",
		"security.sign_out_all":        "Sign out everywhere",

		"delete.title":   "Delete your account",
		"delete.intro":   "This deletes your account, your profile, your picture and your sessions at once. It cannot be undone. Download your data first if you want to keep it.",
		"delete.confirm": "I understand that this cannot be undone.",
		"delete.submit":  "Delete my account",

		"reauth.title":   "Confirm it is you",
		"reauth.intro":   "For this change, enter your password again.",
		"reauth.code":    "Code from your authenticator app, or a recovery code",
		"reauth.submit":  "Confirm",
		"reauth.passkey": "Use a passkey instead",

		// Texts of the script.
		"js.network":             "The server could not be reached. Try again.",
		"js.error":               "Something went wrong. Try again.",
		"js.mismatch":            "The two passwords differ.",
		"js.signed_out":          "You are signed out.",
		"js.session_ended":       "Your session has ended. Sign in again.",
		"js.saved":               "Saved.",
		"js.no_code":             "This link has no code. Open the link from the mail again, or ask for a new one.",
		"js.code_sent":           "If an account uses this address, a code is on its way. Enter it below.",
		"js.passkey_unsupported": "This browser cannot use passkeys.",
		"js.passkey_cancelled":   "No passkey was used.",
		"js.passkey_refused":     "This passkey was not accepted; it may have been removed from the account. Sign in another way.",
		"js.unavailable":         "This is not available on this server yet.",
		"js.forgot_sent":         "If an account uses this address, a link is on its way. It works for one hour.",
		"js.reset_done":          "Your password is changed and every session has ended. Sign in with the new password.",
		"js.verify_done":         "Your email address is confirmed.",
		"js.revert_done":         "The old address is back and every session has ended. Choose a new password now.",
		"js.welcome":             "Welcome! We sent a confirmation link to your email address.",
		"js.verified":            "Confirmed.",
		"js.unverified":          "Not confirmed yet.",
		"js.pending":             "Waiting for confirmation: %s",
		"js.resent":              "A confirmation mail is on its way.",
		"js.avatar_none":         "No picture yet.",
		"js.password_done":       "Password changed. Your other sessions have ended.",
		"js.email_done":          "A confirmation link is on its way to the new address.",
		"js.totp_on":             "On: signing in with a password also needs a code from your authenticator app.",
		"js.totp_off":            "Off: your password alone signs you in.",
		"js.totp_disabled":       "Two-step sign-in is off.",
		"js.passkeys_none":       "No passkeys yet.",
		"js.passkey_added":       "Passkey added. Your other sessions have ended.",
		"js.passkey_removed":     "Passkey removed.",
		"js.passkey_default":     "Passkey",
		"js.passkey_created":     "Added %s",
		"js.passkey_used":        "last used %s",
		"js.remove":              "Remove",
		"js.session_current":     "This browser",
		"js.session_unknown":     "Unknown device",
		"js.session_detail":      "Signed in %s from %s, last active %s",
		"js.session_end":         "End this session",
		"js.session_revoked":     "Session ended.",
		"js.delete_done":         "Your account is deleted.",
		"js.confirm_box":         "Tick the box to confirm.",
	}
})

var persian = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"account":                "حساب کاربری",
		"skip":                   "رفتن به محتوا",
		"language":               "زبان",
		"noscript":               "این صفحه‌ها به جاوااسکریپت نیاز دارند. آن را روشن کنید و صفحه را دوباره بارگیری کنید.",
		"nav":                    "حساب شما",
		"nav.profile":            "نمایه",
		"nav.security":           "امنیت",
		"nav.delete":             "حذف حساب",
		"nav.sign_out":           "خروج",
		"field.email":            "ایمیل",
		"field.login":            "ایمیل یا تلفن",
		"field.password":         "گذرواژه",
		"field.new_password":     "گذرواژهٔ جدید",
		"field.confirm_password": "تکرار گذرواژهٔ جدید",
		"field.current_password": "گذرواژهٔ فعلی",
		"field.first_name":       "نام",
		"field.last_name":        "نام خانوادگی",
		"field.language":         "زبان صفحه‌ها و ایمیل‌ها",
		"hint.password":          "دست‌کم ۸ نویسه. چند واژهٔ نامرتبط گذرواژه‌ای قوی می‌سازند.",
		"optional":               "اختیاری",
		"loading":                "در حال بارگیری…",
		"cancel":                 "انصراف",

		"sign-in.title":       "ورود",
		"sign-in.submit":      "ورود",
		"sign-in.forgot":      "گذرواژه را فراموش کرده‌اید؟",
		"sign-in.no_account":  "هنوز حساب ندارید؟",
		"sign-in.sign_up":     "ساخت حساب",
		"sign-in.other":       "راه‌های دیگر ورود",
		"sign-in.passkey":     "ورود با کلید عبور",
		"sign-in.email_code":  "ورود با کدی که ایمیل می‌شود",
		"sign-in.send_code":   "کد را برایم ایمیل کن",
		"sign-in.code":        "کد ایمیل‌شده",
		"sign-in.code_submit": "ورود با کد",
		"sign-in.mfa_title":   "ورود دومرحله‌ای",
		"sign-in.mfa_hint":    "کد ۶ رقمی برنامهٔ احراز هویت یا یکی از کدهای بازیابی خود را وارد کنید.",
		"sign-in.mfa_code":    "کد",
		"sign-in.mfa_submit":  "ادامه",

		"sign-up.title":        "ساخت حساب",
		"sign-up.submit":       "ساخت حساب",
		"sign-up.have_account": "حساب دارید؟",
		"sign-up.sign_in":      "ورود",

		"forgot-password.title":  "بازنشانی گذرواژه",
		"forgot-password.intro":  "نشانی ایمیل حساب خود را وارد کنید. پیوندی برای انتخاب گذرواژهٔ جدید برایتان می‌فرستیم.",
		"forgot-password.submit": "فرستادن پیوند",
		"forgot-password.back":   "بازگشت به ورود",

		"reset.title":  "انتخاب گذرواژهٔ جدید",
		"reset.submit": "ثبت گذرواژه",

		"verify.title":  "تأیید نشانی ایمیل",
		"verify.intro":  "برای تأیید نشانی ایمیل حساب خود دکمه را بزنید.",
		"verify.submit": "تأیید نشانی",

		"revert.title":  "لغو تغییر ایمیل",
		"revert.intro":  "اگر شما درخواست تغییر نشانی ایمیل حساب را نداده‌اید، آن را لغو کنید: نشانی قبلی دوباره نشانی حساب می‌شود و همهٔ نشست‌ها پایان می‌یابند. سپس گذرواژهٔ جدیدی انتخاب کنید.",
		"revert.submit": "لغو تغییر",

		"profile.title":         "نمایهٔ شما",
		"profile.email":         "نشانی ایمیل",
		"profile.resend":        "فرستادن دوبارهٔ ایمیل تأیید",
		"profile.names":         "نام شما",
		"profile.save":          "ذخیره",
		"profile.save_language": "تغییر زبان",
		"profile.avatar":        "تصویر",
		"profile.avatar_alt":    "تصویر شما",
		"profile.avatar_file":   "تصویر (PNG، JPEG، GIF یا WebP)",
		"profile.avatar_upload": "بارگذاری",
		"profile.avatar_remove": "حذف تصویر",
		"profile.export":        "داده‌های شما",
		"profile.export_intro":  "همهٔ داده‌هایی را که از شما نگه داشته می‌شود در یک پروندهٔ JSON دریافت کنید.",
		"profile.export_button": "دریافت داده‌هایم",

		"security.title":               "امنیت",
		"security.password":            "تغییر گذرواژه",
		"security.password_submit":     "تغییر گذرواژه",
		"security.email":               "تغییر نشانی ایمیل",
		"security.email_intro":         "پیوند تأیید را به نشانی جدید می‌فرستیم؛ تغییر پس از باز کردن آن انجام می‌شود.",
		"security.new_email":           "نشانی ایمیل جدید",
		"security.email_submit":        "تغییر نشانی",
		"security.totp":                "ورود دومرحله‌ای",
		"security.totp_start":          "راه‌اندازی ورود دومرحله‌ای",
		"security.totp_scan":           "این کد QR را با برنامهٔ احراز هویت خود بخوانید یا کلید را در آن وارد کنید. سپس کد ۶ رقمی‌ای را که برنامه نشان می‌دهد وارد کنید.",
		"security.totp_qr_alt":         "کد QR کلید برای برنامهٔ احراز هویت",
		"security.totp_key":            "کلید",
		"security.totp_code":           "کد برنامه",
		"security.totp_confirm":        "روشن کردن",
		"security.totp_recovery":       "کدهای بازیابی",
		"security.totp_recovery_intro": "ورود دومرحله‌ای روشن است. این کدهای بازیابی را جای امنی نگه دارید: اگر برنامهٔ احراز هویت را از دست بدهید، هر کد یک بار شما را وارد می‌کند. فقط همین حالا نشان داده می‌شوند.",
		"security.totp_done":           "آن‌ها را نگه داشتم",
		"security.totp_disable":        "خاموش کردن ورود دومرحله‌ای",
		"security.totp_disable_code":   "کد برنامهٔ احراز هویت یا یک کد بازیابی",
		"security.passkeys":            "کلیدهای عبور",
		"security.passkeys_intro":      "کلید عبور شما را با قفل صفحهٔ همین دستگاه یا یک کلید امنیتی، بدون گذرواژه، وارد می‌کند.",
		"security.passkey_name":        "نام کلید عبور جدید",
		"security.passkey_add":         "افزودن کلید عبور",
		"security.sessions":            "جاهایی که وارد شده‌اید",
		"security.sign_out_all":        "خروج از همه‌جا",

		"delete.title":   "حذف حساب",
		"delete.intro":   "این کار حساب، نمایه، تصویر و نشست‌های شما را بی‌درنگ حذف می‌کند و برگشت‌پذیر نیست. اگر می‌خواهید داده‌هایتان را نگه دارید، نخست آن‌ها را دریافت کنید.",
		"delete.confirm": "می‌دانم که این کار برگشت‌پذیر نیست.",
		"delete.submit":  "حذف حساب من",

		"reauth.title":   "تأیید هویت",
		"reauth.intro":   "برای این تغییر، گذرواژهٔ خود را دوباره وارد کنید.",
		"reauth.code":    "کد برنامهٔ احراز هویت یا یک کد بازیابی",
		"reauth.submit":  "تأیید",
		"reauth.passkey": "به‌جای آن از کلید عبور استفاده کن",

		"js.network":             "ارتباط با سرور برقرار نشد. دوباره تلاش کنید.",
		"js.error":               "مشکلی پیش آمد. دوباره تلاش کنید.",
		"js.mismatch":            "دو گذرواژه یکسان نیستند.",
		"js.signed_out":          "خارج شدید.",
		"js.session_ended":       "نشست شما پایان یافته است. دوباره وارد شوید.",
		"js.saved":               "ذخیره شد.",
		"js.no_code":             "این پیوند کدی ندارد. پیوند ایمیل را دوباره باز کنید یا پیوند تازه‌ای بخواهید.",
		"js.code_sent":           "اگر حسابی با این نشانی باشد، کدی در راه است. آن را در زیر وارد کنید.",
		"js.passkey_unsupported": "این مرورگر نمی‌تواند از کلید عبور استفاده کند.",
		"js.passkey_cancelled":   "کلید عبوری به کار نرفت.",
		"js.passkey_refused":     "این کلید عبور پذیرفته نشد؛ شاید از حساب حذف شده باشد. از راه دیگری وارد شوید.",
		"js.unavailable":         "این امکان هنوز روی این سرور فراهم نیست.",
		"js.forgot_sent":         "اگر حسابی با این نشانی باشد، پیوندی در راه است. این پیوند یک ساعت کار می‌کند.",
		"js.reset_done":          "گذرواژهٔ شما تغییر کرد و همهٔ نشست‌ها پایان یافتند. با گذرواژهٔ جدید وارد شوید.",
		"js.verify_done":         "نشانی ایمیل شما تأیید شد.",
		"js.revert_done":         "نشانی قبلی برگشت و همهٔ نشست‌ها پایان یافتند. اکنون گذرواژهٔ جدیدی انتخاب کنید.",
		"js.welcome":             "خوش آمدید! پیوند تأیید را به نشانی ایمیل شما فرستادیم.",
		"js.verified":            "تأیید شده.",
		"js.unverified":          "هنوز تأیید نشده.",
		"js.pending":             "در انتظار تأیید: %s",
		"js.resent":              "ایمیل تأیید در راه است.",
		"js.avatar_none":         "هنوز تصویری ندارید.",
		"js.password_done":       "گذرواژه تغییر کرد. نشست‌های دیگر شما پایان یافتند.",
		"js.email_done":          "پیوند تأیید در راه نشانی جدید است.",
		"js.totp_on":             "روشن: ورود با گذرواژه به کد برنامهٔ احراز هویت هم نیاز دارد.",
		"js.totp_off":            "خاموش: گذرواژه به‌تنهایی شما را وارد می‌کند.",
		"js.totp_disabled":       "ورود دومرحله‌ای خاموش شد.",
		"js.passkeys_none":       "هنوز کلید عبوری ندارید.",
		"js.passkey_added":       "کلید عبور افزوده شد. نشست‌های دیگر شما پایان یافتند.",
		"js.passkey_removed":     "کلید عبور حذف شد.",
		"js.passkey_default":     "کلید عبور",
		"js.passkey_created":     "افزوده در %s",
		"js.passkey_used":        "آخرین استفاده %s",
		"js.remove":              "حذف",
		"js.session_current":     "همین مرورگر",
		"js.session_unknown":     "دستگاه ناشناخته",
		"js.session_detail":      "ورود در %s از %s، آخرین فعالیت %s",
		"js.session_end":         "پایان این نشست",
		"js.session_revoked":     "نشست پایان یافت.",
		"js.delete_done":         "حساب شما حذف شد.",
		"js.confirm_box":         "برای تأیید، گزینه را علامت بزنید.",
	}
})

var russian = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"account":                "Учётная запись",
		"skip":                   "Перейти к содержимому",
		"language":               "Язык",
		"noscript":               "Для этих страниц нужен JavaScript. Включите его и обновите страницу.",
		"nav":                    "Ваша учётная запись",
		"nav.profile":            "Профиль",
		"nav.security":           "Безопасность",
		"nav.delete":             "Удаление",
		"nav.sign_out":           "Выйти",
		"field.email":            "Электронная почта",
		"field.login":            "Электронная почта или телефон",
		"field.password":         "Пароль",
		"field.new_password":     "Новый пароль",
		"field.confirm_password": "Повторите новый пароль",
		"field.current_password": "Текущий пароль",
		"field.first_name":       "Имя",
		"field.last_name":        "Фамилия",
		"field.language":         "Язык страниц и писем",
		"hint.password":          "Не менее 8 символов. Несколько несвязанных слов дают надёжный пароль.",
		"optional":               "необязательно",
		"loading":                "Загрузка…",
		"cancel":                 "Отмена",

		"sign-in.title":       "Вход",
		"sign-in.submit":      "Войти",
		"sign-in.forgot":      "Забыли пароль?",
		"sign-in.no_account":  "Ещё нет учётной записи?",
		"sign-in.sign_up":     "Создать учётную запись",
		"sign-in.other":       "Другие способы входа",
		"sign-in.passkey":     "Войти с ключом доступа",
		"sign-in.email_code":  "Войти по коду из письма",
		"sign-in.send_code":   "Прислать код",
		"sign-in.code":        "Код из письма",
		"sign-in.code_submit": "Войти по коду",
		"sign-in.mfa_title":   "Двухэтапный вход",
		"sign-in.mfa_hint":    "Введите 6-значный код из приложения-аутентификатора или один из резервных кодов.",
		"sign-in.mfa_code":    "Код",
		"sign-in.mfa_submit":  "Продолжить",

		"sign-up.title":        "Создание учётной записи",
		"sign-up.submit":       "Создать учётную запись",
		"sign-up.have_account": "Уже есть учётная запись?",
		"sign-up.sign_in":      "Войти",

		"forgot-password.title":  "Сброс пароля",
		"forgot-password.intro":  "Введите адрес электронной почты вашей учётной записи. Мы пришлём ссылку для выбора нового пароля.",
		"forgot-password.submit": "Отправить ссылку",
		"forgot-password.back":   "Вернуться ко входу",

		"reset.title":  "Новый пароль",
		"reset.submit": "Сохранить пароль",

		"verify.title":  "Подтверждение адреса",
		"verify.intro":  "Нажмите кнопку, чтобы подтвердить адрес электронной почты вашей учётной записи.",
		"verify.submit": "Подтвердить адрес",

		"revert.title":  "Отмена смены адреса",
		"revert.intro":  "Если вы не меняли адрес электронной почты учётной записи, отмените смену: прежний адрес снова станет адресом учётной записи, а все сеансы завершатся. Затем выберите новый пароль.",
		"revert.submit": "Отменить смену",

		"profile.title":         "Ваш профиль",
		"profile.email":         "Адрес электронной почты",
		"profile.resend":        "Отправить письмо для подтверждения ещё раз",
		"profile.names":         "Ваше имя",
		"profile.save":          "Сохранить",
		"profile.save_language": "Сменить язык",
		"profile.avatar":        "Фото",
		"profile.avatar_alt":    "Ваше фото",
		"profile.avatar_file":   "Изображение (PNG, JPEG, GIF или WebP)",
		"profile.avatar_upload": "Загрузить",
		"profile.avatar_remove": "Удалить фото",
		"profile.export":        "Ваши данные",
		"profile.export_intro":  "Скачайте всё, что о вас хранится, одним файлом JSON.",
		"profile.export_button": "Скачать мои данные",

		"security.title":               "Безопасность",
		"security.password":            "Смена пароля",
		"security.password_submit":     "Сменить пароль",
		"security.email":               "Смена адреса электронной почты",
		"security.email_intro":         "Мы пришлём ссылку для подтверждения на новый адрес; смена вступит в силу, когда её откроют.",
		"security.new_email":           "Новый адрес",
		"security.email_submit":        "Сменить адрес",
		"security.totp":                "Двухэтапный вход",
		"security.totp_start":          "Настроить двухэтапный вход",
		"security.totp_scan":           "Отсканируйте QR-код приложением-аутентификатором или введите в него ключ. Затем введите 6-значный код, который покажет приложение.",
		"security.totp_qr_alt":         "QR-код ключа для приложения-аутентификатора",
		"security.totp_key":            "Ключ",
		"security.totp_code":           "Код из приложения",
		"security.totp_confirm":        "Включить",
		"security.totp_recovery":       "Резервные коды",
		"security.totp_recovery_intro": "Двухэтапный вход включён. Сохраните эти резервные коды в надёжном месте: каждый позволяет войти один раз, если вы потеряете приложение-аутентификатор. Они показываются только сейчас.",
		"security.totp_done":           "Я сохранил коды",
		"security.totp_disable":        "Отключить двухэтапный вход",
		"security.totp_disable_code":   "Код из приложения-аутентификатора или резервный код",
		"security.passkeys":            "Ключи доступа",
		"security.passkeys_intro":      "Ключ доступа позволяет войти без пароля — с блокировкой экрана этого устройства или ключом безопасности.",
		"security.passkey_name":        "Название нового ключа доступа",
		"security.passkey_add":         "Добавить ключ доступа",
		"security.sessions":            "Где выполнен вход",
		"security.sign_out_all":        "Выйти везде",

		"delete.title":   "Удаление учётной записи",
		"delete.intro":   "Учётная запись, профиль, фото и сеансы будут удалены сразу. Это нельзя отменить. Если хотите сохранить свои данные, сначала скачайте их.",
		"delete.confirm": "Я понимаю, что это нельзя отменить.",
		"delete.submit":  "Удалить мою учётную запись",

		"reauth.title":   "Подтвердите, что это вы",
		"reauth.intro":   "Для этого изменения введите пароль ещё раз.",
		"reauth.code":    "Код из приложения-аутентификатора или резервный код",
		"reauth.submit":  "Подтвердить",
		"reauth.passkey": "Использовать ключ доступа",

		"js.network":             "Не удалось связаться с сервером. Попробуйте ещё раз.",
		"js.error":               "Что-то пошло не так. Попробуйте ещё раз.",
		"js.mismatch":            "Пароли не совпадают.",
		"js.signed_out":          "Вы вышли.",
		"js.session_ended":       "Сеанс завершён. Войдите снова.",
		"js.saved":               "Сохранено.",
		"js.no_code":             "В этой ссылке нет кода. Откройте ссылку из письма ещё раз или запросите новую.",
		"js.code_sent":           "Если есть учётная запись с этим адресом, код уже в пути. Введите его ниже.",
		"js.passkey_unsupported": "Этот браузер не поддерживает ключи доступа.",
		"js.passkey_cancelled":   "Ключ доступа не использован.",
		"js.passkey_refused":     "Этот ключ доступа не принят: возможно, он удалён из аккаунта. Войдите другим способом.",
		"js.unavailable":         "На этом сервере это пока недоступно.",
		"js.forgot_sent":         "Если есть учётная запись с этим адресом, ссылка уже в пути. Она действует один час.",
		"js.reset_done":          "Пароль изменён, все сеансы завершены. Войдите с новым паролем.",
		"js.verify_done":         "Адрес электронной почты подтверждён.",
		"js.revert_done":         "Прежний адрес восстановлен, все сеансы завершены. Выберите новый пароль.",
		"js.welcome":             "Добро пожаловать! Мы отправили ссылку для подтверждения на ваш адрес.",
		"js.verified":            "Подтверждён.",
		"js.unverified":          "Ещё не подтверждён.",
		"js.pending":             "Ожидает подтверждения: %s",
		"js.resent":              "Письмо для подтверждения отправлено.",
		"js.avatar_none":         "Фото пока нет.",
		"js.password_done":       "Пароль изменён. Другие сеансы завершены.",
		"js.email_done":          "Ссылка для подтверждения отправлена на новый адрес.",
		"js.totp_on":             "Включён: для входа по паролю нужен ещё код из приложения-аутентификатора.",
		"js.totp_off":            "Отключён: для входа достаточно пароля.",
		"js.totp_disabled":       "Двухэтапный вход отключён.",
		"js.passkeys_none":       "Ключей доступа пока нет.",
		"js.passkey_added":       "Ключ доступа добавлен. Другие сеансы завершены.",
		"js.passkey_removed":     "Ключ доступа удалён.",
		"js.passkey_default":     "Ключ доступа",
		"js.passkey_created":     "добавлен %s",
		"js.passkey_used":        "последнее использование %s",
		"js.remove":              "Удалить",
		"js.session_current":     "Этот браузер",
		"js.session_unknown":     "Неизвестное устройство",
		"js.session_detail":      "Вход %s с адреса %s, последняя активность %s",
		"js.session_end":         "Завершить сеанс",
		"js.session_revoked":     "Сеанс завершён.",
		"js.delete_done":         "Ваша учётная запись удалена.",
		"js.confirm_box":         "Отметьте флажок для подтверждения.",
	}
})
