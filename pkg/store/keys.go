package store

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key prefixes and sort keys of the single table. Every item kind is named here once.
const (
	prefixUser     = "USER#"
	prefixEmail    = "EMAIL#"
	prefixPhone    = "PHONE#"
	prefixCode     = "CODE#"
	prefixOutbox   = "OUTBOX#"
	prefixLimit    = "LIMIT#"
	prefixSession  = "SESSION#"
	prefixEvent    = "EVENT#"
	prefixWish     = "WISH#"
	prefixMFAToken = "MFATOKEN#"
	prefixFail     = "FAIL#"
	// prefixPasskey sorts a user's passkeys in its partition; prefixCredential is the
	// partition of the item that binds a credential to one account; prefixCeremony holds a
	// WebAuthn challenge waiting for its answer.
	prefixPasskey    = "PASSKEY#"
	prefixCredential = "CREDENTIAL#"
	prefixCeremony   = "CEREMONY#"

	skProfile = "PROFILE"
	skLock    = "LOCK"
	skCode    = "CODE"
	skMail    = "MAIL"
	skLimit   = "LIMIT"
	skMFA     = "MFA"
	skFail    = "FAIL"
	// skCredential and skCeremony are the sort keys of the items of those partitions;
	// skSignInCode is the live sign-in code of an address, beside its lock item.
	skCredential = "CREDENTIAL"
	skCeremony   = "CEREMONY"
	skSignInCode = "SIGNIN_CODE"
	// keyStats/skAdmins is the count of active admins, kept in the transactions that
	// change it.
	keyStats = "STATS"
	skAdmins = "ADMINS"
	// keyRing is the partition of the key ring (pkg/keys), read whole by one Query: the
	// ring item (its version and settings), the data keys and the signing keys.
	keyRing          = "KEYS"
	skRing           = "RING"
	prefixDataKey    = "DATA#"
	prefixSigningKey = "SIGN#"
)

// OutboxPrefix is the partition key prefix of mail outbox items; the mailer's stream
// subscription filters on it.
const OutboxPrefix = prefixOutbox

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": sAV(pk), "sk": sAV(sk)}
}

func userKey(id string) map[string]types.AttributeValue { return key(prefixUser+id, skProfile) }

func sessionKey(uid, sid string) map[string]types.AttributeValue {
	return key(prefixUser+uid, prefixSession+sid)
}

// loginKey is the lock item of a normalized login: E.164 phones start with +.
func loginKey(login string) map[string]types.AttributeValue {
	if strings.HasPrefix(login, "+") {
		return key(prefixPhone+login, skLock)
	}
	return key(prefixEmail+login, skLock)
}

func sAV(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// yes is the boolean true, for conditions on a flag.
var yes types.AttributeValue = &types.AttributeValueMemberBOOL{Value: true}

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
	// typeReserved is a login lock that holds an old email for its user after an email
	// change, until the change can no longer be reverted.
	typeReserved = "reserved"
	typeFail     = "login_failures"
	typePasskey  = "passkey"
	// typeCredential binds a credential id to the account that registered it.
	typeCredential = "passkey_credential"
	typeCeremony   = "webauthn_ceremony"
	typeSignInCode = "sign_in_code"
)
