package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/user"
)

// passkeyItem is a passkey, under its user's partition (USER#<user id> / PASSKEY#<id>).
type passkeyItem struct {
	PK             string    `dynamodbav:"pk"`
	SK             string    `dynamodbav:"sk"`
	Type           string    `dynamodbav:"type"`
	ID             string    `dynamodbav:"id"`
	UserID         string    `dynamodbav:"user_id"`
	CredentialID   []byte    `dynamodbav:"credential_id"`
	PublicKey      []byte    `dynamodbav:"public_key"`
	Algorithm      int64     `dynamodbav:"alg"`
	SignCount      int64     `dynamodbav:"sign_count"`
	AAGUID         string    `dynamodbav:"aaguid,omitempty"`
	BackupEligible bool      `dynamodbav:"backup_eligible"`
	BackupState    bool      `dynamodbav:"backup_state"`
	Transports     []string  `dynamodbav:"transports,omitempty"`
	Attachment     string    `dynamodbav:"attachment,omitempty"`
	Name           string    `dynamodbav:"name"`
	CreatedAt      time.Time `dynamodbav:"created_at"`
	LastUsedAt     int64     `dynamodbav:"last_used_at,omitempty"`
}

func passkeyKey(userID, id string) map[string]types.AttributeValue {
	return key(prefixUser+userID, prefixPasskey+id)
}

// credentialItem binds a credential to the one account that registered it.
type credentialItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	Type   string `dynamodbav:"type"`
	UserID string `dynamodbav:"user_id"`
}

// credentialKey is the item that binds a credential to one account: registering a
// credential any account has fails on it.
func credentialKey(id string) map[string]types.AttributeValue {
	return key(prefixCredential+id, skCredential)
}

func marshalPasskey(p *user.Passkey) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(toPasskeyItem(p))
}

func toPasskeyItem(p *user.Passkey) passkeyItem {
	return passkeyItem{
		PK: prefixUser + p.UserID, SK: prefixPasskey + p.ID, Type: typePasskey, ID: p.ID, UserID: p.UserID,
		CredentialID: p.CredentialID, PublicKey: p.PublicKey, Algorithm: p.Algorithm, SignCount: int64(p.SignCount),
		AAGUID: p.AAGUID, BackupEligible: p.BackupEligible, BackupState: p.BackupState, Transports: p.Transports,
		Attachment: p.Attachment, Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: unix(p.LastUsedAt),
	}
}

func unmarshalPasskey(av map[string]types.AttributeValue) (*user.Passkey, error) {
	var it passkeyItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal passkey: %w", err)
	}
	return &user.Passkey{ID: it.ID, UserID: it.UserID, CredentialID: it.CredentialID, PublicKey: it.PublicKey,
		Algorithm: it.Algorithm, SignCount: uint32(it.SignCount), AAGUID: it.AAGUID, BackupEligible: it.BackupEligible,
		BackupState: it.BackupState, Transports: it.Transports, Attachment: it.Attachment, Name: it.Name,
		CreatedAt: it.CreatedAt, LastUsedAt: fromUnix(it.LastUsedAt)}, nil
}

// ceremonyItem is a WebAuthn challenge waiting for its answer (CEREMONY#<id> / CEREMONY),
// gone by TTL once expired if no answer spent it first.
type ceremonyItem struct {
	PK        string   `dynamodbav:"pk"`
	SK        string   `dynamodbav:"sk"`
	Type      string   `dynamodbav:"type"`
	Kind      string   `dynamodbav:"kind"`
	Challenge string   `dynamodbav:"challenge"`
	RPID      string   `dynamodbav:"rp_id"`
	Origins   []string `dynamodbav:"origins"`
	UserID    string   `dynamodbav:"user_id,omitempty"`
	SessionID string   `dynamodbav:"session_id,omitempty"`
	ExpiresAt int64    `dynamodbav:"expires_at"`
}

func marshalCeremony(c *user.Ceremony) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(ceremonyItem{PK: prefixCeremony + c.ID, SK: skCeremony, Type: typeCeremony,
		Kind: c.Kind, Challenge: c.Challenge, RPID: c.RPID, Origins: c.Origins, UserID: c.UserID,
		SessionID: c.SessionID, ExpiresAt: c.ExpiresAt.Unix()})
}

func unmarshalCeremony(av map[string]types.AttributeValue) (*user.Ceremony, error) {
	var it ceremonyItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("unmarshal ceremony: %w", err)
	}
	return &user.Ceremony{ID: it.PK[len(prefixCeremony):], Kind: it.Kind, Challenge: it.Challenge, RPID: it.RPID,
		Origins: it.Origins, UserID: it.UserID, SessionID: it.SessionID, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}

// PasskeyView reads a ceremony, a user, one of its passkeys and a counter with one
// BatchGetItem: the user handle of a discoverable credential is the user's id, so the
// credential's item is found without a lookup first.
func (s *Store) PasskeyView(ctx context.Context, ceremonyID, userID, passkeyID, counter string) (*user.PasskeyState, error) {
	ck, uk := key(prefixCeremony+ceremonyID, skCeremony), userKey(userID)
	keys := []map[string]types.AttributeValue{ck, uk}
	var pk, lk map[string]types.AttributeValue
	if passkeyID != "" {
		pk = passkeyKey(userID, passkeyID)
		keys = append(keys, pk)
	}
	if counter != "" {
		lk = key(prefixLimit+counter, skLimit)
		keys = append(keys, lk)
	}
	got, err := s.batchGet(ctx, keys...)
	if err != nil {
		return nil, err
	}
	st := &user.PasskeyState{}
	if item, ok := got[id(ck)]; ok {
		if st.Ceremony, err = unmarshalCeremony(item); err != nil {
			return nil, err
		}
	}
	if item, ok := got[id(uk)]; ok {
		if st.User, err = unmarshalUser(item); err != nil {
			return nil, err
		}
	}
	if pk != nil {
		if item, ok := got[id(pk)]; ok {
			if st.Passkey, err = unmarshalPasskey(item); err != nil {
				return nil, err
			}
		}
	}
	if lk != nil {
		st.Count = count(got[id(lk)])
	}
	return st, nil
}

// Passkeys lists a user's passkeys with one Query of its partition.
func (s *Store) Passkeys(ctx context.Context, userID string) ([]*user.Passkey, error) {
	in := inPartition(userID, prefixPasskey)
	in.ConsistentRead = aws.Bool(true)
	out, err := collect(ctx, s, in, unmarshalPasskey)
	if err != nil {
		return nil, fmt.Errorf("query passkeys of %s: %w", userID, err)
	}
	return out, nil
}

// passkeyCredentialKeys are the credential items of the passkeys among a partition's keys,
// which live outside the partition and go with it.
func passkeyCredentialKeys(keys []map[string]types.AttributeValue) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, k := range keys {
		if sk := str(k["sk"]); strings.HasPrefix(sk, prefixPasskey) {
			out = append(out, credentialKey(sk[len(prefixPasskey):]))
		}
	}
	return out
}

// passkeys writes and spends ceremonies, adds a passkey with its credential item, moves a
// passkey's counter and removes a passkey with its credential item.
func (b *txBuilder) passkeys(tx *user.Tx) error {
	if c := tx.Ceremony; c != nil {
		av, err := marshalCeremony(c)
		if err != nil {
			return err
		}
		b.put(av, "", nil, nil) // a fresh random id
	}
	if c := tx.UseCeremony; c != nil {
		b.spend(key(prefixCeremony+c.ID, skCeremony), "challenge", c.Challenge, tx.Now)
	}
	if p := tx.Passkey; p != nil {
		av, err := marshalPasskey(p)
		if err != nil {
			return err
		}
		b.put(av, condNew, nil, user.ErrPasskeyTaken)
		if av, err = attributevalue.MarshalMap(credentialItem{PK: prefixCredential + p.ID, SK: skCredential,
			Type: typeCredential, UserID: p.UserID}); err != nil {
			return err
		}
		b.put(av, condNew, nil, user.ErrPasskeyTaken)
	}
	if u := tx.PasskeyUse; u != nil {
		av, err := marshalPasskey(u.Next)
		if err != nil {
			return err
		}
		b.put(av, "sign_count = :p", map[string]types.AttributeValue{":p": n(int64(u.PrevCount))}, user.ErrConflict)
	}
	if p := tx.RemovePasskey; p != nil {
		b.del(passkeyKey(p.UserID, p.ID), "attribute_exists(pk)", nil, user.ErrNotFound)
		b.del(credentialKey(p.ID), "", nil, nil) // goes with its passkey
	}
	return nil
}

// spend deletes a single-use item (a code, a challenge), only if it is there, unexpired at
// now and its attribute attr is still v (not a newer one put over it): else the transaction
// fails with ErrInvalidCode.
func (b *txBuilder) spend(k map[string]types.AttributeValue, attr, v string, now time.Time) {
	b.del(k, "attribute_exists(pk) AND expires_at > :now AND "+attr+" = :v",
		map[string]types.AttributeValue{":now": n(now.Unix()), ":v": sAV(v)}, user.ErrInvalidCode)
}
