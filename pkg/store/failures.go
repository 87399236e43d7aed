package store

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// failuresItem is the failed sign-in state of a login that names no account.
type failuresItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	Type        string `dynamodbav:"type"`
	FailCount   int64  `dynamodbav:"fail_count"`
	FailUntil   int64  `dynamodbav:"fail_until"`
	LockedUntil int64  `dynamodbav:"locked_until"`
	LockLevel   int64  `dynamodbav:"lock_level"`
	ExpiresAt   int64  `dynamodbav:"expires_at"`
}

func unmarshalFailures(av map[string]types.AttributeValue) (user.Failures, error) {
	var it failuresItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return user.Failures{}, err
	}
	return user.Failures{Count: it.FailCount, Until: fromUnix(it.FailUntil), LockedUntil: fromUnix(it.LockedUntil), LockLevel: it.LockLevel}, nil
}

// failures writes a failed sign-in state — on every copy of the user, or on the item of a
// login that names no account — only if the stored state is still the one it was computed
// from; or clears a user's.
func (b *txBuilder) failures(tx *user.Tx) error {
	if f := tx.Failure; f != nil {
		for _, k := range userCopies(f.User) {
			b.update(key(k[0], k[1]),
				"SET fail_count = :c, fail_until = :u, locked_until = :l, lock_level = :lv",
				"fail_count = :oc AND fail_until = :ou AND id = :id", nil,
				map[string]types.AttributeValue{
					":c": n(f.Next.Count), ":u": n(unix(f.Next.Until)), ":l": n(unix(f.Next.LockedUntil)), ":lv": n(f.Next.LockLevel),
					":oc": n(f.User.Failures.Count), ":ou": n(unix(f.User.Failures.Until)), ":id": sAV(f.User.ID),
				}, user.ErrConflict)
		}
	}
	if u := tx.ClearFailures; u != nil {
		for _, k := range userCopies(u) {
			b.update(key(k[0], k[1]), "SET fail_count = :z, fail_until = :z, locked_until = :z, lock_level = :z",
				"id = :id", nil, map[string]types.AttributeValue{":z": n(0), ":id": sAV(u.ID)}, user.ErrConflict)
		}
	}
	if f := tx.LoginFailure; f != nil {
		cond := "fail_count = :oc AND fail_until = :ou"
		if f.Prev == (user.Failures{}) {
			cond = "attribute_not_exists(pk) OR (" + cond + ")"
		}
		b.update(key(prefixFail+f.Login, skFail),
			"SET #type = :t, fail_count = :c, fail_until = :u, locked_until = :l, lock_level = :lv, expires_at = :exp", cond,
			map[string]string{"#type": "type"},
			map[string]types.AttributeValue{
				":t": sAV(typeFail), ":c": n(f.Next.Count), ":u": n(unix(f.Next.Until)), ":l": n(unix(f.Next.LockedUntil)),
				":lv": n(f.Next.LockLevel), ":exp": n(f.ExpiresAt.Unix()),
				":oc": n(f.Prev.Count), ":ou": n(unix(f.Prev.Until)),
			}, user.ErrConflict)
	}
	return nil
}
