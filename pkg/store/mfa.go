package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

// mfaItem is a TOTP enrollment. The secret is stored only sealed (user.Secrets).
type mfaItem struct {
	PK           string   `dynamodbav:"pk"`
	SK           string   `dynamodbav:"sk"`
	Type         string   `dynamodbav:"type"`
	UserID       string   `dynamodbav:"user_id"`
	SealedSecret string   `dynamodbav:"sealed_secret"`
	Pending      bool     `dynamodbav:"pending"`
	LastStep     int64    `dynamodbav:"last_step"`
	Recovery     []string `dynamodbav:"recovery,stringset,omitempty"`
	RecoverySalt string   `dynamodbav:"recovery_salt,omitempty"`
}

func marshalMFA(m *user.MFA) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(mfaItem{PK: prefixUser + m.UserID, SK: skMFA, Type: typeMFA,
		UserID: m.UserID, SealedSecret: m.SealedSecret, Pending: m.Pending, LastStep: m.LastStep,
		Recovery: m.Recovery, RecoverySalt: m.RecoverySalt})
}

func unmarshalMFA(av map[string]types.AttributeValue) (*user.MFA, error) {
	var it mfaItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal mfa: %w", err)
	}
	return &user.MFA{UserID: it.UserID, SealedSecret: it.SealedSecret, Pending: it.Pending, LastStep: it.LastStep,
		Recovery: it.Recovery, RecoverySalt: it.RecoverySalt}, nil
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
	Method    string `dynamodbav:"method,omitempty"`
}

func marshalMFAToken(t *user.MFAToken) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(mfaTokenItem{PK: prefixUser + t.UserID, SK: prefixMFAToken + t.Hash,
		Type: typeMFATok, UserID: t.UserID, Hash: t.Hash, ExpiresAt: t.ExpiresAt.Unix(), IP: t.IP, UserAgent: t.UserAgent, Method: t.Method})
}

func unmarshalMFAToken(av map[string]types.AttributeValue) (*user.MFAToken, error) {
	var it mfaTokenItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal mfa token: %w", err)
	}
	return &user.MFAToken{UserID: it.UserID, Hash: it.Hash, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(), IP: it.IP, UserAgent: it.UserAgent, Method: it.Method}, nil
}

// MFAUser reads a user, its MFA enrollment and an MFA token in one round trip.
func (s *Store) MFAUser(ctx context.Context, userID, tokenHash string) (*user.User, *user.MFA, *user.MFAToken, error) {
	uk, mk := userKey(userID), key(prefixUser+userID, skMFA)
	keys := []map[string]types.AttributeValue{uk, mk}
	var tk map[string]types.AttributeValue
	if tokenHash != "" {
		tk = key(prefixUser+userID, prefixMFAToken+tokenHash)
		keys = append(keys, tk)
	}
	got, err := s.batchGet(ctx, keys...)
	if err != nil {
		return nil, nil, nil, err
	}
	ui, ok := got[id(uk)]
	if !ok {
		return nil, nil, nil, user.ErrNotFound
	}
	u, err := unmarshalUser(ui)
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		m *user.MFA
		t *user.MFAToken
	)
	if mi, ok := got[id(mk)]; ok {
		if m, err = unmarshalMFA(mi); err != nil {
			return nil, nil, nil, err
		}
	}
	if tk != nil {
		if ti, ok := got[id(tk)]; ok {
			if t, err = unmarshalMFAToken(ti); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return u, m, t, nil
}

// mfa writes or removes a TOTP enrollment, writes or consumes an MFA token, and spends a
// second factor (a TOTP step only after the last one, a recovery code only once).
func (b *txBuilder) mfa(tx *user.Tx) error {
	now := tx.Now.Unix()
	if m := tx.MFA; m != nil {
		av, err := marshalMFA(m)
		if err != nil {
			return err
		}
		cond, vals := "", map[string]types.AttributeValue(nil)
		if m.Pending {
			// A new enrollment never replaces one in force: started while another request
			// turned MFA on, it would leave the account with MFA on and no secret.
			cond, vals = "attribute_not_exists(pk) OR pending = :t", map[string]types.AttributeValue{":t": yes}
		}
		b.put(av, cond, vals, user.ErrConflict)
	}
	use := tx.MFAUse
	if tx.RemoveMFA != "" {
		cond, vals := "", map[string]types.AttributeValue(nil)
		if use != nil && use.UserID == tx.RemoveMFA {
			// The code that turns MFA off is spent by the delete itself: one item, one
			// operation in a transaction.
			cond, vals = mfaUseCond(use)
			use = nil
		}
		b.del(key(prefixUser+tx.RemoveMFA, skMFA), cond, vals, user.ErrInvalidCode)
	}
	if t := tx.MFAToken; t != nil {
		av, err := marshalMFAToken(t)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil)
	}
	if t := tx.UseMFAToken; t != nil {
		b.del(key(prefixUser+t.UserID, prefixMFAToken+t.Hash), "attribute_exists(pk) AND expires_at > :now",
			map[string]types.AttributeValue{":now": n(now)}, user.ErrInvalidCode)
	}
	if m := use; m != nil {
		k := key(prefixUser+m.UserID, skMFA)
		cond, vals := mfaUseCond(m)
		if m.RecoveryHash != "" {
			vals[":h"] = &types.AttributeValueMemberSS{Value: []string{m.RecoveryHash}}
			b.update(k, "DELETE recovery :h", cond, nil, vals, user.ErrInvalidCode)
		} else {
			b.update(k, "SET last_step = :s", cond, nil, vals, user.ErrInvalidCode)
		}
	}
	return nil
}

// mfaUseCond is the condition that a second factor is still unspent: a recovery code still
// in the set, or a TOTP step after the last one accepted.
func mfaUseCond(m *user.MFAUse) (string, map[string]types.AttributeValue) {
	if m.RecoveryHash != "" {
		return "contains(recovery, :one)", map[string]types.AttributeValue{":one": sAV(m.RecoveryHash)}
	}
	return "last_step < :s", map[string]types.AttributeValue{":s": n(m.Step)}
}
