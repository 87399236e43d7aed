package user_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

type siteKey struct{}

// Options.Links is asked per request: the default links follow the address the request
// came to, and that address's origin may be a confirmation_url's besides the allow-list.
func TestLinksPerRequest(t *testing.T) {
	st := memstore.New()
	svc := user.NewService(st, fastHasher, time.Now, user.Options{
		AllowConfirmationURL: func(u *url.URL) bool { return u.Host == "app.example.com" },
		Links: func(ctx context.Context) user.Links {
			base, _ := ctx.Value(siteKey{}).(string)
			if base == "" {
				return user.Links{}
			}
			return user.Links{Verify: base + "/verify?code={{code}}", Reset: base + "/reset?code={{code}}", Self: base}
		},
	})
	at := func(base string) context.Context { return context.WithValue(context.Background(), siteKey{}, base) }

	if _, err := svc.Register(at("https://a.example.net"), user.Registration{Email: "one@example.com", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Register(at(""), user.Registration{Email: "two@example.com", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Register(at("https://a.example.net"), user.Registration{Email: "three@example.com", Password: goodPassword,
		ConfirmationURL: "https://a.example.net/elsewhere?c={{code}}"})
	if err != nil {
		t.Fatalf("a confirmation_url on the service's own origin: %v, want it admitted", err)
	}
	_, err = svc.Register(at("https://a.example.net"), user.Registration{Email: "four@example.com", Password: goodPassword,
		ConfirmationURL: "https://b.example.net/x?c={{code}}"})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.InvalidConfirmationURL {
		t.Errorf("a confirmation_url on another origin: %v, want invalid_confirmation_url", err)
	}
	// Host names are case-insensitive: http on LOCALHOST is loopback too.
	if _, err := svc.Register(at("http://localhost:3000"), user.Registration{Email: "five@example.com", Password: goodPassword,
		ConfirmationURL: "http://LOCALHOST:3000/x?c={{code}}"}); err != nil {
		t.Errorf("a confirmation_url on http://LOCALHOST: %v, want it admitted", err)
	}
	if err := svc.ForgotPassword(at("https://c.example.net"), user.ForgotInput{Email: "one@example.com"}); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"one@example.com":   "https://a.example.net/verify?code=",
		"two@example.com":   "", // no address known: the code alone
		"three@example.com": "https://a.example.net/elsewhere?c=",
		"five@example.com":  "http://LOCALHOST:3000/x?c=",
	}
	var reset string
	for _, m := range st.Outbox {
		if strings.Contains(m.Link, "/reset?") {
			reset = m.Link
			continue
		}
		if w, ok := want[m.To]; !ok || (w == "" && (m.Link != "" || m.Code == "")) || (w != "" && !strings.HasPrefix(m.Link, w)) {
			t.Errorf("mail to %s: link %q code %q, want link prefix %q", m.To, m.Link, m.Code, w)
		}
	}
	if !strings.HasPrefix(reset, "https://c.example.net/reset?code=") {
		t.Errorf("reset link %q, want it under the address the forgot request came to", reset)
	}
}

// A default link opens its page in the language of the mail: {{lang}} is the user's.
func TestDefaultLinksCarryTheMailsLanguage(t *testing.T) {
	st := memstore.New()
	svc := user.NewService(st, fastHasher, time.Now, user.Options{
		Links: func(context.Context) user.Links {
			return user.Links{Verify: "https://api.example.com/account/verify?code={{code}}&lang={{lang}}"}
		},
	})
	_, err := svc.Register(context.Background(), user.Registration{Email: "lang@example.com", Password: goodPassword,
		Client: user.Client{AcceptLanguage: "ru-RU,ru;q=0.9"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Outbox) != 1 || !strings.HasSuffix(st.Outbox[0].Link, "&lang=ru") || !strings.Contains(st.Outbox[0].Link, "?code=") {
		t.Errorf("outbox %+v, want one verification link ending in &lang=ru", st.Outbox)
	}
}
