// Package config reads the application's settings from the environment once, at init, and
// reports every problem at once.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/profilefields"
)

// Config is every setting a function reads. The template sets each variable.
type Config struct {
	TableName  string
	BucketName string
	MailFrom   string
	AppName    string
	// ConfirmationAllowlist holds allowed origins of confirmation_url; a port of "*" admits any.
	ConfirmationAllowlist []Origin
	DefaultVerifyURL      string
	DefaultResetURL       string
	SessionTTL            time.Duration
	Argon2                Argon2
	LogLevel              string
	RegisterLimitPerHour  int
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
	// Issuer is the access tokens' iss and the base of the discovery document; empty
	// means the API's own URL, https://{domain}/{stage}, taken from each request.
	Issuer string
	// AccessTokenTTL is the lifetime of an access token.
	AccessTokenTTL time.Duration
	// TokenAudience is the access tokens' aud.
	TokenAudience string
}

// Argon2 are the password hashing parameters.
type Argon2 struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// Origin is one allow-listed scheme://host:port; Port "*" means any port, "" the default one.
type Origin struct {
	Scheme, Host, Port string
}

// The environment variable names, each set by template.yaml.
const (
	envTable         = "TABLE_NAME"
	envBucket        = "BUCKET_NAME"
	envMailFrom      = "MAIL_FROM"
	envAppName       = "APP_NAME"
	envAllowlist     = "CONFIRMATION_URL_ALLOWLIST"
	envVerifyURL     = "DEFAULT_VERIFY_URL"
	envResetURL      = "DEFAULT_RESET_URL"
	envSessionTTL    = "SESSION_TTL"
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
)

// DefaultTokenAudience is the access tokens' aud when TOKEN_AUDIENCE is not set.
const DefaultTokenAudience = "userbase"

// Variables lists every variable Load reads, so a test can hold the template to it.
func Variables() []string {
	return []string{envTable, envBucket, envMailFrom, envAppName, envAllowlist, envVerifyURL,
		envResetURL, envSessionTTL, envArgonMemory, envArgonIter, envArgonParallel, envLogLevel,
		envRegisterLimit, envLoginFailures, envLoginWindow, envLoginLock, envLoginLockMax, envLoginIP,
		envMailLimit, envProfileDaily, envWishlistMax, envAvatarURLTTL, envProfileFields,
		envKMSKey, envIssuer, envTokenTTL, envAudience}
}

// Load reads the environment. Every missing or malformed variable is named in the one error.
func Load() (*Config, error) { return load(os.Getenv) }

func load(get func(string) string) (*Config, error) {
	r := reader{get: get}
	c := &Config{
		TableName:            r.required(envTable),
		BucketName:           r.str(envBucket, ""),
		MailFrom:             r.str(envMailFrom, "no-reply@example.com"),
		AppName:              r.str(envAppName, "Userbase"),
		DefaultVerifyURL:     r.str(envVerifyURL, ""),
		DefaultResetURL:      r.str(envResetURL, ""),
		SessionTTL:           r.duration(envSessionTTL, 30*24*time.Hour),
		LogLevel:             r.str(envLogLevel, "info"),
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
		Issuer:               r.issuer(envIssuer),
		AccessTokenTTL:       r.duration(envTokenTTL, 15*time.Minute),
		TokenAudience:        r.str(envAudience, DefaultTokenAudience),
		Argon2: Argon2{
			MemoryKiB:   uint32(r.integer(envArgonMemory, 19456, 8, 4<<20)),
			Iterations:  uint32(r.integer(envArgonIter, 2, 1, 100)),
			Parallelism: uint8(r.integer(envArgonParallel, 1, 1, 64)),
		},
	}
	c.ConfirmationAllowlist = r.origins(envAllowlist)
	fields, err := profilefields.Parse([]byte(get(envProfileFields)))
	if err != nil {
		r.fail(envProfileFields, err.Error())
	}
	c.ProfileFields = fields
	for _, name := range []string{envVerifyURL, envResetURL} {
		if v := get(name); v != "" && !strings.Contains(v, "{{code}}") {
			r.fail(name, "must contain {{code}}")
		}
	}
	if c.AccessTokenTTL < time.Minute || c.AccessTokenTTL > 24*time.Hour {
		r.fail(envTokenTTL, "must be from 1m to 24h")
	}
	if len(r.problems) > 0 {
		return nil, errors.New("config: " + strings.Join(r.problems, "; "))
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

// origins parses "https://app.example.com,http://localhost:*".
func (r *reader) origins(name string) []Origin {
	var out []Origin
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
	return Origin{Scheme: scheme, Host: strings.ToLower(host), Port: port}, nil
}

// Admits reports whether u's origin is one of the allow-list's.
func (c *Config) Admits(u *url.URL) bool {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	for _, o := range c.ConfirmationAllowlist {
		if o.Scheme != u.Scheme || o.Host != host {
			continue
		}
		if o.Port == "*" || o.Port == port {
			return true
		}
	}
	return false
}

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
