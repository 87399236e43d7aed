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
	MFAEnabled    bool
	CreatedAt     time.Time
	UpdatedAt     time.Time

	PasswordHash string
	// Version increases with every write of the user; writes are conditioned on it.
	Version int64
	// SessionEpoch increases when every session is revoked at once; a session from an
	// earlier epoch is dead, so revocation is one atomic write however many sessions exist.
	SessionEpoch int64
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
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// Code is a stored one-time code: only its hash, what it is for and whom.
type Code struct {
	Hash      string
	Kind      string
	UserID    string
	Email     string
	ExpiresAt time.Time
}

// One-time code kinds.
const (
	CodeVerifyEmail   = "verify_email"
	CodeResetPassword = "reset_password"
)
