package authorizer_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/authorizer"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

const (
	issuer    = "https://id.example.com"
	audience  = "userbase"
	methodArn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/7"
	stageArn  = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"
	routeArn  = "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/orders"
	password  = "correct-horse-battery"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is the authorizer as functions/authorizer wires it — a ring without KMS over the
// key store, a service without a hasher over the user store — beside the full service and
// a signing ring that stand for the API.
type fixture struct {
	clock *clock
	users *user.Service
	mint  *keys.Tokens
	kid   string
	key   *rsa.PrivateKey
	authz *authorizer.Authorizer
	logs  *bytes.Buffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)}, logs: &bytes.Buffer{}}
	ks := keys.NewMemStore()
	ring, err := keys.NewInMemory(keys.Options{Store: ks, Now: f.clock.now}, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.mint = keys.NewTokens(ring, audience, 15*time.Minute)
	if f.kid, f.key, err = ring.Signer(t.Context()); err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	f.users = user.NewService(st, auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, f.clock.now, user.Options{SessionTTL: time.Hour})

	verify := keys.NewTokens(keys.New(keys.Options{Store: ks, Now: f.clock.now}), audience, 15*time.Minute)
	sessions := user.NewService(st, nil, f.clock.now, user.Options{SessionIdle: 30 * time.Minute})
	if f.authz, err = authorizer.New(verify, issuer, sessions, logging.New(f.logs, slog.LevelDebug)); err != nil {
		t.Fatal(err)
	}
	return f
}

var emails = struct {
	mu sync.Mutex
	n  int
}{}

// signIn registers a new account and returns its sign-in and an access token of it.
func (f *fixture) signIn(t testing.TB) (*user.Auth, string) {
	t.Helper()
	emails.mu.Lock()
	emails.n++
	email := "user" + strings.Repeat("x", emails.n) + "@example.com"
	emails.mu.Unlock()
	a, err := f.users.Register(t.Context(), user.Registration{Email: email, Password: password, Client: user.Client{IP: email}})
	if err != nil {
		t.Fatal(err)
	}
	return a, f.access(t, a)
}

// access mints an access token of a's session, as the API does.
func (f *fixture) access(t testing.TB, a *user.Auth) string {
	t.Helper()
	tok, _, err := f.mint.Mint(t.Context(), jwt.Claims{Issuer: issuer, Subject: a.User.ID, SessionID: a.Session.ID,
		Role: a.User.Role, Email: a.User.Email, AMR: []string{"pwd"}, AuthTime: a.Session.CreatedAt})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// forge signs c with the API's own key but anything else we like in it.
func (f *fixture) forge(t *testing.T, c jwt.Claims) string {
	t.Helper()
	tok, err := jwt.Sign(c, f.kid, f.key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// claims are the claims of a's access token, for forging variants of it.
func (f *fixture) claims(a *user.Auth) jwt.Claims {
	now := f.clock.now()
	return jwt.Claims{Issuer: issuer, Subject: a.User.ID, Audience: audience, SessionID: a.Session.ID, Role: "member",
		IssuedAt: now, ExpiresAt: now.Add(15 * time.Minute), ID: "jti-1"}
}

var b64 = base64.RawURLEncoding

// unsigned builds a compact token from a header and a payload, with sig as its signature.
func compact(header, payload string, sig []byte) string {
	return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(sig)
}

// The four event shapes API Gateway sends, each with the Authorization header given
// (none when empty).
type shape struct {
	name   string
	policy bool // answered with an IAM policy (else a simple response)
	event  func(header string) string
}

func headers(name, h string) string {
	if h == "" {
		return `{"Accept":"*/*"}`
	}
	b, _ := json.Marshal(map[string]string{name: h, "Accept": "*/*"})
	return string(b)
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

var shapes = []shape{
	{"REST REQUEST", true, func(h string) string {
		return `{"type":"REQUEST","methodArn":"` + methodArn + `","resource":"/orders/{id}","path":"/orders/7","httpMethod":"GET",` +
			`"headers":` + headers("Authorization", h) + `,"requestContext":{"stage":"prod","requestId":"r-1","apiId":"abc123"}}`
	}},
	{"REST TOKEN", true, func(h string) string {
		return `{"type":"TOKEN","authorizationToken":` + quote(h) + `,"methodArn":"` + methodArn + `"}`
	}},
	{"HTTP API 1.0", true, func(h string) string {
		return `{"version":"1.0","type":"REQUEST","methodArn":"` + methodArn + `","identitySource":` + quote(h) + `,"headers":` + headers("authorization", h) + `}`
	}},
	{"HTTP API 2.0", false, func(h string) string {
		return `{"version":"2.0","type":"REQUEST","routeArn":"` + routeArn + `","identitySource":[` + quote(h) + `],"routeKey":"GET /orders",` +
			`"rawPath":"/orders","headers":` + headers("authorization", h) + `,"requestContext":{"stage":"$default","requestId":"r-2"}}`
	}},
}

// answer is what API Gateway makes of the authorizer's answer.
type answer struct {
	allowed bool
	json    string // the response payload when there is one
}

func (f *fixture) ask(t *testing.T, s shape, header string) answer {
	t.Helper()
	res, err := f.authz.Handle(t.Context(), json.RawMessage(s.event(header)))
	if s.policy && errors.Is(err, authorizer.ErrUnauthorized) {
		if err.Error() != "Unauthorized" {
			t.Fatalf("%s: error %q, want exactly Unauthorized (API Gateway's 401)", s.name, err)
		}
		return answer{allowed: false}
	}
	if err != nil {
		t.Fatalf("%s: got error %v, want an answer", s.name, err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if s.policy {
		var p struct {
			PolicyDocument struct{ Statement []struct{ Effect string } }
		}
		_ = json.Unmarshal(b, &p)
		return answer{allowed: len(p.PolicyDocument.Statement) == 1 && p.PolicyDocument.Statement[0].Effect == "Allow", json: string(b)}
	}
	var r struct{ IsAuthorized bool }
	_ = json.Unmarshal(b, &r)
	return answer{allowed: r.IsAuthorized, json: string(b)}
}

func TestAllowAnswersEachShape(t *testing.T) {
	f := newFixture(t)
	a, tok := f.signIn(t)
	context := `{"email_verified":"false","role":"member","session_id":"` + a.Session.ID + `","user_id":"` + a.User.ID + `"}`
	want := map[bool]string{
		true: `{"principalId":"` + a.User.ID + `","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],` +
			`"Effect":"Allow","Resource":["` + stageArn + `"]}]},"context":` + context + `}`,
		false: `{"isAuthorized":true,"context":` + context + `}`,
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			for _, h := range []string{"Bearer " + tok, "bearer  " + tok, " BEARER " + tok + " "} {
				got := f.ask(t, s, h)
				if diff := cmp.Diff(want[s.policy], got.json); !got.allowed || diff != "" {
					t.Errorf("header %.12q…: got allowed %v, answer (-want +got):\n%s", h, got.allowed, diff)
				}
			}
		})
	}
	if strings.Contains(f.logs.String(), tok) {
		t.Errorf("the log holds the token:\n%s", f.logs.String())
	}
}

// The context is the stored user's, not the token's claims: a change applies at once.
func TestContextIsTheStoredUser(t *testing.T) {
	f := newFixture(t)
	a, _ := f.signIn(t)
	c := f.claims(a)
	c.Role, c.EmailVerified = "admin", true
	got := f.ask(t, shapes[0], "Bearer "+f.forge(t, c))
	if !got.allowed || !strings.Contains(got.json, `"role":"member"`) || !strings.Contains(got.json, `"email_verified":"false"`) {
		t.Errorf("got %s, want the stored role member and email_verified false", got.json)
	}
}

func TestDenyReasons(t *testing.T) {
	f := newFixture(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&f.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}

	type tc struct {
		name   string
		header func(t *testing.T) string
		reason string // in the log line
	}
	cases := []tc{
		{"no header", func(*testing.T) string { return "" }, "no_bearer_token"},
		{"another scheme", func(t *testing.T) string { _, tok := f.signIn(t); return "Basic " + tok }, "no_bearer_token"},
		{"no token", func(*testing.T) string { return "Bearer " }, "no_bearer_token"},
		{"two tokens", func(t *testing.T) string { _, tok := f.signIn(t); return "Bearer " + tok + ", Bearer " + tok }, "no_bearer_token"},
		{"the session token", func(t *testing.T) string { a, _ := f.signIn(t); return "Bearer " + a.Token }, "token: malformed token"},
		{"garbage", func(*testing.T) string { return "Bearer a.b.c" }, "token: malformed token"},
		{"expired", func(t *testing.T) string {
			a, _ := f.signIn(t)
			c := f.claims(a)
			c.IssuedAt, c.ExpiresAt = c.IssuedAt.Add(-time.Hour), c.IssuedAt.Add(-45*time.Minute)
			return "Bearer " + f.forge(t, c)
		}, "token: token expired"},
		{"not yet valid", func(t *testing.T) string {
			a, _ := f.signIn(t)
			c := f.claims(a)
			c.NotBefore = c.IssuedAt.Add(10 * time.Minute)
			return "Bearer " + f.forge(t, c)
		}, "token: token not yet valid"},
		{"another audience", func(t *testing.T) string {
			a, _ := f.signIn(t)
			c := f.claims(a)
			c.Audience = "billing"
			return "Bearer " + f.forge(t, c)
		}, "token: wrong audience"},
		{"another issuer", func(t *testing.T) string {
			a, _ := f.signIn(t)
			c := f.claims(a)
			c.Issuer = "https://evil.example.com"
			return "Bearer " + f.forge(t, c)
		}, "token: wrong issuer"},
		{"an unknown key", func(t *testing.T) string {
			a, _ := f.signIn(t)
			tok, err := jwt.Sign(f.claims(a), jwt.Thumbprint(&other.PublicKey), other)
			if err != nil {
				t.Fatal(err)
			}
			return "Bearer " + tok
		}, "token: unknown signing key"},
		{"another key under our kid", func(t *testing.T) string {
			a, _ := f.signIn(t)
			tok, err := jwt.Sign(f.claims(a), f.kid, other)
			if err != nil {
				t.Fatal(err)
			}
			return "Bearer " + tok
		}, "token: bad signature"},
		{"alg none", func(t *testing.T) string {
			a, _ := f.signIn(t)
			p, _ := json.Marshal(f.claims(a))
			return "Bearer " + compact(`{"alg":"none","kid":"`+f.kid+`","typ":"JWT"}`, string(p), nil)
		}, "token: malformed token"},
		{"HS256 keyed with the public key", func(t *testing.T) string {
			a, _ := f.signIn(t)
			p, _ := json.Marshal(f.claims(a))
			h := `{"alg":"HS256","kid":"` + f.kid + `","typ":"JWT"}`
			mac := hmac.New(sha256.New, pubDER)
			mac.Write([]byte(b64.EncodeToString([]byte(h)) + "." + b64.EncodeToString(p)))
			return "Bearer " + compact(h, string(p), mac.Sum(nil))
		}, "token: algorithm not RS256"},
		{"no session claim", func(t *testing.T) string {
			a, _ := f.signIn(t)
			c := f.claims(a)
			c.SessionID = ""
			return "Bearer " + f.forge(t, c)
		}, "no_session_claim"},
		{"a session of another user", func(t *testing.T) string {
			a, _ := f.signIn(t)
			b, _ := f.signIn(t)
			c := f.claims(a)
			c.SessionID = b.Session.ID
			return "Bearer " + f.forge(t, c)
		}, "session_not_live"},
		{"after logout", func(t *testing.T) string {
			a, tok := f.signIn(t)
			if err := f.users.Logout(t.Context(), a.Token, false, user.Client{}); err != nil {
				t.Fatal(err)
			}
			return "Bearer " + tok
		}, "session_not_live"},
		{"after logout of every session", func(t *testing.T) string {
			a, _ := f.signIn(t)
			b, err := f.users.Login(t.Context(), user.LoginInput{Login: a.User.Email, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.users.Logout(t.Context(), a.Token, true, user.Client{}); err != nil {
				t.Fatal(err)
			}
			return "Bearer " + f.access(t, b)
		}, "session_not_live"},
		{"another session after a password change", func(t *testing.T) string {
			a, _ := f.signIn(t)
			b, err := f.users.Login(t.Context(), user.LoginInput{Login: a.User.Email, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.users.Authenticate(t.Context(), a.Token)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.users.ChangePassword(t.Context(), p, user.PasswordChange{Current: password, New: "purple-monkey-dishwasher-7",
				Confirm: "purple-monkey-dishwasher-7"}, user.Client{}); err != nil {
				t.Fatal(err)
			}
			return "Bearer " + f.access(t, b)
		}, "session_not_live"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			header := c.header(t)
			for _, s := range shapes {
				f.logs.Reset()
				got := f.ask(t, s, header)
				if got.allowed || (!s.policy && got.json != `{"isAuthorized":false}`) {
					t.Errorf("%s: got allowed %v %s, want a refusal", s.name, got.allowed, got.json)
				}
				if line := f.logs.String(); !strings.Contains(line, `"reason":"`+c.reason+`"`) || !strings.Contains(line, `"allow":false`) {
					t.Errorf("%s: log %s, want reason %q", s.name, line, c.reason)
				}
			}
		})
	}
}

// An idle session is refused by the authorizer's own idle limit; a live one is allowed
// again once the API saw it (a token refresh).
func TestIdleSession(t *testing.T) {
	f := newFixture(t)
	a, _ := f.signIn(t)
	f.clock.add(31 * time.Minute)
	tok := f.access(t, a)
	if f.ask(t, shapes[3], "Bearer "+tok).allowed {
		t.Fatal("a session idle past SESSION_IDLE is allowed")
	}
	b, err := f.users.Login(t.Context(), user.LoginInput{Login: a.User.Email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(20 * time.Minute)
	if _, err := f.users.Authenticate(t.Context(), b.Token); err != nil {
		t.Fatal(err)
	}
	f.clock.add(20 * time.Minute)
	if !f.ask(t, shapes[3], "Bearer "+f.access(t, b)).allowed {
		t.Error("a session seen 20 minutes ago is refused")
	}
}

// failing are ports that fail as a table or key ring that cannot be read does.
type failingTokens struct{ err error }

func (f failingTokens) Verify(context.Context, string, string) (*jwt.Claims, error) {
	return nil, f.err
}

type failingSessions struct{ err error }

func (f failingSessions) VerifiedSession(context.Context, string, string) (*user.Principal, error) {
	return nil, f.err
}

type okTokens struct{}

func (okTokens) Verify(context.Context, string, string) (*jwt.Claims, error) {
	return &jwt.Claims{Subject: "u", SessionID: "s"}, nil
}

// Our own failures are errors (API Gateway's 500), never an allow and never a 401 that
// would send a signed-in user to the sign-in page.
func TestFailuresAreErrors(t *testing.T) {
	down := errors.New("connection refused")
	log := logging.New(&bytes.Buffer{}, slog.LevelInfo)
	for name, ports := range map[string]struct {
		tokens   authorizer.Tokens
		sessions authorizer.Sessions
	}{
		"key ring": {failingTokens{down}, failingSessions{errors.New("not called")}},
		"table":    {okTokens{}, failingSessions{down}},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := authorizer.New(ports.tokens, issuer, ports.sessions, log)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range shapes {
				res, err := a.Handle(t.Context(), json.RawMessage(s.event("Bearer x.y.z")))
				if !errors.Is(err, down) || errors.Is(err, authorizer.ErrUnauthorized) {
					t.Errorf("%s: got %v, %v; want the failure as an error", s.name, res, err)
				}
			}
		})
	}
}

func TestUnknownEvents(t *testing.T) {
	f := newFixture(t)
	for _, ev := range []string{
		`not json`,
		`{}`,
		`[]`,
		`{"type":"TOKEN","authorizationToken":"Bearer x"}`,
		`{"type":"REQUEST","headers":{"Authorization":"Bearer x"}}`,
		`{"version":"2.0","type":"REQUEST","headers":{"authorization":"Bearer x"}}`,
		`{"version":"3.0","type":"REQUEST","methodArn":"` + methodArn + `"}`,
		`{"resource":"/orders","httpMethod":"GET","headers":{"Authorization":"Bearer x"},"requestContext":{}}`,
		`{"Records":[]}`,
	} {
		if res, err := f.authz.Handle(t.Context(), json.RawMessage(ev)); !errors.Is(err, authorizer.ErrUnknownEvent) {
			t.Errorf("%s: got %v, %v; want ErrUnknownEvent", ev, res, err)
		}
	}
}

func TestNewNeedsAnIssuer(t *testing.T) {
	if _, err := authorizer.New(okTokens{}, "", failingSessions{}, logging.New(&bytes.Buffer{}, slog.LevelInfo)); err == nil {
		t.Error("New without an issuer: got no error")
	}
}

func TestPolicyResource(t *testing.T) {
	for _, tt := range []struct{ methodArn, want string }{
		{methodArn, stageArn},
		{"arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/", stageArn},
		{"arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/$default", "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/*"},
		{"arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1/POST/a/b/c", "arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1/*"},
		{"arn:aws:execute-api:eu-west-1:123456789012:abc123", "arn:aws:execute-api:eu-west-1:123456789012:abc123"},
		{"no-arn", "no-arn"},
	} {
		ev := `{"type":"TOKEN","authorizationToken":"Bearer t","methodArn":` + quote(tt.methodArn) + `}`
		a, err := authorizer.New(okTokens{}, issuer, okSessions{}, logging.New(&bytes.Buffer{}, slog.LevelInfo))
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Handle(t.Context(), json.RawMessage(ev))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		if !strings.Contains(string(b), `"Resource":[`+quote(tt.want)+`]`) {
			t.Errorf("methodArn %s: got %s, want Resource %s", tt.methodArn, b, tt.want)
		}
	}
}

type okSessions struct{}

func (okSessions) VerifiedSession(_ context.Context, uid, sid string) (*user.Principal, error) {
	return &user.Principal{User: &user.User{ID: uid, Role: "member"}, Session: &user.Session{ID: sid}}, nil
}
