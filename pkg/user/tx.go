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
	Save   *Save // replace a user on every copy (ErrConflict, ErrEmailTaken, ErrPhoneTaken)
	Remove *User // delete a user's profile and locks at its version (ErrConflict)
	// Sponsor must exist (ErrSponsorNotFound).
	Sponsor string

	Sessions []*Session // new sessions
	// Stamp rewrites a session's epoch, so it survives the revocation of the others.
	Stamp *Session
	// Revoke deletes sessions, which must be there (ErrNotFound).
	Revoke []*Session

	Code    *Code // a new one-time code
	UseCode *Code // consumed: must exist and be unexpired at Now (ErrInvalidCode)

	Wishes []*WishItem // put; one with New set must not exist yet (ErrConflict)
	Unwish []*WishItem // deleted, must be there (ErrNotFound)

	Mails  []*mail.Mail
	Events []*Event

	Limit   *Counter  // counted only below its Max (ErrLimited)
	Hits    []Counter // counted always
	Uncount []Counter // counted down by one

	MFA         *MFA      // put
	RemoveMFA   string    // the user id whose MFA enrollment goes
	MFAToken    *MFAToken // new
	UseMFAToken *MFAToken // consumed: must exist, unexpired (ErrInvalidCode)
	MFAUse      *MFAUse   // a TOTP step or recovery code spent (ErrInvalidCode)

	// AdminDelta changes the count of active admins by -1 or +1; a -1 that would leave
	// none fails (ErrLastAdmin).
	AdminDelta int

	Failure       *Failure // failed sign-in state written to the user's copies (ErrConflict)
	ClearFailures *User    // failed sign-in state reset on the user's copies
}

// Save replaces Prev with Next; Next.Version must be Prev.Version+1.
type Save struct{ Next, Prev *User }

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
	User        *User
	Count       int64
	Until       time.Time
	LockedUntil time.Time
	LockLevel   int64
}
