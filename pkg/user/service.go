package user

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/lazy"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/profilefields"
)

// Options are the service's settings, from pkg/config.
type Options struct {
	SessionTTL time.Duration
	// SessionIdle ends a session that made no request for this long.
	SessionIdle time.Duration
	// ReauthWindow is how long a proof of identity lets a session make sensitive changes.
	ReauthWindow time.Duration
	// GeneratedPasswordTTL is how long a password an admin had generated works.
	GeneratedPasswordTTL time.Duration
	// RevertTTL is how long the old address of an email change can undo it.
	RevertTTL time.Duration
	// ResetLimitPerHour bounds password reset attempts per source address.
	ResetLimitPerHour    int
	VerifyTTL            time.Duration
	ResetTTL             time.Duration
	MFATokenTTL          time.Duration
	RegisterLimitPerHour int
	MailLimitPerHour     int
	DefaultVerifyURL     string
	DefaultResetURL      string
	DefaultRevertURL     string
	// Links, when set, gives per request what DefaultVerifyURL, DefaultResetURL and
	// DefaultRevertURL give otherwise, and the service's own origin: see Links.
	Links func(ctx context.Context) Links
	// AllowConfirmationURL says whether a confirmation_url's origin is allow-listed.
	AllowConfirmationURL func(*url.URL) bool
	// Issuer names the product in authenticator apps.
	Issuer   string
	Throttle Throttle
	// Fields are the custom profile fields that attributes are held to; nil: none.
	Fields *profilefields.Set
	// ProfileUpdatesPerDay limits profile changes (PATCH /v1/me, avatars) per user per UTC day.
	ProfileUpdatesPerDay int
	// WishlistMax is the most items one wishlist holds.
	WishlistMax int
	// AvatarURLs signs avatar URLs; nil: users are rendered without avatars.
	AvatarURLs AvatarURLs
	// AvatarObjects deletes avatar images when they are replaced or their user is deleted;
	// nil: nothing is deleted from the bucket (functions that never delete avatars, tests).
	AvatarObjects AvatarObjects
	// Secrets seals TOTP secrets at rest; nil: TOTP enrollment fails.
	Secrets Secrets
	// Tokens mints and verifies access tokens; nil: none are minted or accepted.
	Tokens Tokens
	// WebAuthn verifies passkeys; nil: the passkey routes fail (only the functions that
	// verify passkeys link a verifier).
	WebAuthn WebAuthn
	// RelyingParty is who passkeys are bound to; without an ID it is derived from the API's
	// domain as each request reached it.
	RelyingParty RelyingParty
	// CeremonyLimitPerHour bounds the passkey challenges begun per source address.
	CeremonyLimitPerHour int
	// SignInCodeTTL is how long a mailed sign-in code works (10 minutes).
	SignInCodeTTL time.Duration
	// MailSuppressions clears the marks that stop mail to bounced or complaining addresses;
	// nil: an admin cannot clear one.
	MailSuppressions MailSuppressions
}

// Throttle are the sign-in limits.
type Throttle struct {
	MaxFailures   int           // failures per account in Window that lock it
	Window        time.Duration // the failure window
	Lock          time.Duration // the first lock; each next one doubles
	LockMax       time.Duration // the longest lock
	MaxIPFailures int           // failures per source address in Window that are refused
}

// Service holds every account use case.
type Service struct {
	store  Store
	hasher Hasher
	now    func() time.Time
	opts   Options
}

// NewService builds the service. now is the clock (time.Now outside tests).
func NewService(store Store, hasher Hasher, now func() time.Time, opts Options) *Service {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 7 * 24 * time.Hour
	}
	if opts.ReauthWindow <= 0 {
		opts.ReauthWindow = 5 * time.Minute
	}
	if opts.GeneratedPasswordTTL <= 0 {
		opts.GeneratedPasswordTTL = 72 * time.Hour
	}
	if opts.RevertTTL <= 0 {
		opts.RevertTTL = 7 * 24 * time.Hour
	}
	if opts.ResetLimitPerHour <= 0 {
		opts.ResetLimitPerHour = 30
	}
	if opts.VerifyTTL <= 0 {
		opts.VerifyTTL = 24 * time.Hour
	}
	if opts.RegisterLimitPerHour <= 0 {
		opts.RegisterLimitPerHour = 1000
	}
	if opts.ResetTTL <= 0 {
		opts.ResetTTL = time.Hour
	}
	if opts.MFATokenTTL <= 0 {
		opts.MFATokenTTL = 5 * time.Minute
	}
	if opts.MailLimitPerHour <= 0 {
		opts.MailLimitPerHour = 5
	}
	if opts.CeremonyLimitPerHour <= 0 {
		opts.CeremonyLimitPerHour = 1000
	}
	if opts.SignInCodeTTL <= 0 {
		opts.SignInCodeTTL = 10 * time.Minute
	}
	if opts.WishlistMax <= 0 {
		opts.WishlistMax = 100
	}
	if opts.ProfileUpdatesPerDay <= 0 {
		opts.ProfileUpdatesPerDay = 50
	}
	if opts.Issuer == "" {
		opts.Issuer = "Userbase"
	}
	t := &opts.Throttle
	if t.MaxFailures <= 0 {
		t.MaxFailures = 10
	}
	if t.Window <= 0 {
		t.Window = 15 * time.Minute
	}
	if t.Lock <= 0 {
		t.Lock = 15 * time.Minute
	}
	if t.LockMax <= 0 {
		t.LockMax = 24 * time.Hour
	}
	if t.MaxIPFailures <= 0 {
		t.MaxIPFailures = 100
	}
	if opts.AllowConfirmationURL == nil {
		opts.AllowConfirmationURL = func(*url.URL) bool { return false }
	}
	return &Service{store: store, hasher: hasher, now: now, opts: opts}
}

// Client is what a request says about who sent it.
type Client struct {
	IP             string
	UserAgent      string
	AcceptLanguage string
	// Domain is the API's domain name as the request reached it; passkeys are bound to it
	// when no relying party is configured.
	Domain string
}

// Auth is a signed-in user, the token of the new session and an access token of it.
type Auth struct {
	User      *User
	Session   *Session
	Token     string
	ExpiresAt time.Time
	Access    *AccessToken // nil when the service mints none (no Tokens configured)
}

// AccessToken is a signed access token of a session, when it expires, and its lifetime
// from iat to exp: what OAuth's expires_in says, the same on every token.
type AccessToken struct {
	Token     string
	ExpiresAt time.Time
	Lifetime  time.Duration
}

// Bearer is what a presented credential claims: the ids it names and, for a session token,
// the hash of its secret. An empty Hash means an access token whose signature was verified,
// so only the session's liveness is left to check.
type Bearer struct {
	UserID, SessionID, Hash string
}

// bearer reads a credential: an opaque session token, or an access token (a JWT) this
// service signed for a session. Nothing in it is trusted yet beyond its signature.
func (s *Service) bearer(ctx context.Context, token string) (Bearer, error) {
	if p, err := auth.ParseSessionToken(token); err == nil {
		return Bearer{UserID: p.UserID, SessionID: p.SessionID, Hash: p.Hash}, nil
	}
	if s.opts.Tokens != nil && looksLikeJWT(token) {
		uid, sid, err := s.opts.Tokens.Verify(ctx, token)
		switch {
		case err == nil && auth.ValidID(uid) && auth.ValidID(sid):
			return Bearer{UserID: uid, SessionID: sid}, nil
		case err != nil && !errors.Is(err, ErrUnauthenticated):
			return Bearer{}, err // the keys could not be read: not the caller's fault
		}
	}
	return Bearer{}, ErrUnauthenticated
}

// mint signs an access token for session se of u; nil without Tokens. It reads nothing
// in a warm process: a sign-in costs no extra round trip for it.
func (s *Service) mint(ctx context.Context, u *User, se *Session) (*AccessToken, error) {
	if s.opts.Tokens == nil {
		return nil, nil
	}
	at, err := s.opts.Tokens.Mint(ctx, &Claims{UserID: u.ID, SessionID: se.ID, Role: u.Role, Email: u.Email,
		EmailVerified: u.EmailVerified, Methods: se.Methods, AuthTime: se.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("mint access token: %w", err)
	}
	return at, nil
}

// RefreshAccess mints a fresh access token for the live session of a session token (never
// an access token: the session token is the credential that outlives them). One read.
func (s *Service) RefreshAccess(ctx context.Context, sessionToken string) (*Principal, *AccessToken, error) {
	if _, err := auth.ParseSessionToken(sessionToken); err != nil {
		return nil, nil, ErrUnauthenticated
	}
	p, err := s.Authenticate(ctx, sessionToken)
	if err != nil {
		return nil, nil, err
	}
	at, err := s.mint(ctx, p.User, p.Session)
	if err != nil {
		return nil, nil, err
	}
	return p, at, nil
}

// looksLikeJWT reports whether token has the three dot-separated parts of a compact JWS.
func looksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 && len(token) <= 8192 }

// Principal is the authenticated caller of a request.
type Principal struct {
	User    *User
	Session *Session
}

// Registration is a self sign-up.
type Registration struct {
	Email           string
	Password        string
	Profile         Profile
	SponsorID       string
	ConfirmationURL string
	Client          Client
}

// ErrUnauthenticated is a missing, unknown, expired or revoked token.
var ErrUnauthenticated = apperr.New(apperr.Unauthenticated)

// ErrInvalidCredentials is every login failure before the password is known to be right.
var ErrInvalidCredentials = apperr.New(apperr.InvalidCredentials)

// Register creates an account, signs it in and queues its verification mail, in one write.
func (s *Service) Register(ctx context.Context, r Registration) (*Auth, error) {
	now := s.now().UTC()
	var errs apperr.Fields
	email := s.checkNewEmail(r.Email, "email", &errs)
	password := s.checkNewPassword(r.Password, "password", &errs)
	id, err := auth.NewID()
	if err != nil {
		return nil, err
	}
	u := &User{ID: id, Email: email, Role: RoleMember, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	r.Profile.apply(u, now, &errs)
	if err := s.applyAttributes(u, r.Profile.Attributes, r.Profile.Attributes != nil, false, false, &errs); err != nil {
		return nil, err
	}
	if err := s.sponsor(ctx, u, r.SponsorID, &errs); err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	l := s.links(ctx)
	link, err := s.linkTemplate(r.ConfirmationURL, l.Verify, l.Self)
	if err != nil {
		return nil, err
	}
	if u.Language == "" {
		u.Language = string(i18n.Pick("", r.Client.AcceptLanguage))
	}
	if u.PasswordHash, err = s.hashNew(password); err != nil {
		return nil, err
	}
	a, sess, err := s.newSession(u, now, r.Client, MethodPassword)
	if err != nil {
		return nil, err
	}
	code, m, err := s.verification(u, u.Email, link, now)
	if err != nil {
		return nil, err
	}
	// Minted before the write: a token that cannot be signed leaves no account behind.
	if a.Access, err = s.mint(ctx, u, sess); err != nil {
		return nil, err
	}
	limit := s.registerLimit(r.Client.IP, now)
	created, err := s.event(u.ID, EventAccountCreated, now, r.Client, nil)
	if err != nil {
		return nil, err
	}
	created.ID = u.ID
	// One write of what must hold together: the user and its locks, the session the answer
	// carries, the code and the mail that carries it, the sign-up limit, the user count.
	// The search postings, the account_created event and the count of the verification
	// mail against the address's mails of the hour are written from the table's stream
	// after it. The sign-up is not refused for that count (the address had no account until
	// this write, so it is past its limit only through accounts deleted within the hour);
	// the mailer does not send a mail whose count is past the limit (pkg/mailer).
	err = s.store.Apply(ctx, &Tx{Now: now, Create: u, Sponsor: u.SponsorID, Sessions: []*Session{sess},
		Codes: []*Code{code}, Mails: []*mail.Mail{m}, Limits: []Counter{limit},
		Created: created, CreatedHits: []Counter{s.mailLimit(m.Kind, u.Email, now)}})
	switch {
	case errors.Is(err, ErrLimited):
		return nil, limitReached(err, now)
	case errors.Is(err, ErrEmailTaken), errors.Is(err, ErrPhoneTaken):
		// A taken address tells the caller an account exists, so it counts toward the limit
		// too; the failed transaction did not count it.
		if herr := s.store.Hit(ctx, limit); herr != nil {
			return nil, herr
		}
		return nil, err
	case err != nil:
		return nil, err
	}
	return a, nil
}

// Authenticate resolves a bearer token (a session token or an access token) to its live
// session and user: one read.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	b, err := s.bearer(ctx, token)
	if err != nil {
		return nil, err
	}
	p, err := s.principal(ctx, b)
	if err != nil {
		return nil, err
	}
	s.touch(ctx, p.Session)
	return p, nil
}

// VerifiedSession resolves the user and session an access token names, for a caller that
// has verified the token's signature, issuer, audience and lifetime itself (the Lambda
// authorizer of the client's own APIs). The session must be live by the same rules as on
// every request of this API; otherwise ErrUnauthenticated. One read and no write: the
// session's last_seen_at is kept by the refreshes of its access tokens (POST
// /v1/auth/token authenticates the session token), so the caller needs no write access.
func (s *Service) VerifiedSession(ctx context.Context, userID, sessionID string) (*Principal, error) {
	if !auth.ValidID(userID) || !auth.ValidID(sessionID) {
		return nil, ErrUnauthenticated
	}
	return s.principal(ctx, Bearer{UserID: userID, SessionID: sessionID})
}

// principal reads the session b names and its user, and holds them to b and to the
// liveness rules.
func (s *Service) principal(ctx context.Context, b Bearer) (*Principal, error) {
	sess, u, err := s.store.SessionUser(ctx, b.UserID, b.SessionID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if !s.owns(b, sess) || !s.live(sess, u, s.now()) {
		return nil, ErrUnauthenticated
	}
	return &Principal{User: u, Session: sess}, nil
}

// owns reports whether b is a credential of session se: its token's secret, or an access
// token the edge verified (no hash).
func (s *Service) owns(b Bearer, se *Session) bool {
	return se.ID == b.SessionID && (b.Hash == "" || auth.SameHash(se.TokenHash, b.Hash))
}

// live reports whether a session of u still signs u in at now: not revoked (its epoch is
// the user's), not past its absolute lifetime, not idle too long, and u not disabled.
func (s *Service) live(se *Session, u *User, now time.Time) bool {
	return se.Epoch == u.SessionEpoch && now.Before(se.ExpiresAt) &&
		now.Sub(se.LastSeenAt) < s.opts.SessionIdle && u.Active
}

// Logout ends the credential's session, or with all every session of its user, and
// records a logout security event (detail: the session, or all).
func (s *Service) Logout(ctx context.Context, token string, all bool, c Client) error {
	b, err := s.bearer(ctx, token)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	detail := map[string]string{"session_id": b.SessionID}
	if all {
		detail["all"] = "true"
	}
	ev, err := s.event(b.UserID, EventLogout, now, c, detail)
	if err != nil {
		return err
	}
	if !all && b.Hash != "" {
		// The conditional delete is the authentication: one round trip.
		err := s.store.EndSession(ctx, b.UserID, b.SessionID, b.Hash, now, now.Add(-s.opts.SessionIdle), ev)
		if errors.Is(err, ErrNotFound) {
			return ErrUnauthenticated
		}
		return err
	}
	pr, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if !all {
		err := s.store.Apply(ctx, &Tx{Now: now, Revoke: []*Session{pr.Session}, Events: []*Event{ev}})
		if errors.Is(err, ErrNotFound) {
			return ErrUnauthenticated // ended meanwhile
		}
		return err
	}
	// The epoch moves on the user's items conditioned on their version: a change made to
	// the profile meanwhile must not make "sign out everywhere" fail, so it is read again.
	u := pr.User
	return optimistic(ctx, func(attempt int) error {
		if attempt > 0 {
			if u, err = s.store.User(ctx, u.ID); err != nil {
				if errors.Is(err, ErrNotFound) {
					return ErrUnauthenticated
				}
				return err
			}
		}
		return s.store.EndAllSessions(ctx, u, ev)
	})
}

// newSession starts a session of u, signed in at now by methods.
func (s *Service) newSession(u *User, now time.Time, c Client, methods ...string) (*Auth, *Session, error) {
	st, err := auth.NewSessionToken(u.ID)
	if err != nil {
		return nil, nil, err
	}
	exp := now.Add(s.opts.SessionTTL)
	sess := &Session{
		ID: st.SessionID, UserID: u.ID, TokenHash: st.Hash, Epoch: u.SessionEpoch,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: exp,
		IP: truncate(c.IP, 64), UserAgent: truncate(c.UserAgent, 512), Methods: methods,
	}
	return &Auth{User: u, Session: sess, Token: st.Token, ExpiresAt: exp}, sess, nil
}

// verification makes the code that confirms address for u and the mail that carries it.
func (s *Service) verification(u *User, address, link string, now time.Time) (*Code, *mail.Mail, error) {
	kind := mail.KindVerifyEmail
	if address != u.Email {
		kind = mail.KindEmailChangeCode
	}
	return s.codeMail(u, CodeVerifyEmail, kind, address, link, s.opts.VerifyTTL, now)
}

// codeMail makes a one-time code "<user id>.<secret>" — the id lets its use read the code
// and the user in one round trip — and the mail that carries it, as a link when there is a
// link template, else alone.
func (s *Service) codeMail(u *User, codeKind, mailKind, address, link string, ttl time.Duration, now time.Time) (*Code, *mail.Mail, error) {
	secret, _, err := auth.NewCode()
	if err != nil {
		return nil, nil, err
	}
	code := u.ID + "." + secret
	exp := now.Add(ttl)
	m, err := s.notice(u, mailKind, address, now)
	if err != nil {
		return nil, nil, err
	}
	m.ExpiresAt = exp
	if link != "" {
		m.Link = fillLink(link, code, address, m.Lang)
	} else {
		m.Code = code
	}
	return &Code{Hash: auth.HashSecret(code), Kind: codeKind, UserID: u.ID, Email: address, ExpiresAt: exp}, m, nil
}

// notice makes a mail of kind to address, in u's language. The user's name, which the user
// typed, goes only to the account's confirmed address: a mail to an address nobody has
// proved is theirs must not carry text of someone else's choosing.
func (s *Service) notice(u *User, kind, address string, now time.Time) (*mail.Mail, error) {
	id, err := auth.NewID()
	if err != nil {
		return nil, err
	}
	m := &mail.Mail{ID: id, Kind: kind, To: address, Lang: u.Language, ExpiresAt: now.Add(7 * 24 * time.Hour)}
	if address == u.Email && u.EmailVerified {
		m.Name = u.FullName()
	}
	return m, nil
}

// securityNotice is the notice of kind (a password changed, MFA turned on or off, the
// account deleted) to u's address, or none while that address is unconfirmed: anyone may
// sign up with someone else's address, and that owner must not get a mail each time the
// account's holder changes something. Codes that confirm an address are not notices.
func (s *Service) securityNotice(u *User, kind string, now time.Time) ([]*mail.Mail, error) {
	if !u.EmailVerified {
		return nil, nil
	}
	n, err := s.notice(u, kind, u.Email, now)
	if err != nil {
		return nil, err
	}
	return []*mail.Mail{n}, nil
}

// securityChange is what a change to how u signs in records: its security event (eventType,
// detail) and its notice of kind (securityNotice: none to an unconfirmed address).
func (s *Service) securityChange(u *User, eventType, kind string, now time.Time, c Client, detail map[string]string) ([]*Event, []*mail.Mail, error) {
	ev, err := s.event(u.ID, eventType, now, c, detail)
	if err != nil {
		return nil, nil, err
	}
	notice, err := s.securityNotice(u, kind, now)
	if err != nil {
		return nil, nil, err
	}
	return []*Event{ev}, notice, nil
}

// linkTemplate checks a request's confirmation_url, or falls back to the default; "" means
// the code is mailed alone. self is the origin of the service's own pages, admitted besides
// the allow-list ("" none).
func (s *Service) linkTemplate(raw, fallback, self string) (string, error) {
	if raw == "" {
		return fallback, nil
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > MaxURLLen || strings.Count(raw, "{{code}}") != 1 || !uriChars(placeholders.Get().Replace(raw)) ||
		u.User != nil || u.Host == "" ||
		!(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) ||
		!(s.opts.AllowConfirmationURL(u) || self != "" && strings.EqualFold(u.Scheme+"://"+u.Host, self)) {
		return "", apperr.New(apperr.InvalidConfirmationURL)
	}
	return raw, nil
}

// fillLink is a mail's link from its confirmation_url or default: {{code}} becomes the code,
// {{email}} the address the mail goes to and {{lang}} the mail's language, each
// query-escaped. ({{lang}} is the default links' own: a confirmation_url cannot hold it.)
func fillLink(link, code, address, lang string) string {
	return strings.NewReplacer("{{code}}", url.QueryEscape(code), "{{email}}", url.QueryEscape(address),
		"{{lang}}", url.QueryEscape(lang)).Replace(link)
}

// placeholders removes what a confirmation_url may hold besides a URI's characters; made on
// first use, not at package init.
var placeholders = lazy.Value[*strings.Replacer]{New: func() *strings.Replacer {
	return strings.NewReplacer("{{code}}", "", "{{email}}", "")
}}

// uriChars says whether s holds only the characters RFC 3986 allows in a URI, so a link
// put in a mail is one link: no space, line break, quote, angle bracket or non-ASCII text of
// the caller's around it, and a percent sign only in an escape (url.PathUnescape refuses
// "%zz" and a cut "%4").
func uriChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0) {
			return false
		}
	}
	_, err := url.PathUnescape(s)
	return err == nil
}

func isLoopback(host string) bool {
	return strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1"
}

// checkNewEmail is checkEmail for an address an account is about to take: its local part
// must be ASCII too, since SES sends to no other (it has no SMTPUTF8), and an address the
// service cannot mail could never be confirmed or reset. Accounts that have one still sign
// in with it.
func (s *Service) checkNewEmail(raw, field string, errs *apperr.Fields) string {
	e := s.checkEmail(raw, field, errs)
	if at := strings.LastIndexByte(e, '@'); at > 0 && !isASCII(e[:at]) {
		errs.Add(field, apperr.FieldInvalidEmail)
	}
	return e
}

// isASCII reports whether s holds only 7-bit characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (s *Service) checkEmail(raw, field string, errs *apperr.Fields) string {
	if strings.TrimSpace(raw) == "" {
		errs.Add(field, apperr.FieldRequired)
		return ""
	}
	e, ok := NormalizeEmail(raw)
	if !ok {
		errs.Add(field, apperr.FieldInvalidEmail)
	}
	return e
}

// checkNewPassword holds a chosen password to the password rules, adding what is wrong
// with it to errs, and returns it normalized: what hashNew hashes once every other field
// of the request has been checked too.
func (s *Service) checkNewPassword(raw, field string, errs *apperr.Fields) string {
	if raw == "" {
		errs.Add(field, apperr.FieldRequired)
		return ""
	}
	p := auth.NormalizePassword(raw)
	switch code := auth.CheckPassword(p); code {
	case "":
	case apperr.FieldTooShort:
		errs.AddP(field, code, map[string]any{"min": auth.MinPasswordLen})
	case apperr.FieldTooLong:
		errs.AddP(field, code, map[string]any{"max": auth.MaxPasswordLen})
	default:
		errs.Add(field, code)
	}
	return p
}

// hashNew hashes a password checkNewPassword admitted.
func (s *Service) hashNew(password string) (string, error) {
	h, err := s.hasher.Hash(password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utfStart(s[n]) {
		n--
	}
	return s[:n]
}

func utfStart(b byte) bool { return b&0xC0 != 0x80 }

// sponsor reads the sponsor a new user u names, if any, and places u under it in the
// sponsor tree. A sponsor that does not exist is a field error.
func (s *Service) sponsor(ctx context.Context, u *User, id string, errs *apperr.Fields) error {
	if id == "" {
		return nil
	}
	if !auth.ValidID(id) {
		errs.Add("sponsor_id", apperr.FieldNotFound)
		return nil
	}
	sp, err := s.store.User(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		errs.Add("sponsor_id", apperr.FieldNotFound)
		return nil
	case err != nil:
		return err
	}
	u.SponsorID = id
	PlaceUnder(u, sp)
	return nil
}
