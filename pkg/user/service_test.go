package user_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// The hash's cost is lowered through configuration, as in production it is raised.
var fastHasher = auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*user.Service, *memstore.Store, *clock) {
	t.Helper()
	st := memstore.New()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	svc := user.NewService(st, fastHasher, c.now, user.Options{
		SessionTTL:           time.Hour,
		RegisterLimitPerHour: 3,
		AllowConfirmationURL: func(u *url.URL) bool { return u.Host == "app.example.com" || u.Hostname() == "localhost" },
		Secrets:              newTestSecrets(),
	})
	return svc, st, c
}

const goodPassword = "correct-horse-battery"

func register(t *testing.T, svc *user.Service, email string) *user.Auth {
	t.Helper()
	a, err := svc.Register(context.Background(), user.Registration{Email: email, Password: goodPassword, Client: user.Client{IP: "10.0.0.1"}})
	if err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return a
}

func fieldCodes(err error) map[string]string {
	out := map[string]string{}
	if e, ok := apperr.As(err); ok {
		for _, f := range e.Fields {
			out[f.Field] = f.Code
		}
	}
	return out
}

func TestRegister(t *testing.T) {
	svc, st, _ := newService(t)
	ln, fn := "Azizi", "Mostafa"
	phone := "+98 933 555 6196"
	a, err := svc.Register(context.Background(), user.Registration{
		Email: "  Mostafa@Example.COM ", Password: goodPassword,
		Profile:         user.Profile{FirstName: &fn, LastName: &ln, Phone: &phone},
		ConfirmationURL: "https://app.example.com/confirm?code={{code}}",
		Client:          user.Client{IP: "10.0.0.1", AcceptLanguage: "fa-IR,fa;q=0.9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := a.User
	if u.Email != "mostafa@example.com" || u.Phone != "+989335556196" || u.Role != user.RoleMember || !u.Active || u.EmailVerified || u.Language != "fa" {
		t.Errorf("got user %+v, want normalized email and phone, member, active, unverified, language fa", u)
	}
	if strings.Contains(u.PasswordHash, goodPassword) || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("password hash %q is not an argon2id PHC string", u.PasswordHash)
	}
	if len(st.Outbox) != 1 {
		t.Fatalf("got %d mails in the outbox, want 1", len(st.Outbox))
	}
	m := st.Outbox[0]
	if m.To != u.Email || m.Lang != "fa" || !strings.HasPrefix(m.Link, "https://app.example.com/confirm?code=") || m.Code != "" {
		t.Errorf("got mail %+v, want a Persian link to %s", m, u.Email)
	}
	p, err := svc.Authenticate(context.Background(), a.Token)
	if err != nil || p.User.ID != u.ID {
		t.Errorf("Authenticate(new token) = %v, %v; want the new user", p, err)
	}
}

func TestRegisterRejects(t *testing.T) {
	svc, _, _ := newService(t)
	register(t, svc, "taken@example.com")
	long := strings.Repeat("x", 256)
	bad := "not a phone"
	tests := []struct {
		name       string
		reg        user.Registration
		wantCode   apperr.Code
		wantFields map[string]string
	}{
		{"missing", user.Registration{}, apperr.ValidationFailed, map[string]string{"email": "required", "password": "required"}},
		{"bad email", user.Registration{Email: "a@b", Password: goodPassword}, apperr.ValidationFailed, map[string]string{"email": "invalid_email"}},
		{"short", user.Registration{Email: "a@example.com", Password: "Ab1!"}, apperr.ValidationFailed, map[string]string{"password": "too_short"}},
		{"common", user.Registration{Email: "a@example.com", Password: "Password123"}, apperr.ValidationFailed, map[string]string{"password": "password_breached"}},
		{"fields", user.Registration{Email: "a@example.com", Password: goodPassword, Profile: user.Profile{FirstName: &long, Phone: &bad}},
			apperr.ValidationFailed, map[string]string{"first_name": "too_long", "phone": "invalid_phone"}},
		{"unknown attribute", user.Registration{Email: "a@example.com", Password: goodPassword, Profile: user.Profile{Attributes: map[string]any{"x": 1}}},
			apperr.UnknownField, map[string]string{"attributes.x": "unknown_field"}},
		{"bad sponsor", user.Registration{Email: "a@example.com", Password: goodPassword, SponsorID: "nope"}, apperr.ValidationFailed, map[string]string{"sponsor_id": "not_found"}},
		{"absent sponsor", user.Registration{Email: "a@example.com", Password: goodPassword, SponsorID: "01hzzzzzzzzzzzzzzzzzzzzzzz"}, apperr.ValidationFailed, map[string]string{"sponsor_id": "not_found"}},
		{"taken in other case", user.Registration{Email: "TAKEN@example.com", Password: goodPassword}, apperr.EmailTaken, nil},
		{"url not allowed", user.Registration{Email: "b@example.com", Password: goodPassword, ConfirmationURL: "https://evil.com/?c={{code}}"}, apperr.InvalidConfirmationURL, nil},
		{"url without code", user.Registration{Email: "b@example.com", Password: goodPassword, ConfirmationURL: "https://app.example.com/"}, apperr.InvalidConfirmationURL, nil},
		{"http url not local", user.Registration{Email: "b@example.com", Password: goodPassword, ConfirmationURL: "http://app.example.com/{{code}}"}, apperr.InvalidConfirmationURL, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Register(context.Background(), tt.reg)
			e, ok := apperr.As(err)
			if !ok || e.Code != tt.wantCode {
				t.Fatalf("got %v, want %s", err, tt.wantCode)
			}
			for f, code := range tt.wantFields {
				if got := fieldCodes(err)[f]; got != code {
					t.Errorf("field %s: got %q, want %q (all: %v)", f, got, code, fieldCodes(err))
				}
			}
		})
	}
}

func TestRegisterLimitCountsTakenEmails(t *testing.T) {
	svc, _, _ := newService(t) // 3 an hour
	register(t, svc, "one@example.com")
	for range 2 {
		if _, err := svc.Register(context.Background(), user.Registration{Email: "one@example.com", Password: goodPassword, Client: user.Client{IP: "10.0.0.1"}}); !errors.Is(err, user.ErrEmailTaken) {
			t.Fatalf("got %v, want email_taken", err)
		}
	}
	_, err := svc.Register(context.Background(), user.Registration{Email: "two@example.com", Password: goodPassword, Client: user.Client{IP: "10.0.0.1"}})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.RateLimited || e.RetryAfter <= 0 || e.RetryAfter > time.Hour {
		t.Fatalf("got %v, want rate_limited within the hour", err)
	}
	// Another address is not limited.
	if _, err := svc.Register(context.Background(), user.Registration{Email: "two@example.com", Password: goodPassword, Client: user.Client{IP: "10.0.0.2"}}); err != nil {
		t.Errorf("another address: %v", err)
	}
}

func TestLogin(t *testing.T) {
	svc, _, _ := newService(t)
	phone := "+14155550100"
	if _, err := svc.Register(context.Background(), user.Registration{Email: "ann@example.com", Password: goodPassword, Profile: user.Profile{Phone: &phone}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, login, password string
		want                  apperr.Code
	}{
		{"email", "ANN@example.com", goodPassword, ""},
		{"phone", "+1 (415) 555-0100", goodPassword, ""},
		{"wrong password", "ann@example.com", goodPassword + "x", apperr.InvalidCredentials},
		{"unknown", "bob@example.com", goodPassword, apperr.InvalidCredentials},
		{"garbage login", "not-a-login", goodPassword, apperr.InvalidCredentials},
		{"missing", "", "", apperr.ValidationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := svc.Login(context.Background(), user.LoginInput{Login: tt.login, Password: tt.password})
			if tt.want == "" {
				if err != nil || a.Token == "" || a.User.Email != "ann@example.com" {
					t.Fatalf("got %v, %v; want a session for ann", a, err)
				}
				return
			}
			if e, ok := apperr.As(err); !ok || e.Code != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestLoginUpgradesWeakHash(t *testing.T) {
	st := memstore.New()
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	weak := user.NewService(st, fastHasher, now, user.Options{})
	if _, err := weak.Register(context.Background(), user.Registration{Email: "up@example.com", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	strong := user.NewService(st, auth.Hasher{MemoryKiB: 128, Iterations: 1, Parallelism: 1}, now, user.Options{})
	if _, err := strong.Login(context.Background(), user.LoginInput{Login: "up@example.com", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	u, _ := st.Account(context.Background(), "up@example.com")
	if !strings.Contains(u.PasswordHash, "m=128,") {
		t.Errorf("hash %q was not upgraded to m=128", u.PasswordHash)
	}
}

func TestSessionLifecycle(t *testing.T) {
	svc, _, c := newService(t)
	a := register(t, svc, "life@example.com")
	ctx := context.Background()
	b, err := svc.Login(ctx, user.LoginInput{Login: "life@example.com", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	// Logout ends only its own session.
	if err := svc.Logout(ctx, a.Token, false, user.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, a.Token); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("logged-out token: got %v, want unauthenticated", err)
	}
	if err := svc.Logout(ctx, a.Token, false, user.Client{}); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("second logout: got %v, want unauthenticated", err)
	}
	if _, err := svc.Authenticate(ctx, b.Token); err != nil {
		t.Errorf("the other session: %v", err)
	}
	// Logout all ends every session, and a new login works again.
	d, _ := svc.Login(ctx, user.LoginInput{Login: "life@example.com", Password: goodPassword})
	if err := svc.Logout(ctx, b.Token, true, user.Client{}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{b.Token, d.Token} {
		if _, err := svc.Authenticate(ctx, tok); !errors.Is(err, user.ErrUnauthenticated) {
			t.Errorf("after logout all: got %v, want unauthenticated", err)
		}
	}
	e, err := svc.Login(ctx, user.LoginInput{Login: "life@example.com", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, e.Token); err != nil {
		t.Errorf("login after logout all: %v", err)
	}
	// Sessions expire.
	c.t = c.t.Add(time.Hour + time.Second)
	if _, err := svc.Authenticate(ctx, e.Token); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("expired session: got %v, want unauthenticated", err)
	}
	for _, tok := range []string{"", "garbage", e.Token + "x"} {
		if _, err := svc.Authenticate(ctx, tok); !errors.Is(err, user.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q): got %v, want unauthenticated", tok, err)
		}
	}
}

func TestEnsureAdmin(t *testing.T) {
	svc, st, _ := newService(t)
	ctx := context.Background()
	created, err := svc.EnsureAdmin(ctx, "Root@Example.com", goodPassword)
	if err != nil || !created {
		t.Fatalf("EnsureAdmin = %v, %v; want created", created, err)
	}
	a, err := svc.Login(ctx, user.LoginInput{Login: "root@example.com", Password: goodPassword})
	if err != nil || a.User.Role != user.RoleAdmin || !a.User.EmailVerified {
		t.Fatalf("login as the admin: %+v, %v", a, err)
	}
	if created, err := svc.EnsureAdmin(ctx, "root@example.com", "another-password-42"); err != nil || created {
		t.Errorf("second EnsureAdmin = %v, %v; want nothing to do", created, err)
	}
	register(t, svc, "member@example.com")
	if _, err := svc.EnsureAdmin(ctx, "member@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.Account(ctx, "member@example.com"); u.Role != user.RoleAdmin {
		t.Errorf("member was not promoted: role %s", u.Role)
	}
	if _, err := svc.EnsureAdmin(ctx, "new@example.com", "password"); err == nil {
		t.Error("EnsureAdmin with a common password: got nil error")
	}
}

// A national number is read in the user's country.
func TestPhoneUsesTheUsersCountry(t *testing.T) {
	svc, _, _ := newService(t)
	a := register(t, svc, "iran@example.com")
	p, err := svc.Authenticate(context.Background(), a.Token)
	if err != nil {
		t.Fatal(err)
	}
	ph := "0933 555 6196"
	u, err := svc.UpdateProfile(context.Background(), p, user.Patch{Profile: user.Profile{Phone: &ph, Address: &user.Address{Country: "IR"}},
		CurrentPassword: goodPassword}, user.Client{})
	if err != nil || u.Phone != "+989335556196" {
		t.Fatalf("UpdateProfile = %v, %v; want +989335556196", u, err)
	}
	if _, err := svc.Login(context.Background(), user.LoginInput{Login: "+98 933 555 6196", Password: goodPassword}); err != nil {
		t.Errorf("login with the phone: %v", err)
	}
	// 00 for +, without a country, as a login reads it.
	b := register(t, svc, "iran2@example.com")
	pb, _ := svc.Authenticate(context.Background(), b.Token)
	idd := "0098 933 555 6197"
	if u, err := svc.UpdateProfile(context.Background(), pb, user.Patch{Profile: user.Profile{Phone: &idd}, CurrentPassword: goodPassword},
		user.Client{}); err != nil || u.Phone != "+989335556197" {
		t.Errorf("UpdateProfile(0098...) = %v, %v; want +989335556197", u, err)
	}
	bad := "0933 555"
	if _, err := svc.UpdateProfile(context.Background(), p, user.Patch{Profile: user.Profile{Phone: &bad}}, user.Client{}); fieldCodes(err)["phone"] != "invalid_phone" {
		t.Errorf("short phone: %v, want invalid_phone", err)
	}
}
