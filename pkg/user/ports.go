package user

import (
	"context"
	"errors"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
)

// Store is the storage the service needs. Implementations: pkg/store (DynamoDB) and
// pkg/store/memstore (tests); pkg/store/storetest holds both to the same contract.
type Store interface {
	// Apply performs every write of tx in one transaction, or none.
	Apply(ctx context.Context, tx *Tx) error

	// Account reads the account a normalized login (email or E.164 phone) names, password
	// hash included. ErrNotFound when there is none.
	Account(ctx context.Context, login string) (*User, error)
	// LoginView reads, in one round trip, what a sign-in with login needs: its account
	// (nil when none, or when login is ""), the failure state of a login that names no
	// account, and the current count of a counter.
	LoginView(ctx context.Context, login, counter string) (*LoginState, error)
	// User reads a user by id. ErrNotFound when there is none.
	User(ctx context.Context, id string) (*User, error)
	// SessionUser reads a session and its user in one round trip. ErrNotFound when either
	// is missing.
	SessionUser(ctx context.Context, userID, sessionID string) (*Session, *User, error)
	// UserSessions reads a user and all its session items in one round trip.
	UserSessions(ctx context.Context, userID string) (*User, []*Session, error)
	// TouchSession records that a session was seen at now.
	TouchSession(ctx context.Context, userID, sessionID string, now time.Time) error
	// EndSession deletes a live session whose stored hash is tokenHash, and writes ev with
	// it: not expired at now, seen after seenSince (else idle), of the user's current
	// session epoch, the user active. ErrNotFound otherwise, and nothing is written.
	EndSession(ctx context.Context, userID, sessionID, tokenHash string, now, seenSince time.Time, ev *Event) error
	// EndAllSessions revokes every session of u at once (a new epoch on every copy of the
	// user, conditioned on u.Version), writes ev with it, and then deletes the session items.
	EndAllSessions(ctx context.Context, u *User, ev *Event) error
	// DeleteSessionItems deletes the session items of a user (after a revocation by epoch).
	DeleteSessionItems(ctx context.Context, userID string) error
	// CodeUser reads a one-time code by hash, the user it names and, when counter is set,
	// that counter's count, in one round trip. The code and user are nil when missing.
	CodeUser(ctx context.Context, hash, userID, counter string) (*Code, *User, int64, error)
	// Count reads a counter's current count (0 when it has none).
	Count(ctx context.Context, counter string) (int64, error)
	// MFAUser reads in one round trip a user, its MFA enrollment (nil when none) and, when
	// tokenHash is set, that MFA token (nil when none).
	MFAUser(ctx context.Context, userID, tokenHash string) (*User, *MFA, *MFAToken, error)
	// UserData reads everything under a user — profile, sessions, wishlist, MFA
	// enrollment, and with events its security events — with one paged Query.
	// ErrNotFound when there is no user.
	UserData(ctx context.Context, userID string, events bool) (*UserData, error)
	// WishState reads whether a wishlist item exists (nil when not) and how many items
	// the wishlist holds.
	WishState(ctx context.Context, userID, productID string) (*WishItem, int, error)
	// Events lists a user's security events, newest first.
	Events(ctx context.Context, userID string) ([]*Event, error)
	// DeleteUserItems deletes every item under a user's partition (sessions, events,
	// enrollment, …), after the user itself is removed.
	DeleteUserItems(ctx context.Context, userID string) error
	// Hit counts one event against a counter, also when it is already past its limit.
	Hit(ctx context.Context, c Counter) error
	// PasskeyView reads in one round trip a WebAuthn ceremony, a user, one of its passkeys
	// (when passkeyID is set) and a counter's count (when counter is set); each nil or 0
	// when missing.
	PasskeyView(ctx context.Context, ceremonyID, userID, passkeyID, counter string) (*PasskeyState, error)
	// Passkeys lists a user's passkeys.
	Passkeys(ctx context.Context, userID string) ([]*Passkey, error)
	// TrySignInCode counts one try of the sign-in code of an address and returns the code as
	// it was before, only if it exists, is unexpired at now and had fewer than maxTries
	// tries; else ErrInvalidCode. Counting first makes the limit hold however many tries
	// run at once.
	TrySignInCode(ctx context.Context, email string, maxTries int, now time.Time) (*SignInCode, error)
	// SearchUsers answers an admin search (see SearchQuery): one page of users in order
	// and the total.
	SearchUsers(ctx context.Context, q *SearchQuery) (*SearchResult, error)
}

// LoginState is what a sign-in reads about a login, in one round trip.
type LoginState struct {
	User *User // nil when the login names no account
	// Failures of a login that names no account (zero when it has none), counted and
	// locked exactly as an account's are.
	Failures Failures
	Count    int64 // the count of the counter asked for
}

// PasskeyState is what a passkey ceremony's answer needs, read in one round trip.
type PasskeyState struct {
	Ceremony *Ceremony
	User     *User
	Passkey  *Passkey
	Count    int64
}

// Secrets seals small secrets (TOTP secrets) for storage under the stack's key, bound to
// what they are for (aad), and opens them again. Implemented with KMS envelope encryption.
type Secrets interface {
	Seal(ctx context.Context, plaintext []byte, aad string) (string, error)
	Open(ctx context.Context, sealed string, aad string) ([]byte, error)
}

// Tokens mints access tokens (JWTs signed with the stack's current key) for sessions and
// verifies them. Minting and verifying use keys cached in the process: no round trip.
type Tokens interface {
	// Mint signs an access token with claims.
	Mint(ctx context.Context, c *Claims) (*AccessToken, error)
	// Verify checks an access token's signature, issuer, audience and lifetime, and
	// returns the user and session it was minted for.
	Verify(ctx context.Context, token string) (userID, sessionID string, err error)
}

// Claims are what an access token says of its session.
type Claims struct {
	UserID, SessionID, Role, Email string
	EmailVerified                  bool
	Methods                        []string  // amr
	AuthTime                       time.Time // when the session signed in
}

// Counter is a fixed-window rate counter. Key names the window, so a new window starts
// from zero; the item expires with it.
type Counter struct {
	Key       string
	Max       int64
	ExpiresAt time.Time
}

// Storage errors the service branches on.
var (
	ErrNotFound        = errors.New("user: not found")
	ErrLimited         = errors.New("user: limit reached")
	ErrConflict        = apperr.New(apperr.Conflict)
	ErrEmailTaken      = apperr.New(apperr.EmailTaken)
	ErrPhoneTaken      = apperr.New(apperr.PhoneTaken)
	ErrInvalidCode     = apperr.New(apperr.InvalidCode)
	ErrLastAdmin       = apperr.New(apperr.LastAdmin)
	ErrSponsorNotFound = apperr.Invalid(apperr.Field("sponsor_id", apperr.FieldNotFound))
)

// Hasher hashes and checks passwords (pkg/auth.Hasher).
type Hasher interface {
	Hash(password string) (string, error)
	Verify(password, hash string) (ok, rehash bool, err error)
	Burn(password string)
}
