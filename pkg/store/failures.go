package store

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// failures writes a failed sign-in state on every copy of the user, only if the stored state
// is still the one it was computed from, or clears it.
func (b *txBuilder) failures(tx *user.Tx) error {
	if f := tx.Failure; f != nil {
		for _, k := range userCopies(f.User) {
			b.update(key(k[0], k[1]),
				"SET fail_count = :c, fail_until = :u, locked_until = :l, lock_level = :lv",
				"fail_count = :oc AND fail_until = :ou AND id = :id", nil,
				map[string]types.AttributeValue{
					":c": n(f.Count), ":u": n(unix(f.Until)), ":l": n(unix(f.LockedUntil)), ":lv": n(f.LockLevel),
					":oc": n(f.User.FailCount), ":ou": n(unix(f.User.FailUntil)), ":id": sAV(f.User.ID),
				}, user.ErrConflict)
		}
	}
	if u := tx.ClearFailures; u != nil {
		for _, k := range userCopies(u) {
			b.update(key(k[0], k[1]), "SET fail_count = :z, fail_until = :z, locked_until = :z, lock_level = :z",
				"id = :id", nil, map[string]types.AttributeValue{":z": n(0), ":id": sAV(u.ID)}, user.ErrConflict)
		}
	}
	return nil
}
