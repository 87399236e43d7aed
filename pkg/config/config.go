// Package config reads the application's settings from the environment once, at init, and
// reports every problem at once.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/profilefields"
)

// HTTP is what every route function reads, one that needs no table included: which browser
// origins get CORS headers, and how much to log.
type HTTP struct {
	// CORSOrigins are the origins whose browser requests are answered with CORS headers; a
	// port of "*" admits any port.
	CORSOrigins Origins
	// LogLevel is the lowest level every logger of the function writes.
	LogLevel slog.Level
	// Issuer is the access tokens' iss and the base of the discovery document; empty
	// means the API's own URL, https://{domain}/{stage}, taken from each request.
	Issuer string
}

// Config is every setting a function reads. The template sets each variable.
type Config struct {
	HTTP
	TableName  string
	BucketName string
	MailFrom   string
	AppName    string
	// ConfirmationAllowlist holds allowed origins of confirmation_url; a port of "*" admits any.
	ConfirmationAllowlist Origins
	DefaultVerifyURL      string
	DefaultResetURL       string
	DefaultRevertURL      string
	SessionTTL            time.Duration
	// SessionIdle ends a session that made no request for this long.
	SessionIdle time.Duration
	// ReauthWindow is how long a proof of identity lets a session make sensitive changes.
	ReauthWindow time.Duration
	// GeneratedPasswordTTL is how long an admin-generated password works.
	GeneratedPasswordTTL time.Duration
	// ResetLimitPerHour bounds password reset attempts per source address.
	ResetLimitPerHour    int
	Argon2               Argon2
	RegisterLimitPerHour int
	// Sign-in throttling: failures per account in a window lock it (doubling on repeat, up
	// to LockMax); failures per source address in the same window are refused.
	LoginMaxFailures   int
	LoginWindow        time.Duration
	LoginLock          time.Duration
	LoginLockMax       time.Duration
	LoginMaxIPFailures int
	// MailLimitPerHour is how many mails of one kind an address gets in an hour.
	MailLimitPerHour int
	// ProfileUpdatesPerDay is how many profile changes (PATCH /v1/me, avatar) a user may
	// make in a UTC day.
	ProfileUpdatesPerDay int
	// WishlistMax is the most items a wishlist holds.
	WishlistMax int
	// AvatarURLTTL is how long a signed avatar URL works.
	AvatarURLTTL time.Duration
	// ProfileFields are the custom profile fields, declared as a JSON document.
	ProfileFields *profilefields.Set
	// KMSKeyID is the stack's KMS key (its ARN), under which the data key is encrypted.
	KMSKeyID string
	// AccessTokenTTL is the lifetime of an access token.
	AccessTokenTTL time.Duration
	// TokenAudience is the access tokens' aud.
	TokenAudience string
	// MetricsNamespace is the CloudWatch namespace of the functions' metrics (EMF lines).
	MetricsNamespace string
	// MailConfigurationSet is the SES configuration set mail is sent with, whose bounces and
	// complaints come back to the mail-feedback function; "" sends without one.
	MailConfigurationSet string
}

// RelyingParty is who passkeys are bound to: an id (a domain) and the exact origins whose
// pages may use them. Only the functions that hand out passkey options read it (see
// LoadRelyingParty), so Load, which every function runs, leaves it out.
type RelyingParty struct {
	// ID is the relying party id; empty: the API's own domain, as each request reached it.
	ID string
	// Origins are the exact origins whose pages may use passkeys; by default https://<ID>.
	Origins []string
}

// Argon2 are the password hashing parameters.
type Argon2 struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// Origin is one allow-listed scheme://host:port; Port "*" means any port, "" the default one.
// Host is lower case, an IPv6 address without its brackets.
type Origin struct {
	Scheme, Host, Port string
}

// Origins is an allow-list of origins, as CONFIRMATION_URL_ALLOWLIST and CORS_ALLOWED_ORIGINS
// write it: comma-separated scheme://host[:port], where a port of "*" admits any.
type Origins []Origin

// The environment variable names, each set by template.yaml.
const (
	envTable         = "TABLE_NAME"
	envBucket        = "BUCKET_NAME"
	envMailFrom      = "MAIL_FROM"
	envAppName       = "APP_NAME"
	envAllowlist     = "CONFIRMATION_URL_ALLOWLIST"
	envCORSOrigins   = "CORS_ALLOWED_ORIGINS"
	envVerifyURL     = "DEFAULT_VERIFY_URL"
	envResetURL      = "DEFAULT_RESET_URL"
	envRevertURL     = "DEFAULT_REVERT_URL"
	envSessionTTL    = "SESSION_TTL"
	envSessionIdle   = "SESSION_IDLE"
	envReauthWindow  = "REAUTH_WINDOW"
	envGeneratedTTL  = "GENERATED_PASSWORD_TTL"
	envResetLimit    = "RESET_LIMIT_PER_HOUR"
	envArgonMemory   = "ARGON2_MEMORY_KIB"
	envArgonIter     = "ARGON2_ITERATIONS"
	envArgonParallel = "ARGON2_PARALLELISM"
	envLogLevel      = "LOG_LEVEL"
	envRegisterLimit = "REGISTER_LIMIT_PER_HOUR"
	envLoginFailures = "LOGIN_MAX_FAILURES"
	envLoginWindow   = "LOGIN_FAILURE_WINDOW"
	envLoginLock     = "LOGIN_LOCK"
	envLoginLockMax  = "LOGIN_LOCK_MAX"
	envLoginIP       = "LOGIN_MAX_IP_FAILURES"
	envMailLimit     = "MAIL_LIMIT_PER_HOUR"
	envProfileDaily  = "PROFILE_UPDATES_PER_DAY"
	envWishlistMax   = "WISHLIST_MAX_ITEMS"
	envAvatarURLTTL  = "AVATAR_URL_TTL"
	envProfileFields = "PROFILE_FIELDS"
	envKMSKey        = "KMS_KEY_ID"
	envIssuer        = "ISSUER"
	envTokenTTL      = "ACCESS_TOKEN_TTL"
	envAudience      = "TOKEN_AUDIENCE"
	envWebAuthnRPID  = "WEBAUTHN_RP_ID"
	envWebAuthnOrig  = "WEBAUTHN_ORIGINS"
	envMetrics       = "METRICS_NAMESPACE"
	envMailConfigSet = "MAIL_CONFIGURATION_SET"
)

// DefaultTokenAudience is the access tokens' aud when TOKEN_AUDIENCE is not set.
const DefaultTokenAudience = "userbase"

// Variables lists every variable Load reads, so a test can hold the template to it.
func Variables() []string {
	return []string{envTable, envBucket, envMailFrom, envAppName, envAllowlist, envVerifyURL,
		envResetURL, envSessionTTL, envArgonMemory, envArgonIter, envArgonParallel, envLogLevel,
		envRegisterLimit, envLoginFailures, envLoginWindow, envLoginLock, envLoginLockMax, envLoginIP,
		envMailLimit, envProfileDaily, envWishlistMax, envAvatarURLTTL, envProfileFields, envCORSOrigins, envRevertURL,
		envSessionIdle, envReauthWindow, envGeneratedTTL, envResetLimit, envKMSKey, envIssuer, envTokenTTL, envAudience,
		envWebAuthnRPID, envWebAuthnOrig, envMetrics, envMailConfigSet}
}

// LoadRelyingParty reads WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS.
func LoadRelyingParty() (*RelyingParty, error) { return loadRelyingParty(os.Getenv) }

func loadRelyingParty(get func(string) string) (*RelyingParty, error) {
	r := reader{get: get}
	id, origins := r.webAuthn(envWebAuthnRPID, envWebAuthnOrig)
	if err := r.err(); err != nil {
		return nil, err
	}
	return &RelyingParty{ID: id, Origins: origins}, nil
}

// Load reads the environment. Every missing or malformed variable is named in the one error.
func Load() (*Config, error) { return load(os.Getenv) }

// LoadHTTP reads only what HTTP is made of, for the code that every route function runs
// (the request glue, the logger), whether or not the function reads anything else.
func LoadHTTP() (*HTTP, error) {
	r := reader{get: os.Getenv}
	h := r.http()
	if err := r.err(); err != nil {
		return nil, err
	}
	return &h, nil
}

// Pages is what the hosted account pages read: the product name they show and the bucket
// whose signed avatar URLs they display.
type Pages struct {
	AppName    string
	BucketName string
}

// LoadPages reads what Pages is made of.
func LoadPages() (*Pages, error) {
	r := reader{get: os.Getenv}
	p := &Pages{AppName: r.str(envAppName, "Userbase"), BucketName: r.str(envBucket, "")}
	if err := r.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (r *reader) http() HTTP {
	return HTTP{CORSOrigins: r.origins(envCORSOrigins), LogLevel: r.level(envLogLevel), Issuer: r.issuer(envIssuer)}
}

func (r *reader) err() error {
	if len(r.problems) > 0 {
		return errors.New("config: " + strings.Join(r.problems, "; "))
	}
	return nil
}

func load(get func(string) string) (*Config, error) {
	r := reader{get: get}
	c := &Config{
		HTTP:                 r.http(),
		TableName:            r.required(envTable),
		BucketName:           r.str(envBucket, ""),
		MailFrom:             r.str(envMailFrom, "no-reply@example.com"),
		AppName:              r.str(envAppName, "Userbase"),
		DefaultVerifyURL:     r.str(envVerifyURL, ""),
		DefaultResetURL:      r.str(envResetURL, ""),
		DefaultRevertURL:     r.str(envRevertURL, ""),
		SessionTTL:           r.duration(envSessionTTL, 30*24*time.Hour),
		SessionIdle:          r.duration(envSessionIdle, 7*24*time.Hour),
		ReauthWindow:         r.duration(envReauthWindow, 5*time.Minute),
		GeneratedPasswordTTL: r.duration(envGeneratedTTL, 72*time.Hour),
		ResetLimitPerHour:    r.integer(envResetLimit, 30, 1, 1<<20),
		RegisterLimitPerHour: r.integer(envRegisterLimit, 1000, 1, 1<<30),
		LoginMaxFailures:     r.integer(envLoginFailures, 10, 1, 1000),
		LoginWindow:          r.duration(envLoginWindow, 15*time.Minute),
		LoginLock:            r.duration(envLoginLock, 15*time.Minute),
		LoginLockMax:         r.duration(envLoginLockMax, 24*time.Hour),
		LoginMaxIPFailures:   r.integer(envLoginIP, 100, 1, 1<<30),
		MailLimitPerHour:     r.integer(envMailLimit, 5, 1, 10000),
		ProfileUpdatesPerDay: r.integer(envProfileDaily, 50, 1, 1<<20),
		WishlistMax:          r.integer(envWishlistMax, 100, 1, 10000),
		AvatarURLTTL:         r.duration(envAvatarURLTTL, 15*time.Minute),
		KMSKeyID:             r.str(envKMSKey, ""),
		AccessTokenTTL:       r.duration(envTokenTTL, 15*time.Minute),
		TokenAudience:        r.str(envAudience, DefaultTokenAudience),
		MetricsNamespace:     r.str(envMetrics, "Userbase"),
		MailConfigurationSet: r.str(envMailConfigSet, ""),
		Argon2: Argon2{
			MemoryKiB:   uint32(r.integer(envArgonMemory, 19456, 8, auth.MaxMemoryKiB)),
			Iterations:  uint32(r.integer(envArgonIter, 2, 1, auth.MaxIterations)),
			Parallelism: uint8(r.integer(envArgonParallel, 1, 1, auth.MaxParallelism)),
		},
	}
	c.ConfirmationAllowlist = r.origins(envAllowlist)
	fields, err := profilefields.Parse([]byte(get(envProfileFields)))
	if err != nil {
		r.fail(envProfileFields, err.Error())
	}
	c.ProfileFields = fields
	for _, name := range []string{envVerifyURL, envResetURL, envRevertURL} {
		if v := get(name); v != "" && !strings.Contains(v, "{{code}}") {
			r.fail(name, "must contain {{code}}")
		}
	}
	if c.AccessTokenTTL < time.Minute || c.AccessTokenTTL > 24*time.Hour {
		r.fail(envTokenTTL, "must be from 1m to 24h")
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return c, nil
}

type reader struct {
	get      func(string) string
	problems []string
}

func (r *reader) fail(name, why string) { r.problems = append(r.problems, name+" "+why) }

func (r *reader) required(name string) string {
	v := strings.TrimSpace(r.get(name))
	if v == "" {
		r.fail(name, "is missing")
	}
	return v
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.get(name)); v != "" {
		return v
	}
	return def
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(r.get(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Sprintf("is not a positive duration (%q)", v))
		return def
	}
	return d
}

func (r *reader) integer(name string, def, lo, hi int) int {
	v := strings.TrimSpace(r.get(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be an integer from %d to %d (%q)", lo, hi, v))
		return def
	}
	return n
}

// level reads debug, info, warn or error (any case); empty is info.
func (r *reader) level(name string) slog.Level {
	v := strings.TrimSpace(r.get(name))
	var l slog.Level
	switch strings.ToLower(v) {
	case "", "info":
		l = slog.LevelInfo
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		r.fail(name, fmt.Sprintf("must be debug, info, warn or error (%q)", v))
	}
	return l
}

// issuer reads an absolute http(s) URL with no query, fragment or trailing slash, as an
// OIDC issuer must be ("" is allowed: derived per request).
func (r *reader) issuer(name string) string {
	v := strings.TrimSpace(r.get(name))
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		u.User != nil || strings.HasSuffix(v, "/") {
		r.fail(name, fmt.Sprintf("must be an http(s) URL without a trailing slash, query or fragment (%q)", v))
		return ""
	}
	return v
}

// webAuthn reads the relying party id (a lower-case domain) and its exact origins
// (comma-separated scheme://host[:port], https, or http on localhost, each host the id or
// under it, which also holds the id to the shape of a host); origins without an id are a
// mistake.
func (r *reader) webAuthn(idName, originsName string) (string, []string) {
	id, origins := strings.TrimSpace(r.get(idName)), strings.Fields(strings.ReplaceAll(r.get(originsName), ",", " "))
	if id == "" {
		if len(origins) > 0 {
			r.fail(originsName, "needs "+idName)
		}
		return "", nil
	}
	if len(origins) == 0 {
		origins = []string{"https://" + id}
	}
	for _, s := range origins {
		o, err := ParseOrigin(s)
		if err != nil || o.Port == "*" || o.Scheme == "http" && o.Host != "localhost" && o.Host != "127.0.0.1" ||
			o.Host != id && !strings.HasSuffix(o.Host, "."+id) {
			r.fail(originsName, "has "+s+": want an exact origin of "+id+" or under it (http only on localhost)")
		}
	}
	return id, origins
}

// origins parses "https://app.example.com,http://localhost:*".
func (r *reader) origins(name string) Origins {
	var out Origins
	for _, s := range strings.Split(r.get(name), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		o, err := ParseOrigin(s)
		if err != nil {
			r.fail(name, err.Error())
			continue
		}
		out = append(out, o)
	}
	return out
}

// ParseOrigin reads one allow-list entry.
func ParseOrigin(s string) (Origin, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "https" && scheme != "http") || rest == "" || strings.ContainsAny(rest, "/?#@") {
		return Origin{}, fmt.Errorf("has a bad origin %q (want scheme://host[:port])", s)
	}
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
		if port != "*" {
			if _, err := strconv.Atoi(port); err != nil {
				return Origin{}, fmt.Errorf("has a bad port in %q", s)
			}
		}
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return Origin{}, fmt.Errorf("has no host in %q", s)
	}
	return Origin{Scheme: scheme, Host: strings.ToLower(host), Port: port}, nil
}

// Admits reports whether u's origin is one of the allow-list's.
func (l Origins) Admits(u *url.URL) bool {
	return l.admits(u.Scheme, u.Hostname(), u.Port())
}

// AdmitsOrigin reports whether origin, the value of a request's Origin header, is one of
// the allow-list's. Only a serialized origin qualifies: scheme://host[:port] with a
// numeric port and nothing after it ("null" and anything else never do).
func (l Origins) AdmitsOrigin(origin string) bool {
	if len(l) == 0 {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
		u.Opaque != "" || strings.HasSuffix(origin, "?") || strings.HasSuffix(origin, "#") {
		return false
	}
	if p := u.Port(); p != "" {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return false
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return false
	}
	return l.admits(u.Scheme, u.Hostname(), u.Port())
}

func (l Origins) admits(scheme, host, port string) bool {
	host = strings.ToLower(host)
	for _, o := range l {
		if o.Scheme != scheme || o.Host != host {
			continue
		}
		if o.Port == "*" || o.Port == port {
			return true
		}
	}
	return false
}

// Admits reports whether u's origin is one a confirmation_url may use.
func (c *Config) Admits(u *url.URL) bool { return c.ConfirmationAllowlist.Admits(u) }

// Defaults is the configuration of a deployment that sets only its table: what tools
// outside Lambda (the admin CLI, the local stack) use to run the same service code.
func Defaults(table string) *Config {
	c, err := load(func(name string) string {
		if name == envTable {
			return table
		}
		return ""
	})
	if err != nil {
		panic(err) // the defaults are valid; a failure here is a bug in this file
	}
	return c
}
