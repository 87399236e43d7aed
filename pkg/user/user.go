// Package user is the account domain: the User, its rules and normalization, and the
// service with every use case. It talks to storage through the ports in ports.go and knows
// nothing of AWS or HTTP.
package user

import "time"

// Roles.
const (
	RoleMember = "member"
	RoleAdmin  = "admin"
)

// User is an account. PasswordHash never leaves the service except to storage.
type User struct {
	ID            string
	Email         string // normalized: trimmed, lower-case, ASCII domain
	EmailVerified bool
	PendingEmail  string
	Phone         string // E.164, or ""
	FirstName     string
	LastName      string
	Role          string
	Active        bool
	Language      string
	Currency      string
	Timezone      string
	Gender        string
	BirthDate     string // YYYY-MM-DD
	Address       *Address
	Social        *Social
	Attributes    map[string]any
	AvatarKey     string
	SponsorID     string
	// TreeRoot and TreePath place a sponsored user in the sponsor tree (see DownlineKey).
	TreeRoot   string
	TreePath   string
	MFAEnabled bool
	CreatedAt  time.Time
	UpdatedAt  time.Time

	PasswordHash string
	// Version increases with every write of the user; writes are conditioned on it.
	Version int64
	// SessionEpoch increases when every session is revoked at once; a session from an
	// earlier epoch is dead, so revocation is one atomic write however many sessions exist.
	SessionEpoch int64

	// ResetEpoch increases with every password change or reset; a reset code carries the
	// epoch it was issued in and works only while it is still the user's, so a change of
	// password ends every other outstanding reset code at once.
	ResetEpoch int64
	// EmailSeq counts the confirmed changes of the email address; the revert code of each
	// change carries its number.
	EmailSeq int64
	// Reverts are the revert codes that still work, oldest first. Using one ends it and every
	// later one: whoever holds an earlier address can always take the account back from
	// whoever holds a later one, and never the other way round.
	Reverts []Revert
	// PasswordExpiresAt is when an admin-generated password stops working; zero for a
	// password the user chose.
	PasswordExpiresAt time.Time

	// Failures are the failed sign-ins, kept on the user so that login reads them with the
	// account.
	Failures Failures
}

// Failures is the failed sign-in state of a login: kept on the user for an account, and on
// an item of its own for a login that names no account, so that both lock alike and the
// lock tells nothing about who has an account.
type Failures struct {
	Count       int64     // failures in the window ending at Until
	Until       time.Time // end of the current failure window
	LockedUntil time.Time // sign-in refused until then
	LockLevel   int64     // locks in a row; each doubles the next
}

// Revert is an outstanding revert code of a user: the change it undoes (its EmailSeq) and
// when it expires.
type Revert struct {
	Seq       int64
	ExpiresAt time.Time
}

// Address is a postal address.
type Address struct {
	Country    string `json:"country,omitempty"`
	State      string `json:"state,omitempty"`
	City       string `json:"city,omitempty"`
	District   string `json:"district,omitempty"`
	Line       string `json:"line,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// Social holds profile links, each an https URL.
type Social struct {
	Website   string `json:"website,omitempty"`
	Instagram string `json:"instagram,omitempty"`
	Telegram  string `json:"telegram,omitempty"`
	LinkedIn  string `json:"linkedin,omitempty"`
	Facebook  string `json:"facebook,omitempty"`
	Twitter   string `json:"twitter,omitempty"`
}

// FullName is the name shown for the user.
func (u *User) FullName() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Session is one signed-in device. Only the hash of its token's secret is kept.
type Session struct {
	ID         string
	UserID     string
	TokenHash  string
	Epoch      int64
	CreatedAt  time.Time // when the user signed in: the access tokens' auth_time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
	// Methods are how the user proved who they are at sign-in, as access tokens' amr
	// claim names them: pwd, otp, hwk, swk, email.
	Methods []string
	// ReauthUntil is the end of the session's re-authentication window: until then it may
	// make sensitive changes without another proof.
	ReauthUntil time.Time
}

// Authentication methods, as RFC 8176 names them for the amr claim.
const (
	MethodPassword = "pwd"
	MethodOTP      = "otp"
	MethodHardware = "hwk"
	MethodSoftware = "swk"
	MethodEmail    = "email"
)

// Code is a stored one-time code: only its hash, what it is for and whom.
type Code struct {
	Hash      string
	Kind      string
	UserID    string
	Email     string
	ExpiresAt time.Time
	// Epoch is the user's ResetEpoch when a reset code was issued, and the number of the
	// change (EmailSeq) a revert code undoes.
	Epoch int64
}

// One-time code kinds.
const (
	CodeVerifyEmail   = "verify_email"
	CodeResetPassword = "reset_password"
	// CodeRevertEmail undoes an email change: mailed to the old address, it restores it.
	CodeRevertEmail = "revert_email"
)

// Event is an entry of an account's security log.
type Event struct {
	ID        string
	UserID    string
	Type      string
	At        time.Time
	IP        string
	UserAgent string
	Detail    map[string]string
}

// Security event types.
const (
	EventAccountCreated       = "account_created"
	EventLoginSucceeded       = "login_succeeded"
	EventLoginFailed          = "login_failed"
	EventLocked               = "locked"
	EventLogout               = "logout"
	EventSessionRevoked       = "session_revoked"
	EventPasswordChanged      = "password_changed"
	EventPasswordReset        = "password_reset"
	EventEmailChangeRequested = "email_change_requested"
	EventEmailChanged         = "email_changed"
	EventEmailVerified        = "email_verified"
	EventMFAEnabled           = "mfa_enabled"
	EventMFADisabled          = "mfa_disabled"
	EventRoleChanged          = "role_changed"
	EventAccountDeleted       = "account_deleted"
	EventEmailChangeReverted  = "email_change_reverted"
	EventReauthenticated      = "reauthenticated"
	EventPasskeyAdded         = "passkey_added"
	EventPasskeyRemoved       = "passkey_removed"
	// EventPasskeyCloneDetected is an assertion whose signature counter did not move
	// forward: the credential's key may have been copied. The assertion is refused.
	EventPasskeyCloneDetected = "passkey_clone_detected"
)

// MFA is a user's TOTP enrollment. Pending until the first code confirms it.
type MFA struct {
	UserID string
	// SealedSecret is the TOTP secret sealed under the stack's key (Options.Secrets): it
	// is never stored in clear.
	SealedSecret string
	Pending      bool
	LastStep     int64    // the last TOTP step accepted; no code of it or before is taken again
	Recovery     []string // salted hashes of the unused recovery codes
	// RecoverySalt salts the recovery codes' hashes (see auth.HashRecoveryCode).
	RecoverySalt string
}

// MFAToken is the proof of a correct first factor that a second factor must complete.
type MFAToken struct {
	// Method is the first factor proved: MethodPassword or MethodEmail.
	Method    string
	UserID    string
	Hash      string
	ExpiresAt time.Time
	IP        string
	UserAgent string
}
