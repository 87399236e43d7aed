package openapitest

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// Example responses of the account routes (password, email, MFA, sessions, events, account
// deletion), held to docs/openapi.yaml: the shapes the handlers in pkg/httpapi produce pass,
// and near misses fail for the right reason.

const (
	sessionCurrent = `{"id": "01j0a5w3e8m2c9k4t7r1x6b0qd", "created_at": "2024-05-02T08:00:00Z",
		"last_seen_at": "2024-05-02T09:41:00Z", "expires_at": "2024-06-01T08:00:00Z",
		"user_agent": "Mozilla/5.0", "ip": "203.0.113.7", "current": true}`
	sessionOther = `{"id": "01j0a4z9r2n7h5g3f1e8d6c4bt", "created_at": "2024-05-01T12:00:00Z",
		"last_seen_at": "2024-05-01T12:05:00Z", "expires_at": "2024-05-31T12:00:00Z",
		"user_agent": "", "ip": "", "current": false}`

	eventLogin = `{"type": "login_succeeded", "at": "2024-05-02T08:00:00Z", "ip": "203.0.113.7",
		"user_agent": "Mozilla/5.0", "detail": {"session_id": "01j0a5w3e8m2c9k4t7r1x6b0qd"}}`
	eventFailed = `{"type": "login_failed", "at": "2024-05-02T07:59:30Z", "ip": "203.0.113.7",
		"user_agent": null, "detail": {"reason": "wrong_mfa_code"}}`
	eventLocked = `{"type": "locked", "at": "2024-05-02T07:59:30Z", "ip": null, "user_agent": null,
		"detail": {"until": "2024-05-02T08:14:30Z"}}`
	eventVerified = `{"type": "email_verified", "at": "2024-05-01T12:30:00Z", "ip": null,
		"user_agent": null, "detail": {}}`

	recoveryCodes = `["ztno-vmiz-wdia-eq3k", "dfys-psc5-lkr4-aqxv", "upct-nwla-vyf6-rmpa", "fqfj-zczb-ttof-jyu7", "jsjc-3ibo-fbci-xgy4",
		"dbp7-qa5e-fe6q-eqpn", "o57y-e6sc-mejv-qtia", "6d7r-gn7s-s555-hmtf", "6bs5-e4ry-nnef-jqxi", "rhxo-77zb-ka74-ztj2"]`

	enrollment = `{"secret": "HQWU6DJTGTWWPYURT44VVFB5HXRBZM4X",
		"otpauth_url": "otpauth://totp/Userbase:a@example.com?algorithm=SHA1&digits=6&issuer=Userbase&period=30&secret=HQWU6DJTGTWWPYURT44VVFB5HXRBZM4X"}`

	mfaToken = `, "mfa_token": "01hzx3q2v1k8m4n6p8r0s2t4v6.VVJZHZKx82Ot0qLOiOBsPItfty8"`
)

// list wraps items in the list envelope.
func list(meta string, items ...string) string {
	return `{"items": [` + strings.Join(items, ", ") + `], "meta": ` + meta + `}`
}

const meta1 = `{"total": 2, "page": 1, "per_page": 50, "page_count": 1}`

func fieldErrors(field, code string) string {
	return `, "errors": [{"field": "` + field + `", "code": "` + code + `", "message": "m"}]`
}

func TestCheckAccountRoutes(t *testing.T) {
	d := loadDoc(t, docPath)
	json, prob := headers("Content-Type", jsonCT), headers("Content-Type", problemCT)
	noStore := headers("Content-Type", jsonCT, "Cache-Control", "no-store")
	bearer := headers("Content-Type", problemCT, "WWW-Authenticate", "Bearer")
	retry := headers("Content-Type", problemCT, "Retry-After", "3600")
	accepted := `{"status": "accepted"}`

	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  http.Header
		body    string
		wantErr error // nil: the response must pass
	}{
		// Successes.
		{"admin login", "POST", "/v1/auth/admin/login", 200, noStore, authResult(userWith(t, `"role": "member"`, `"role": "admin"`)), nil},
		{"forgot accepted", "POST", "/v1/auth/password/forgot", 202, json, accepted, nil},
		{"reset", "POST", "/v1/auth/password/reset", 204, headers(), "", nil},
		{"verification accepted", "POST", "/v1/auth/email/verification", 202, json, accepted, nil},
		{"email confirmed", "POST", "/v1/auth/email/confirm", 200, json, `{"user": ` + validUser + `}`, nil},
		{"mfa completes a login", "POST", "/v1/auth/mfa", 200, noStore, authResult(userWith(t, `"mfa_enabled": false`, `"mfa_enabled": true`)), nil},
		{"password changed", "PUT", "/v1/me/password", 204, headers(), "", nil},
		{"account deleted", "DELETE", "/v1/me", 204, headers(), "", nil},
		{"sessions", "GET", "/v1/me/sessions", 200, json, list(meta1, sessionCurrent, sessionOther), nil},
		{"sessions, paged", "GET", "/v1/me/sessions?page=3&per_page=500", 200, json,
			list(`{"total": 2, "page": 3, "per_page": 100, "page_count": 1}`), nil},
		{"session revoked", "DELETE", "/v1/me/sessions/01j0a4z9r2n7h5g3f1e8d6c4bt", 204, headers(), "", nil},
		{"session revoked, any id", "DELETE", "/v1/me/sessions/not-an-id", 204, headers(), "", nil},
		{"totp enrollment", "POST", "/v1/me/mfa/totp", 200, noStore, enrollment, nil},
		{"recovery codes", "POST", "/v1/me/mfa/totp/confirm", 200, noStore, `{"recovery_codes": ` + recoveryCodes + `}`, nil},
		{"mfa off", "DELETE", "/v1/me/mfa/totp", 204, headers(), "", nil},
		{"events", "GET", "/v1/me/events", 200, json,
			list(`{"total": 4, "page": 1, "per_page": 50, "page_count": 1}`, eventLogin, eventFailed, eventLocked, eventVerified), nil},
		{"no events", "GET", "/v1/me/events", 200, json, list(`{"total": 0, "page": 1, "per_page": 50, "page_count": 0}`), nil},

		// Problems each route may answer.
		{"admin login: mfa required", "POST", "/v1/auth/admin/login", 401, bearer, problem("401", "mfa_required", mfaToken), nil},
		{"admin login: member", "POST", "/v1/auth/admin/login", 401, bearer, problem("401", "invalid_credentials", ""), nil},
		{"admin login: disabled", "POST", "/v1/auth/admin/login", 403, prob, problem("403", "account_disabled", ""), nil},
		{"admin login: locked", "POST", "/v1/auth/admin/login", 429, retry, problem("429", "rate_limited", ""), nil},
		{"login: mfa required, real token form", "POST", "/v1/auth/login", 401, bearer, problem("401", "mfa_required", mfaToken), nil},
		{"forgot: bad email", "POST", "/v1/auth/password/forgot", 400, prob, problem("400", "validation_failed", fieldErrors("email", "invalid_email")), nil},
		{"forgot: bad confirmation_url", "POST", "/v1/auth/password/forgot", 400, prob, problem("400", "invalid_confirmation_url", ""), nil},
		{"forgot: rate limited", "POST", "/v1/auth/password/forgot", 429, retry, problem("429", "rate_limited", ""), nil},
		{"forgot: too large", "POST", "/v1/auth/password/forgot", 413, prob, problem("413", "payload_too_large", ""), nil},
		{"forgot: not json", "POST", "/v1/auth/password/forgot", 415, prob, problem("415", "unsupported_media_type", ""), nil},
		{"reset: invalid code", "POST", "/v1/auth/password/reset", 400, prob, problem("400", "invalid_code", ""), nil},
		{"reset: breached", "POST", "/v1/auth/password/reset", 400, prob, problem("400", "validation_failed", fieldErrors("new_password", "password_breached")), nil},
		{"verification: no token", "POST", "/v1/auth/email/verification", 401, bearer, problem("401", "unauthenticated", ""), nil},
		{"verification: rate limited", "POST", "/v1/auth/email/verification", 429, retry, problem("429", "rate_limited", ""), nil},
		{"confirm: invalid code", "POST", "/v1/auth/email/confirm", 400, prob, problem("400", "invalid_code", ""), nil},
		{"confirm: address taken", "POST", "/v1/auth/email/confirm", 409, prob, problem("409", "email_taken", ""), nil},
		{"mfa: wrong code", "POST", "/v1/auth/mfa", 400, prob, problem("400", "invalid_code", ""), nil},
		{"mfa: bad token", "POST", "/v1/auth/mfa", 401, bearer, problem("401", "invalid_credentials", ""), nil},
		{"mfa: disabled", "POST", "/v1/auth/mfa", 403, prob, problem("403", "account_disabled", ""), nil},
		{"mfa: locked", "POST", "/v1/auth/mfa", 429, retry, problem("429", "rate_limited", ""), nil},
		{"password: wrong current", "PUT", "/v1/me/password", 400, prob, problem("400", "validation_failed", fieldErrors("current_password", "invalid_password")), nil},
		{"password: mismatch", "PUT", "/v1/me/password", 400, prob, problem("400", "validation_failed", fieldErrors("confirm_password", "mismatch")), nil},
		{"password: concurrent change", "PUT", "/v1/me/password", 409, prob, problem("409", "conflict", ""), nil},
		{"delete: wrong password", "DELETE", "/v1/me", 400, prob, problem("400", "validation_failed", fieldErrors("password", "invalid_password")), nil},
		{"delete: unknown field", "DELETE", "/v1/me", 400, prob, problem("400", "unknown_field", fieldErrors("with_data", "unknown_field")), nil},
		{"sessions: bad page", "GET", "/v1/me/sessions?page=0", 400, prob, problem("400", "validation_failed", fieldErrors("page", "invalid_format")), nil},
		{"revoke: no token", "DELETE", "/v1/me/sessions/x", 401, bearer, problem("401", "unauthenticated", ""), nil},
		{"totp: already on", "POST", "/v1/me/mfa/totp", 409, prob, problem("409", "conflict", ""), nil},
		{"totp confirm: wrong code", "POST", "/v1/me/mfa/totp/confirm", 400, prob, problem("400", "invalid_code", ""), nil},
		{"totp confirm: already on", "POST", "/v1/me/mfa/totp/confirm", 409, prob, problem("409", "conflict", ""), nil},
		{"mfa off: wrong password", "DELETE", "/v1/me/mfa/totp", 400, prob, problem("400", "validation_failed", fieldErrors("password", "invalid_password")), nil},
		{"mfa off: wrong code", "DELETE", "/v1/me/mfa/totp", 400, prob, problem("400", "invalid_code", ""), nil},
		{"events: bad per_page", "GET", "/v1/me/events?per_page=x", 400, prob, problem("400", "validation_failed", fieldErrors("per_page", "invalid_format")), nil},

		// Routing and statuses the document does not give.
		{"sessions with trailing slash", "GET", "/v1/me/sessions/", 200, json, list(meta1), ErrNoOperation},
		{"get one session", "GET", "/v1/me/sessions/01j0a4z9r2n7h5g3f1e8d6c4bt", 200, json, sessionOther, ErrNoOperation},
		{"reset answering 202", "POST", "/v1/auth/password/reset", 202, json, accepted, ErrStatus},
		{"verification answering 200", "POST", "/v1/auth/email/verification", 200, json, accepted, ErrStatus},
		{"revoke answering 404", "DELETE", "/v1/me/sessions/x", 404, prob, problem("404", "not_found", ""), ErrStatus},
		{"password change rate limited", "PUT", "/v1/me/password", 429, retry, problem("429", "rate_limited", ""), ErrStatus},
		{"events with a body problem", "GET", "/v1/me/events", 415, prob, problem("415", "unsupported_media_type", ""), ErrStatus},

		// Headers.
		{"forgot 429 without Retry-After", "POST", "/v1/auth/password/forgot", 429, prob, problem("429", "rate_limited", ""), ErrHeader},
		{"revoke 401 without WWW-Authenticate", "DELETE", "/v1/me/sessions/x", 401, prob, problem("401", "unauthenticated", ""), ErrHeader},
		{"events without request id", "GET", "/v1/me/events", 200, http.Header{"Content-Type": {jsonCT}}, list(meta1), ErrHeader},

		// Bodies.
		{"accepted, other status", "POST", "/v1/auth/password/forgot", 202, json, `{"status": "queued"}`, ErrBody},
		{"accepted, extra member", "POST", "/v1/auth/password/forgot", 202, json, `{"status": "accepted", "sent": true}`, ErrBody},
		{"accepted, empty", "POST", "/v1/auth/email/verification", 202, json, `{}`, ErrBody},
		{"confirm, bare user", "POST", "/v1/auth/email/confirm", 200, json, validUser, ErrBody},
		{"mfa, bare user", "POST", "/v1/auth/mfa", 200, json, validUser, ErrBody},
		{"admin login: mfa_required without token", "POST", "/v1/auth/admin/login", 401, bearer, problem("401", "mfa_required", ""), ErrBody},
		{"mfa: mfa_required again", "POST", "/v1/auth/mfa", 401, bearer, problem("401", "mfa_required", mfaToken), ErrBody},
		{"mfa: token on invalid_code", "POST", "/v1/auth/mfa", 400, prob, problem("400", "invalid_code", mfaToken), ErrBody},
		{"confirm: empty errors list", "POST", "/v1/auth/email/confirm", 409, prob, problem("409", "email_taken", `, "errors": []`), ErrBody},
		{"body on 204", "DELETE", "/v1/me", 204, json, `{}`, ErrBody},
		{"session without current", "GET", "/v1/me/sessions", 200, json,
			list(meta1, strings.Replace(sessionOther, `, "current": false`, ``, 1)), ErrBody},
		{"session ip null", "GET", "/v1/me/sessions", 200, json,
			list(meta1, strings.Replace(sessionOther, `"ip": ""`, `"ip": null`, 1)), ErrBody},
		{"session with its token hash", "GET", "/v1/me/sessions", 200, json,
			list(meta1, strings.Replace(sessionOther, `"current": false`, `"current": false, "token_hash": "x"`, 1)), ErrBody},
		{"session with a bad time", "GET", "/v1/me/sessions", 200, json,
			list(meta1, strings.Replace(sessionOther, `"2024-05-01T12:05:00Z"`, `"yesterday"`, 1)), ErrBody},
		{"sessions per_page over the cap", "GET", "/v1/me/sessions", 200, json,
			list(`{"total": 2, "page": 1, "per_page": 500, "page_count": 1}`, sessionCurrent), ErrBody},
		{"sessions without meta", "GET", "/v1/me/sessions", 200, json, `{"items": [` + sessionCurrent + `]}`, ErrBody},
		{"sessions as a bare array", "GET", "/v1/me/sessions", 200, json, `[` + sessionCurrent + `]`, ErrBody},
		{"event of a type that is no snake_case word", "GET", "/v1/me/events", 200, json,
			list(meta1, strings.Replace(eventLogin, `"login_succeeded"`, `"Login Succeeded"`, 1)), ErrBody},
		{"event detail not a string", "GET", "/v1/me/events", 200, json,
			list(meta1, strings.Replace(eventLocked, `"until": "2024-05-02T08:14:30Z"`, `"attempts": 10`, 1)), ErrBody},
		{"event detail null", "GET", "/v1/me/events", 200, json,
			list(meta1, strings.Replace(eventVerified, `"detail": {}`, `"detail": null`, 1)), ErrBody},
		{"event without ip", "GET", "/v1/me/events", 200, json,
			list(meta1, strings.Replace(eventLocked, `"ip": null, `, ``, 1)), ErrBody},
		{"a session in the events", "GET", "/v1/me/events", 200, json, list(meta1, sessionCurrent), ErrBody},
		{"nine recovery codes", "POST", "/v1/me/mfa/totp/confirm", 200, noStore,
			`{"recovery_codes": ` + strings.Replace(recoveryCodes, `"ztno-vmiz-wdia-eq3k", `, ``, 1) + `}`, ErrBody},
		{"eleven recovery codes", "POST", "/v1/me/mfa/totp/confirm", 200, noStore,
			`{"recovery_codes": ` + strings.Replace(recoveryCodes, `"ztno-vmiz-wdia-eq3k", `, `"ztno-vmiz-wdia-eq3k", "aaaa-bbbb-cccc-dddd", `, 1) + `}`, ErrBody},
		{"recovery code of another form", "POST", "/v1/me/mfa/totp/confirm", 200, noStore,
			`{"recovery_codes": ` + strings.Replace(recoveryCodes, `"ztno-vmiz-wdia-eq3k"`, `"ZTNOVMIZWDIAEQ3K"`, 1) + `}`, ErrBody},
		{"recovery codes with the user", "POST", "/v1/me/mfa/totp/confirm", 200, noStore,
			`{"recovery_codes": ` + recoveryCodes + `, "user": ` + validUser + `}`, ErrBody},
		{"enrollment secret not base32", "POST", "/v1/me/mfa/totp", 200, noStore,
			strings.Replace(enrollment, `"secret": "HQWU6DJTGTWWPYURT44VVFB5HXRBZM4X"`, `"secret": "hqwu6djtgtwwpyurt44vvfb5hxrbzm18"`, 1), ErrBody},
		{"enrollment url of another scheme", "POST", "/v1/me/mfa/totp", 200, noStore,
			strings.Replace(enrollment, `otpauth://totp/`, `https://example.com/`, 1), ErrBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.Check(tt.method, tt.path, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Check: got %v, want nil", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Check: got %v, want %v", err, tt.wantErr)
			}
		})
	}
}
