package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/userbase/userbase/pkg/auth"
)

const password = "correct-horse-battery-staple"

// TestAccountPages walks a person through the pages. Each step needs the ones before it,
// so the first failure ends the walk.
func TestAccountPages(t *testing.T) {
	began := time.Now()
	b := newBrowser(t)
	// localhost, not 127.0.0.1: WebAuthn wants a domain for its relying party.
	api := strings.Replace(stack.APIURL, "127.0.0.1", "localhost", 1)
	b.base = api + "/account/"
	email := fmt.Sprintf("ann-%d@example.com", time.Now().UnixNano())
	newPassword := password + "-2"
	var secret string
	var recovery []string
	// A TOTP code is accepted once, within one step of the server's clock: each use takes
	// the step after the last one used and never one behind now, so a step boundary passing
	// during a slow request cannot put it out of reach.
	var lastStep int64
	nextCode := func(t *testing.T) string {
		s := max(time.Now().Unix()/30, lastStep+1)
		lastStep = s
		return totp(t, secret, time.Unix(s*30, 0))
	}

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"public pages in English and Persian", func(t *testing.T) {
			for _, lang := range []string{"en", "fa"} {
				for _, p := range []string{"sign-in", "sign-up", "forgot-password", "reset?code=x", "verify?code=x", "revert?code=x"} {
					sep := "?"
					if strings.Contains(p, "?") {
						sep = "&"
					}
					b.open(t, p+sep+"lang="+lang)
					b.check(t, strings.SplitN(p, "?", 2)[0]+"-"+lang)
				}
			}
			b.open(t, "sign-in?lang=fa")
			if dir := b.eval(t, `document.documentElement.dir`); dir != "rtl" {
				t.Errorf("Persian sign-in: dir %q, want rtl", dir)
			}
		}},
		{"sign up", func(t *testing.T) {
			b.open(t, "sign-up?lang=en")
			b.fill(t, "#email", email)
			b.fill(t, "#password", password)
			b.fill(t, "#first_name", "Ann")
			b.fill(t, "#last_name", "Lee")
			b.clickTo(t, "#sign-up-form button[type=submit]", "profile")
			b.waitText(t, "#status", "Welcome")
			b.waitText(t, "#me-verified", "Not confirmed")
		}},
		{"confirm the address from the mailed link", func(t *testing.T) {
			link := mailLink(t, email, "/account/verify?")
			// Opening the link uses nothing: the page waits for the button.
			b.navigate(t, link)
			b.check(t, "")
			b.click(t, "#verify-form button[type=submit]")
			b.waitText(t, "#status", "confirmed")
			// The spent code leaves the address bar and the history entry.
			if u := b.eval(t, `location.href`); strings.Contains(u, "code=") {
				t.Errorf("after confirming, the address bar still holds the code: %s", u)
			}
			b.open(t, "profile?lang=en")
			b.waitText(t, "#me-verified", "Confirmed")
			b.check(t, "profile-en")
		}},
		{"sign out and in with the password", func(t *testing.T) {
			b.clickTo(t, "#sign-out", "sign-in")
			b.waitText(t, "#status", "signed out")
			b.signIn(t, email, password)
			b.waitPage(t, "profile")
		}},
		{"upload a picture", func(t *testing.T) {
			b.upload(t, "#image", pngFile(t))
			b.click(t, "#avatar-form button[type=submit]")
			b.waitText(t, "#avatar-form .form-status", "Saved")
			// The signed URL points at the bucket, which the CSP admits for images.
			b.poll(t, `(() => { const i = document.querySelector('#avatar'); return !i.hidden && i.complete && i.naturalWidth > 0 })()`)
		}},
		{"security and delete pages in English", func(t *testing.T) {
			b.open(t, "security?lang=en")
			b.waitText(t, "#totp-state", "Off")
			b.check(t, "security-en")
			b.open(t, "delete?lang=en")
			b.check(t, "delete-en")
		}},
		{"switch to Persian", func(t *testing.T) {
			b.open(t, "profile?lang=en")
			b.setValue(t, "#language", "fa")
			b.clickTo(t, "#language-form button[type=submit]", "profile")
			b.poll(t, `document.documentElement.lang === 'fa' && document.documentElement.dir === 'rtl'`)
			// The user's language now wins over ?lang=: an English link comes back in Persian.
			b.navigate(t, b.base+"security?lang=en")
			b.poll(t, `document.documentElement.lang === 'fa' && document.body.dataset.ready === 'true'`)
			b.check(t, "security-fa")
			b.open(t, "profile?lang=fa")
			b.check(t, "profile-fa")
			b.open(t, "delete?lang=fa")
			b.check(t, "delete-fa")
		}},
		{"enrol TOTP from the QR code's secret", func(t *testing.T) {
			b.open(t, "security?lang=fa")
			b.click(t, "#totp-start")
			// Turning TOTP on needs a fresh proof: the page asks for the password.
			b.reauth(t, password, "")
			b.poll(t, `(() => { const i = document.querySelector('#totp-qr'); return i.complete && i.naturalWidth > 0 })()`)
			secret = strings.TrimSpace(b.eval(t, `document.querySelector('#totp-secret').textContent`))
			if len(secret) < 16 {
				t.Fatalf("secret %q, want a base32 key", secret)
			}
			b.fill(t, "#totp-code", nextCode(t))
			b.shot(t, "security-totp-fa")
			b.click(t, "#totp-confirm-form button[type=submit]")
			b.waitVisible(t, "#totp-recovery")
			b.check(t, "security-recovery-fa")
			// The secret in force stays on the authenticator, not on the page.
			if s := b.eval(t, `document.querySelector('#totp-secret').textContent + (document.querySelector('#totp-qr').getAttribute('src') || '')`); s != "" {
				t.Errorf("after confirming TOTP the page still holds %q", s)
			}
			codes := b.eval(t, `Array.from(document.querySelectorAll('#recovery-codes li')).map(li => li.textContent).join(' ')`)
			recovery = strings.Fields(codes)
			if len(recovery) != 10 {
				t.Fatalf("recovery codes %q, want ten", codes)
			}
			b.click(t, "#totp-recovery-done")
			b.waitText(t, "#totp-state", "روشن")
		}},
		{"sign out and in with TOTP", func(t *testing.T) {
			b.clickTo(t, "#sign-out", "sign-in")
			b.signIn(t, email, password)
			b.waitVisible(t, "#mfa-step")
			b.check(t, "sign-in-mfa-fa")
			b.fill(t, "#mfa-code", nextCode(t))
			b.clickTo(t, "#mfa-form button[type=submit]", "profile")
		}},
		{"add a passkey and sign in with it alone", func(t *testing.T) {
			if !routeExists(t, api, "/v1/auth/passkey/options") {
				t.Skip("POST /v1/auth/passkey/options answers 404/405 here: the passkey routes are not built yet")
			}
			b.virtualAuthenticator(t)
			b.open(t, "security?lang=fa")
			b.fill(t, "#passkey-name", "Laptop")
			b.click(t, "#passkey-form button[type=submit]")
			// A recovery code: a third TOTP code within one step of the first two could be
			// two steps ahead of the server.
			b.reauth(t, password, recovery[2])
			b.waitText(t, "#passkey-list", "Laptop")
			b.check(t, "security-passkey-fa")
			b.clickTo(t, "#sign-out", "sign-in")
			b.clickTo(t, "#passkey-sign-in", "profile")
		}},
		{"reset the password from the mailed link", func(t *testing.T) {
			b.clickTo(t, "#sign-out", "sign-in")
			b.open(t, "forgot-password?lang=fa")
			b.fill(t, "#email", email)
			b.click(t, "#forgot-form button[type=submit]")
			b.waitText(t, "#forgot-form .form-status", "")
			link := mailLink(t, email, "/account/reset?")
			b.navigate(t, link)
			b.check(t, "")
			b.fill(t, "#new_password", newPassword)
			b.fill(t, "#confirm_password", newPassword)
			b.click(t, "#reset-form button[type=submit]")
			b.waitVisible(t, ".after")
			b.signIn(t, email, newPassword)
			b.waitVisible(t, "#mfa-step")
			b.fill(t, "#mfa-code", recovery[0])
			b.clickTo(t, "#mfa-form button[type=submit]", "profile")
		}},
		{"end another session", func(t *testing.T) {
			other := apiSignIn(t, api, email, newPassword, recovery[1])
			b.open(t, "security?lang=fa")
			if n := b.eval(t, `String(document.querySelectorAll('#session-list li').length)`); n != "2" {
				t.Fatalf("%s sessions listed, want 2 (this browser and the API client)", n)
			}
			b.click(t, `#session-list li:not([data-current="true"]) button`)
			b.waitText(t, "#sessions-box .form-status", "")
			b.poll(t, `document.querySelectorAll('#session-list li').length === 1`)
			if status := apiStatus(t, api, other); status != http.StatusUnauthorized {
				t.Errorf("the ended session's token: GET /v1/me %d, want 401", status)
			}
		}},
		{"delete the account", func(t *testing.T) {
			b.open(t, "delete?lang=en")
			b.fill(t, "#password", newPassword)
			b.click(t, "#confirm")
			b.click(t, "#delete-form button[type=submit]")
			b.waitPage(t, "sign-in")
			b.waitText(t, "#status", "حذف") // "deleted", in the account's language
			if n := b.eval(t, `String(document.querySelectorAll('nav.tabs, #sign-out').length)`); n != "0" {
				t.Errorf("after the deletion %s signed-in controls are on the page, want none", n)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			break
		}
	}
	b.problemsFree(t)
	t.Logf("browser walk: %s; screenshots in %s", time.Since(began).Round(time.Second), shotDir)
}

// browser is one headless Chromium tab and what it reported.
type browser struct {
	ctx  context.Context
	base string

	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Everything in the browser has five minutes at most.
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(cancelTimeout)
	b.ctx = ctx
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("start chromium (%s): %v", chrome, err)
	}
	return b
}

// listen keeps the page's uncaught exceptions and its console and browser errors, a CSP
// violation among them.
func (b *browser) listen(ev any) {
	var p string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		p = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			p += " " + e.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			p = fmt.Sprintf("%s: %s (%s)", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	}
	if p == "" {
		return
	}
	b.mu.Lock()
	b.problems = append(b.problems, p)
	b.mu.Unlock()
}

// problemsFree fails on what the page reported: a script error or a blocked resource.
// The API's own error answers (4xx) are expected along the walk and are not problems.
func (b *browser) problemsFree(t *testing.T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		if strings.Contains(p, "status of 4") {
			continue
		}
		t.Errorf("the browser reported: %s", p)
	}
}

func (b *browser) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, b.state())
	}
}

// state describes the page, for a failure message.
func (b *browser) state() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 1500)`))
	if err != nil {
		return "(page state unknown: " + err.Error() + ")"
	}
	return "page: " + s
}

// navigate loads url and waits for the script to have set the page up.
func (b *browser) navigate(t *testing.T, url string) {
	t.Helper()
	b.do(t, "open "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body[data-ready]")))
}

func (b *browser) open(t *testing.T, page string) { t.Helper(); b.navigate(t, b.base+page) }

// waitPage waits for the script of page to be ready on a document the test did not mark as
// left (see clickTo).
func (b *browser) waitPage(t *testing.T, page string) {
	t.Helper()
	b.do(t, "wait for "+page, chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`body[data-page=%q][data-ready=true]:not([data-left])`, page))))
}

// clickTo clicks sel, which makes the page go to another, and waits for the script of that
// page to be ready. The page it leaves is marked first, so it cannot pass for the next.
func (b *browser) clickTo(t *testing.T, sel, page string) {
	t.Helper()
	b.do(t, "click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.left = 'true'`), chromedp.Click(chromedp.CSS(sel)))
	b.waitPage(t, page)
}

func (b *browser) fill(t *testing.T, sel, value string) {
	t.Helper()
	b.do(t, "fill "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SetValue(chromedp.CSS(sel), value))
}

func (b *browser) setValue(t *testing.T, sel, value string) {
	t.Helper()
	b.do(t, "set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

func (b *browser) click(t *testing.T, sel string) {
	t.Helper()
	b.do(t, "click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

func (b *browser) waitVisible(t *testing.T, sel string) {
	t.Helper()
	b.do(t, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (b *browser) upload(t *testing.T, sel, file string) {
	t.Helper()
	b.do(t, "upload to "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file}))
}

// waitText waits until sel's text contains want ("": any text).
func (b *browser) waitText(t *testing.T, sel, want string) {
	t.Helper()
	q, _ := json.Marshal(sel)
	w, _ := json.Marshal(want)
	b.poll(t, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.textContent.trim() !== '' && e.textContent.includes(%s) })()`, q, w))
}

// poll waits until the expression is true.
func (b *browser) poll(t *testing.T, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s: %v\n%s", expr, err, b.state())
	}
}

func (b *browser) eval(t *testing.T, expr string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// signIn fills the sign-in page's password form.
func (b *browser) signIn(t *testing.T, login, pw string) {
	t.Helper()
	b.open(t, "sign-in")
	b.fill(t, "#login", login)
	b.fill(t, "#password", pw)
	b.do(t, "sign in", chromedp.Evaluate[chromedp.Void](`document.body.dataset.left = 'true'`),
		chromedp.Click(chromedp.CSS("#sign-in-form button[type=submit]")))
}

// reauth answers the re-authentication dialog the page opened on a 403.
func (b *browser) reauth(t *testing.T, pw, code string) {
	t.Helper()
	b.waitVisible(t, "#reauth")
	b.check(t, "reauth")
	b.fill(t, "#reauth-password", pw)
	if code != "" {
		b.fill(t, "#reauth-code", code)
	}
	b.click(t, "#reauth-form button[type=submit]")
	b.poll(t, `!document.querySelector('#reauth').open`)
}

// virtualAuthenticator gives the tab a platform authenticator that holds passkeys and
// verifies the user, as a laptop's would.
func (b *browser) virtualAuthenticator(t *testing.T) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// check runs axe-core on the page (no serious or critical violation) and, given a name,
// saves a screenshot.
func (b *browser) check(t *testing.T, name string) {
	t.Helper()
	b.axe(t)
	if name != "" {
		b.shot(t, name)
	}
}

var axeSource = sync.OnceValues(func() ([]byte, error) {
	return os.ReadFile(filepath.Join(repo, "node_modules", "axe-core", "axe.min.js"))
})

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func (b *browser) axe(t *testing.T) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	// The pages require Trusted Types; axe builds a little HTML of its own, so the test (and
	// only the test) gives it a pass-through policy. DevTools evaluation is not held to the
	// page's CSP.
	const policy = `if (window.trustedTypes && !trustedTypes.defaultPolicy) trustedTypes.createPolicy('default', {createHTML: s => s, createScript: s => s, createScriptURL: s => s});`
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[*runtime.RemoteObject](policy+"\n"+string(src))); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	url := b.eval(t, `location.pathname + location.search`)
	for _, v := range res {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe on %s: %s %s (%s) at %v", url, v.Impact, v.ID, v.Help, where)
		} else {
			t.Logf("axe on %s: %s %s (%s) at %v", url, v.Impact, v.ID, v.Help, where)
		}
	}
}

// shot saves the whole page as .build/screenshots/<name>.png.
func (b *browser) shot(t *testing.T, name string) {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(shotDir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, at)
	if err != nil {
		t.Fatalf("TOTP of %q: %v", secret, err)
	}
	return c
}

// pngFile writes a small picture to upload.
func pngFile(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), 90, uint8(y * 4), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "me.png")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mailLink waits for a mail to address with a link to one of the pages (pathAndQuery is
// its start, "/account/verify?") and returns the newest such link.
func mailLink(t *testing.T, address, pathAndQuery string) string {
	t.Helper()
	re := regexp.MustCompile(`https?://[^\s"<>]+` + regexp.QuoteMeta(pathAndQuery) + `[^\s"<>]+`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var store struct {
			Emails []struct {
				Destination struct{ To []string } `json:"destination"`
				Body        struct{ Text string } `json:"body"`
			} `json:"emails"`
		}
		res, err := http.Get(stack.SESURL + "/store")
		if err == nil {
			err = json.NewDecoder(res.Body).Decode(&store)
			res.Body.Close()
		}
		for i := len(store.Emails) - 1; err == nil && i >= 0; i-- {
			m := store.Emails[i]
			if len(m.Destination.To) > 0 && strings.EqualFold(m.Destination.To[0], address) {
				if l := re.FindString(m.Body.Text); l != "" {
					return strings.Replace(l, "127.0.0.1", "localhost", 1)
				}
			}
		}
		time.Sleep(100 * time.Millisecond) // polling the mail emulator, not waiting out a race
	}
	t.Fatalf("no mail to %s with a %s link arrived in 30 s", address, pathAndQuery)
	return ""
}

// routeExists reports whether the API has a route at path (anything but 404 and 405 to a
// POST with an empty object).
func routeExists(t *testing.T, api, path string) bool {
	t.Helper()
	res, err := http.Post(api+path, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed
}

// apiSignIn signs in over the JSON API, as another device would, and returns its token.
func apiSignIn(t *testing.T, api, email, pw, recoveryCode string) string {
	t.Helper()
	var out struct {
		Token    string `json:"token"`
		MFAToken string `json:"mfa_token"`
	}
	post := func(path string, body any) int {
		b, _ := json.Marshal(body)
		res, err := http.Post(api+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		_ = json.Unmarshal(raw, &out)
		return res.StatusCode
	}
	if s := post("/v1/auth/login", map[string]string{"login": email, "password": pw}); s != http.StatusUnauthorized || out.MFAToken == "" {
		t.Fatalf("API login: %d, want 401 mfa_required", s)
	}
	if s := post("/v1/auth/mfa", map[string]string{"mfa_token": out.MFAToken, "code": recoveryCode}); s != http.StatusOK || out.Token == "" {
		t.Fatalf("API MFA: %d, want 200 with a token", s)
	}
	return out.Token
}

func apiStatus(t *testing.T, api, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, api+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
