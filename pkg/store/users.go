package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

var _ user.Store = (*Store)(nil)

const condNew = "attribute_not_exists(pk)"

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
	ResetEpoch    int64          `dynamodbav:"reset_epoch"`
	PasswordExp   int64          `dynamodbav:"password_expires_at,omitempty"`
	EmailSeq      int64          `dynamodbav:"email_seq,omitempty"`
	Reverts       []revertItem   `dynamodbav:"reverts,omitempty"`
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
		ResetEpoch: u.ResetEpoch, PasswordExp: unix(u.PasswordExpiresAt), EmailSeq: u.EmailSeq, Reverts: toRevertItems(u.Reverts),
		FailCount: u.Failures.Count, FailUntil: unix(u.Failures.Until), LockedUntil: unix(u.Failures.LockedUntil), LockLevel: u.Failures.LockLevel,
	}
}

// revertItem is an outstanding revert code of a user (user.Revert).
type revertItem struct {
	Seq int64 `dynamodbav:"seq"`
	Exp int64 `dynamodbav:"exp"`
}

func toRevertItems(rs []user.Revert) []revertItem {
	if len(rs) == 0 {
		return nil
	}
	out := make([]revertItem, len(rs))
	for i, r := range rs {
		out[i] = revertItem{Seq: r.Seq, Exp: unix(r.ExpiresAt)}
	}
	return out
}

func (it *userItem) reverts() []user.Revert {
	if len(it.Reverts) == 0 {
		return nil
	}
	out := make([]user.Revert, len(it.Reverts))
	for i, r := range it.Reverts {
		out[i] = user.Revert{Seq: r.Seq, ExpiresAt: fromUnix(r.Exp)}
	}
	return out
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
		ResetEpoch: it.ResetEpoch, PasswordExpiresAt: fromUnix(it.PasswordExp), EmailSeq: it.EmailSeq, Reverts: it.reverts(),
		Failures: user.Failures{Count: it.FailCount, Until: fromUnix(it.FailUntil), LockedUntil: fromUnix(it.LockedUntil), LockLevel: it.LockLevel},
	}
}

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

// LoginView reads, with one BatchGetItem, the lock item of a login (which carries the whole
// user), the failure state of a login that names no account, and a counter.
func (s *Store) LoginView(ctx context.Context, login, counter string) (*user.LoginState, error) {
	lk, fk, ck := loginKey(login), key(prefixFail+login, skFail), key(prefixLimit+counter, skLimit)
	keys := []map[string]types.AttributeValue{ck}
	if login != "" {
		keys = append(keys, lk, fk)
	}
	got, err := s.batchGet(ctx, keys...)
	if err != nil {
		return nil, err
	}
	st := &user.LoginState{Count: count(got[id(ck)])}
	if item, ok := got[id(lk)]; ok && str(item["type"]) != typeReserved {
		st.User, err = unmarshalUser(item)
		return st, err
	}
	if item, ok := got[id(fk)]; ok {
		st.Failures, err = unmarshalFailures(item)
	}
	return st, err
}

// User reads a user's profile item.
func (s *Store) User(ctx context.Context, userID string) (*user.User, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: userKey(userID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", userID, err)
	}
	if len(out.Item) == 0 {
		return nil, user.ErrNotFound
	}
	return unmarshalUser(out.Item)
}

// Account reads the lock item of a login, which carries the whole user.
func (s *Store) Account(ctx context.Context, login string) (*user.User, error) {
	s.calls.Add(1)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: s.table, Key: loginKey(login), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get account: %w", err)
	}
	if len(out.Item) == 0 || str(out.Item["type"]) == typeReserved {
		return nil, user.ErrNotFound
	}
	return unmarshalUser(out.Item)
}

// lockErr is what a failed "must be new" condition on a copy means.
func lockErr(k [2]string, profile error) error {
	switch {
	case strings.HasPrefix(k[0], prefixEmail):
		return user.ErrEmailTaken
	case strings.HasPrefix(k[0], prefixPhone):
		return user.ErrPhoneTaken
	}
	return profile
}

// save writes next over prev: the profile conditioned on prev's version, locks that stay
// save writes sv.Next over sv.Prev: the profile conditioned on Prev's version, locks that
// stay rewritten, new locks taken only if free (or reserved for this user), locks that go
// deleted, or with ReserveUntil an email lock kept as a reservation.
func (b *txBuilder) save(sv *user.Save, now time.Time) error {
	next, prev := sv.Next, sv.Prev
	old := map[[2]string]bool{}
	for _, k := range userCopies(prev) {
		old[k] = true
	}
	// A failed sign-in writes its count on every copy without a new version: a save is
	// conditioned on the count it read too, so it never puts back an older one (a lock
	// lifted by a profile change made at the same time).
	const sameFailures = " AND fail_count = :fc AND fail_until = :fu"
	for _, k := range userCopies(next) {
		av, err := marshalUser(next, k[0], k[1])
		if err != nil {
			return err
		}
		switch {
		case k[1] == skProfile:
			b.put(av, "version = :v"+sameFailures, map[string]types.AttributeValue{":v": n(prev.Version),
				":fc": n(prev.Failures.Count), ":fu": n(unix(prev.Failures.Until))}, user.ErrConflict)
		case old[k]:
			b.put(av, "id = :id"+sameFailures, map[string]types.AttributeValue{":id": sAV(next.ID),
				":fc": n(prev.Failures.Count), ":fu": n(unix(prev.Failures.Until))}, user.ErrConflict)
		default:
			cond, vals := freeLock(next.ID, now)
			b.put(av, cond, vals, lockErr(k, user.ErrConflict))
		}
		delete(old, k)
	}
	for k := range old {
		vals := map[string]types.AttributeValue{":id": sAV(next.ID)}
		if !sv.ReserveUntil.IsZero() && strings.HasPrefix(k[0], prefixEmail) {
			b.put(map[string]types.AttributeValue{"pk": sAV(k[0]), "sk": sAV(k[1]), "type": sAV(typeReserved),
				"id": sAV(next.ID), "expires_at": n(sv.ReserveUntil.Unix())}, "id = :id", vals, user.ErrConflict)
			continue
		}
		b.del(key(k[0], k[1]), "id = :id", vals, user.ErrConflict)
	}
	return nil
}

// freeLock is the condition on a login lock a user takes: none there, or a reservation of
// that user's, or one that has lapsed (TTL deletes items only eventually).
func freeLock(userID string, now time.Time) (string, map[string]types.AttributeValue) {
	return "attribute_not_exists(pk) OR (#type = :reserved AND (id = :id OR expires_at < :now))",
		map[string]types.AttributeValue{":reserved": sAV(typeReserved), ":id": sAV(userID), ":now": n(now.Unix())}
}

// users writes a new user (its profile carrying its creation event for the stream to
// write), a saved user or a removed one, each on every copy (the profile and its login
// locks) with the index items that go with it, and checks that a sponsor exists.
func (b *txBuilder) users(tx *user.Tx) error {
	if u := tx.Create; u != nil {
		for _, k := range userCopies(u) {
			av, err := marshalUser(u, k[0], k[1])
			if err != nil {
				return err
			}
			if k[1] == skProfile {
				if err := createdAttrs(av, tx); err != nil {
					return err
				}
				b.put(av, condNew, nil, user.ErrConflict)
				continue
			}
			cond, vals := freeLock(u.ID, tx.Now)
			b.put(av, cond, vals, lockErr(k, user.ErrConflict))
		}
		b.indexWrites(nil, u)
	}
	if sv := tx.Save; sv != nil {
		// Its index attributes are on the profile; its postings move from the stream.
		if err := b.save(sv, tx.Now); err != nil {
			return err
		}
	}
	if u := tx.Remove; u != nil {
		for _, k := range userCopies(u) {
			cond, vals := "id = :id", map[string]types.AttributeValue{":id": sAV(u.ID)}
			if k[1] == skProfile {
				cond, vals = "version = :v", map[string]types.AttributeValue{":v": n(u.Version)}
			}
			b.del(key(k[0], k[1]), cond, vals, user.ErrConflict)
		}
		b.indexWrites(u, nil)
	}
	if tx.Sponsor != "" {
		b.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: b.s.table, Key: userKey(tx.Sponsor), ConditionExpression: aws.String("attribute_exists(pk)"),
		}}, user.ErrSponsorNotFound)
	}
	return nil
}

// admins moves the count of active admins by tx.AdminDelta; never to zero.
func (b *txBuilder) admins(tx *user.Tx) error {
	d := tx.AdminDelta
	if d == 0 {
		return nil
	}
	cond := ""
	vals := map[string]types.AttributeValue{":d": n(int64(d))}
	if d < 0 {
		// Never the last one: a count that would reach zero fails the transaction.
		cond, vals[":min"] = "#n > :min", n(int64(-d))
	}
	b.update(key(keyStats, skAdmins), "ADD #n :d", cond, map[string]string{"#n": "n"}, vals, user.ErrLastAdmin)
	return nil
}
