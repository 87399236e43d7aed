package store

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/user"
)

// userItem is the stored form of a user. The same attributes are written to the profile
// item and to each login lock item, so login reads one item and answers with the profile.
type userItem struct {
	PK            string         `dynamodbav:"pk"`
	SK            string         `dynamodbav:"sk"`
	Type          string         `dynamodbav:"type"`
	ID            string         `dynamodbav:"id"`
	Email         string         `dynamodbav:"email"`
	EmailVerified bool           `dynamodbav:"email_verified"`
	PendingEmail  string         `dynamodbav:"pending_email,omitempty"`
	Phone         string         `dynamodbav:"phone,omitempty"`
	FirstName     string         `dynamodbav:"first_name,omitempty"`
	LastName      string         `dynamodbav:"last_name,omitempty"`
	Role          string         `dynamodbav:"role"`
	Active        bool           `dynamodbav:"active"`
	Language      string         `dynamodbav:"language,omitempty"`
	Currency      string         `dynamodbav:"currency,omitempty"`
	Timezone      string         `dynamodbav:"timezone,omitempty"`
	Gender        string         `dynamodbav:"gender,omitempty"`
	BirthDate     string         `dynamodbav:"birth_date,omitempty"`
	Address       *user.Address  `dynamodbav:"address,omitempty"`
	Social        *user.Social   `dynamodbav:"social,omitempty"`
	Attributes    map[string]any `dynamodbav:"attributes,omitempty"`
	AvatarKey     string         `dynamodbav:"avatar_key,omitempty"`
	SponsorID     string         `dynamodbav:"sponsor_id,omitempty"`
	TreeRoot      string         `dynamodbav:"tree_root,omitempty"`
	TreePath      string         `dynamodbav:"tree_path,omitempty"`
	MFAEnabled    bool           `dynamodbav:"mfa_enabled"`
	CreatedAt     time.Time      `dynamodbav:"created_at"`
	UpdatedAt     time.Time      `dynamodbav:"updated_at"`
	PasswordHash  string         `dynamodbav:"password_hash"`
	Version       int64          `dynamodbav:"version"`
	SessionEpoch  int64          `dynamodbav:"session_epoch"`
	FailCount     int64          `dynamodbav:"fail_count"`
	FailUntil     int64          `dynamodbav:"fail_until"`
	LockedUntil   int64          `dynamodbav:"locked_until"`
	LockLevel     int64          `dynamodbav:"lock_level"`
}

func toUserItem(u *user.User, pk, sk, typ string) userItem {
	return userItem{
		PK: pk, SK: sk, Type: typ, ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified,
		PendingEmail: u.PendingEmail, Phone: u.Phone, FirstName: u.FirstName, LastName: u.LastName,
		Role: u.Role, Active: u.Active, Language: u.Language, Currency: u.Currency,
		Timezone: u.Timezone, Gender: u.Gender, BirthDate: u.BirthDate, Address: u.Address,
		Social: u.Social, Attributes: u.Attributes, AvatarKey: u.AvatarKey, SponsorID: u.SponsorID,
		TreeRoot: u.TreeRoot, TreePath: u.TreePath, MFAEnabled: u.MFAEnabled, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		PasswordHash: u.PasswordHash, Version: u.Version, SessionEpoch: u.SessionEpoch,
		FailCount: u.FailCount, FailUntil: unix(u.FailUntil), LockedUntil: unix(u.LockedUntil), LockLevel: u.LockLevel,
	}
}

// unix is a time as a number attribute; the zero time is 0.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func (it *userItem) user() *user.User {
	return &user.User{
		ID: it.ID, Email: it.Email, EmailVerified: it.EmailVerified, PendingEmail: it.PendingEmail,
		Phone: it.Phone, FirstName: it.FirstName, LastName: it.LastName, Role: it.Role,
		Active: it.Active, Language: it.Language, Currency: it.Currency, Timezone: it.Timezone,
		Gender: it.Gender, BirthDate: it.BirthDate, Address: it.Address, Social: it.Social,
		Attributes: it.Attributes, AvatarKey: it.AvatarKey, SponsorID: it.SponsorID,
		TreeRoot: it.TreeRoot, TreePath: it.TreePath, MFAEnabled: it.MFAEnabled, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
		PasswordHash: it.PasswordHash, Version: it.Version, SessionEpoch: it.SessionEpoch,
		FailCount: it.FailCount, FailUntil: fromUnix(it.FailUntil), LockedUntil: fromUnix(it.LockedUntil), LockLevel: it.LockLevel,
	}
}

// Item types, stored in each item's "type" attribute.
const (
	typeUser    = "user"
	typeLock    = "lock"
	typeSession = "session"
	typeCode    = "code"
	typeMail    = "mail"
	typeEvent   = "event"
	typeMFA     = "mfa"
	typeMFATok  = "mfa_token"
	typeWish    = "wish"
)

// userCopies are the keys of every item that holds a copy of u: the profile and its locks.
func userCopies(u *user.User) [][2]string {
	out := [][2]string{{prefixUser + u.ID, skProfile}, {prefixEmail + u.Email, skLock}}
	if u.Phone != "" {
		out = append(out, [2]string{prefixPhone + u.Phone, skLock})
	}
	return out
}

func marshalUser(u *user.User, pk, sk string) (map[string]types.AttributeValue, error) {
	typ := typeLock
	if sk == skProfile {
		typ = typeUser
	}
	av, err := attributevalue.MarshalMap(toUserItem(u, pk, sk, typ))
	if err != nil {
		return nil, fmt.Errorf("marshal user %s: %w", u.ID, err)
	}
	if sk == skProfile {
		indexAttrs(u, av)
	} else {
		delete(av, attrRoot) // a lock is in no index
		delete(av, attrPath)
	}
	return av, nil
}

func unmarshalUser(av map[string]types.AttributeValue) (*user.User, error) {
	var it userItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal user: %w", err)
	}
	return it.user(), nil
}

type sessionItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	Type       string    `dynamodbav:"type"`
	ID         string    `dynamodbav:"id"`
	UserID     string    `dynamodbav:"user_id"`
	TokenHash  string    `dynamodbav:"token_hash"`
	Epoch      int64     `dynamodbav:"epoch"`
	CreatedAt  time.Time `dynamodbav:"created_at"`
	LastSeenAt time.Time `dynamodbav:"last_seen_at"`
	ExpiresAt  int64     `dynamodbav:"expires_at"` // the table's TTL attribute
	IP         string    `dynamodbav:"ip,omitempty"`
	UserAgent  string    `dynamodbav:"user_agent,omitempty"`
}

func marshalSession(se *user.Session) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(sessionItem{
		PK: prefixUser + se.UserID, SK: prefixSession + se.ID, Type: typeSession, ID: se.ID,
		UserID: se.UserID, TokenHash: se.TokenHash, Epoch: se.Epoch, CreatedAt: se.CreatedAt,
		LastSeenAt: se.LastSeenAt, ExpiresAt: se.ExpiresAt.Unix(), IP: se.IP, UserAgent: se.UserAgent,
	})
}

func unmarshalSession(av map[string]types.AttributeValue) (*user.Session, error) {
	var it sessionItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal session: %w", err)
	}
	return &user.Session{
		ID: it.ID, UserID: it.UserID, TokenHash: it.TokenHash, Epoch: it.Epoch,
		CreatedAt: it.CreatedAt, LastSeenAt: it.LastSeenAt, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(),
		IP: it.IP, UserAgent: it.UserAgent,
	}, nil
}

type codeItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	Kind      string `dynamodbav:"kind"`
	UserID    string `dynamodbav:"user_id"`
	Email     string `dynamodbav:"email,omitempty"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func marshalCode(c *user.Code) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(codeItem{
		PK: prefixCode + c.Hash, SK: skCode, Type: typeCode, Kind: c.Kind, UserID: c.UserID,
		Email: c.Email, ExpiresAt: c.ExpiresAt.Unix(),
	})
}

// mailItem is an outbox entry; the mailer reads it from the stream's new image.
type mailItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	ID        string `dynamodbav:"id"`
	Kind      string `dynamodbav:"kind"`
	To        string `dynamodbav:"to"`
	Lang      string `dynamodbav:"lang,omitempty"`
	Name      string `dynamodbav:"name,omitempty"`
	Link      string `dynamodbav:"link,omitempty"`
	Code      string `dynamodbav:"code,omitempty"`
	Address   string `dynamodbav:"address,omitempty"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func marshalMail(m *mail.Mail) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(mailItem{
		PK: prefixOutbox + m.ID, SK: skMail, Type: typeMail, ID: m.ID, Kind: m.Kind, To: m.To,
		Lang: m.Lang, Name: m.Name, Link: m.Link, Code: m.Code, Address: m.Address, ExpiresAt: m.ExpiresAt.Unix(),
	})
}

// UnmarshalMail reads an outbox item, as the mailer receives it from the stream.
func UnmarshalMail(av map[string]types.AttributeValue) (*mail.Mail, error) {
	var it mailItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal mail: %w", err)
	}
	if it.Type != typeMail || it.ID == "" || it.To == "" {
		return nil, fmt.Errorf("unmarshal mail: %s is not an outbox item", it.PK)
	}
	return &mail.Mail{ID: it.ID, Kind: it.Kind, To: it.To, Lang: it.Lang, Name: it.Name,
		Link: it.Link, Code: it.Code, Address: it.Address, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// eventTTL is how long security events are kept.
const eventTTL = 90 * 24 * time.Hour

type eventItem struct {
	PK        string            `dynamodbav:"pk"`
	SK        string            `dynamodbav:"sk"`
	Type      string            `dynamodbav:"type"`
	ID        string            `dynamodbav:"id"`
	UserID    string            `dynamodbav:"user_id"`
	EventType string            `dynamodbav:"event_type"`
	At        time.Time         `dynamodbav:"at"`
	IP        string            `dynamodbav:"ip,omitempty"`
	UserAgent string            `dynamodbav:"user_agent,omitempty"`
	Detail    map[string]string `dynamodbav:"detail,omitempty"`
	ExpiresAt int64             `dynamodbav:"expires_at"`
}

func marshalEvent(e *user.Event) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(eventItem{
		PK: prefixUser + e.UserID, SK: prefixEvent + e.ID, Type: typeEvent, ID: e.ID, UserID: e.UserID,
		EventType: e.Type, At: e.At, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail,
		ExpiresAt: e.At.Add(eventTTL).Unix(),
	})
}

func unmarshalEvent(av map[string]types.AttributeValue) (*user.Event, error) {
	var it eventItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal event: %w", err)
	}
	return &user.Event{ID: it.ID, UserID: it.UserID, Type: it.EventType, At: it.At, IP: it.IP,
		UserAgent: it.UserAgent, Detail: it.Detail}, nil
}

type mfaItem struct {
	PK       string   `dynamodbav:"pk"`
	SK       string   `dynamodbav:"sk"`
	Type     string   `dynamodbav:"type"`
	UserID   string   `dynamodbav:"user_id"`
	Secret   string   `dynamodbav:"secret"`
	Pending  bool     `dynamodbav:"pending"`
	LastStep int64    `dynamodbav:"last_step"`
	Recovery []string `dynamodbav:"recovery,stringset,omitempty"`
}

func marshalMFA(m *user.MFA) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(mfaItem{PK: prefixUser + m.UserID, SK: skMFA, Type: typeMFA,
		UserID: m.UserID, Secret: m.Secret, Pending: m.Pending, LastStep: m.LastStep, Recovery: m.Recovery})
}

func unmarshalMFA(av map[string]types.AttributeValue) (*user.MFA, error) {
	var it mfaItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal mfa: %w", err)
	}
	return &user.MFA{UserID: it.UserID, Secret: it.Secret, Pending: it.Pending, LastStep: it.LastStep, Recovery: it.Recovery}, nil
}

type mfaTokenItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	UserID    string `dynamodbav:"user_id"`
	Hash      string `dynamodbav:"hash"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
	IP        string `dynamodbav:"ip,omitempty"`
	UserAgent string `dynamodbav:"user_agent,omitempty"`
}

func marshalMFAToken(t *user.MFAToken) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(mfaTokenItem{PK: prefixUser + t.UserID, SK: prefixMFAToken + t.Hash,
		Type: typeMFATok, UserID: t.UserID, Hash: t.Hash, ExpiresAt: t.ExpiresAt.Unix(), IP: t.IP, UserAgent: t.UserAgent})
}

func unmarshalMFAToken(av map[string]types.AttributeValue) (*user.MFAToken, error) {
	var it mfaTokenItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal mfa token: %w", err)
	}
	return &user.MFAToken{UserID: it.UserID, Hash: it.Hash, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(), IP: it.IP, UserAgent: it.UserAgent}, nil
}

func unmarshalCode(av map[string]types.AttributeValue) (*user.Code, error) {
	var it codeItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal code: %w", err)
	}
	return &user.Code{Hash: it.PK[len(prefixCode):], Kind: it.Kind, UserID: it.UserID, Email: it.Email,
		ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}
