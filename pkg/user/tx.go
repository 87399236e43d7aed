package user

import (
	"time"

	"github.com/userbase/userbase/pkg/mail"
)

// Tx is a set of writes that succeed or fail together, as one storage transaction. A use
// case fills in what it changes; the store turns each part into conditioned writes and maps
// a failed condition back to the error named beside the part.
type Tx struct {
	Now time.Time

	Create *User // a new user and its login locks (ErrConflict, ErrEmailTaken, ErrPhoneTaken)
	// Created is Create's account_created event (its ID the user's), and CreatedHits the
	// counters that count the creation without bounding it (a sign-up's verification mail,
	// against the address's mails of the hour). Both ride on the new user and are written
	// from the table's stream once the user is stored (pkg/store; the memory store writes
	// them at once), not in this transaction: a sign-up's own write stays small, and they
	// exist only if the user does. A retried stream batch may count a creation twice,
	// never less.
	Created     *Event
	CreatedHits []Counter
	Save        *Save // replace a user on every copy (ErrConflict, ErrEmailTaken, ErrPhoneTaken)
	Remove      *User // delete a user's profile and locks at its version (ErrConflict)
	// Sponsor must exist (ErrSponsorNotFound).
	Sponsor string

	Sessions []*Session // new sessions
	// Stamp rewrites a session's epoch, so it survives the revocation of the others.
	Stamp *Session
	// Revoke deletes sessions, which must be there (ErrNotFound).
	Revoke []*Session
	// Reauth opens a session's re-authentication window until its ReauthUntil (the
	// session must be there: ErrNotFound).
	Reauth *Session

	Codes   []*Code // new one-time codes
	UseCode *Code   // consumed: must exist and be unexpired at Now (ErrInvalidCode)

	Wishes []*WishItem // put: a New one must not exist yet (ErrConflict), another must (ErrNotFound)
	Unwish []*WishItem // deleted, must be there (ErrNotFound)

	Mails  []*mail.Mail
	Events []*Event

	// Limits are counted only below their Max (ErrLimited, as a *LimitError naming the
	// counter); nothing is written past any of them.
	Limits  []Counter
	Hits    []Counter // counted always
	Uncount []Counter // counted down by one

	MFA *MFA // put
	// RemoveMFA is the user id whose MFA enrollment goes; with MFAUse for the same user,
	// only if that second factor is still unspent (ErrInvalidCode).
	RemoveMFA   string
	MFAToken    *MFAToken // new
	UseMFAToken *MFAToken // consumed: must exist, unexpired (ErrInvalidCode)
	MFAUse      *MFAUse   // a TOTP step or recovery code spent (ErrInvalidCode)

	Ceremony    *Ceremony // a new WebAuthn challenge
	UseCeremony *Ceremony // consumed: must exist, unexpired at Now (ErrInvalidCode)
	// Passkey is a new passkey; its credential must be no account's yet (ErrPasskeyTaken).
	Passkey *Passkey
	// PasskeyUse moves a passkey's signature counter, only from PrevCount (ErrConflict).
	PasskeyUse *PasskeyUse
	// RemovePasskey deletes a passkey (UserID, ID), which must be there (ErrNotFound).
	RemovePasskey *Passkey

	SignInCode *SignInCode // put: replaces the address's code
	// UseSignInCode consumes a sign-in code: it must exist, unexpired at Now, with tries
	// left (ErrInvalidCode).
	UseSignInCode *SignInCode

	// AdminDelta changes the count of active admins by -1 or +1; a -1 that would leave
	// none fails (ErrLastAdmin).
	AdminDelta int

	Failure       *Failure // failed sign-in state written to the user's copies (ErrConflict)
	ClearFailures *User    // failed sign-in state reset on the user's copies
	// LoginFailure is the failed sign-in state of a login that names no account (ErrConflict).
	LoginFailure *LoginFailure
}

// Save replaces Prev with Next; Next.Version must be Prev.Version+1. With ReserveUntil set,
// an email that Next no longer has stays reserved for the user until then (nobody else can
// take it, and the user can take it back): the window in which an email change can be
// reverted.
type Save struct {
	Next, Prev   *User
	ReserveUntil time.Time
}

// MFAUse spends a second factor: a TOTP step, only if after the last one accepted, or a
// recovery code, only if still unused.
type MFAUse struct {
	UserID       string
	Step         int64
	RecoveryHash string
}

// Failure is the new failed sign-in state of User, written only if the stored state is
// still User's (so concurrent failures are each counted: the loser retries).
type Failure struct {
	User *User
	Next Failures
}

// LoginFailure is the new failed sign-in state of a login that names no account, written
// only if the stored state is still Prev.
type LoginFailure struct {
	Login      string
	Prev, Next Failures
	// ExpiresAt is when the state may be forgotten.
	ExpiresAt time.Time
}

// LimitError is a limit reached in a write: which counter, so the caller can say when it
// frees up. It is ErrLimited for errors.Is.
type LimitError struct{ Counter Counter }

func (e *LimitError) Error() string { return "user: limit reached: " + e.Counter.Key }

// Is makes a LimitError match ErrLimited.
func (e *LimitError) Is(target error) bool { return target == ErrLimited }
