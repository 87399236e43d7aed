package openapitest

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const docPath = "../../docs/openapi.yaml"

func loadDoc(t *testing.T, path string) *Doc {
	t.Helper()
	d, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%q): %v", path, err)
	}
	return d
}

const validUser = `{
  "id": "u_1", "email": "a@example.com", "email_verified": true, "pending_email": null,
  "phone": "+989335556196", "first_name": "Mostafa", "last_name": "Azizi",
  "role": "member", "active": true, "language": "en", "currency": "USD", "timezone": "Asia/Tehran",
  "gender": "male", "birth_date": "1990-05-01",
  "address": {"country": "IR", "state": "Tehran", "city": "Tehran", "district": "Vanak", "line": "12 Example St.", "postal_code": "1991612345"},
  "social": {"website": "https://example.com", "instagram": null, "telegram": null, "linkedin": null, "facebook": null, "twitter": null},
  "attributes": {"shoe_size": "42", "newsletter": true},
  "avatar_url": "https://bucket.s3.amazonaws.com/u_1/avatar.webp?X-Amz-Expires=900",
  "sponsor_id": null, "mfa_enabled": false,
  "created_at": "2024-05-01T12:00:00Z", "updated_at": "2024-05-01T12:00:00.123Z"
}`

// emptyUser is a new account with nothing but an email: every optional value null.
const emptyUser = `{
  "id": "u_2", "email": "b@example.com", "email_verified": false, "pending_email": null,
  "phone": null, "first_name": null, "last_name": null, "role": "member", "active": true,
  "language": null, "currency": null, "timezone": null, "gender": null, "birth_date": null,
  "address": null, "social": null, "attributes": {}, "avatar_url": null, "sponsor_id": null,
  "mfa_enabled": false, "created_at": "2024-05-01T12:00:00Z", "updated_at": "2024-05-01T12:00:00Z"
}`

func userWith(t *testing.T, from, to string) string {
	t.Helper()
	if !strings.Contains(validUser, from) {
		t.Fatalf("test setup: %q is not in validUser", from)
	}
	return strings.Replace(validUser, from, to, 1)
}

func authResult(user string) string {
	return `{"user": ` + user + `, "token": "9mQ3b0vXH0sB2yJ2m6mCkqk0hJ6r3F9dZ5Gv1tWq8Yw", "expires_at": "2024-05-31T12:00:00Z",
		"access_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "token_type": "Bearer", "expires_in": 900}`
}

func problem(status, code, extra string) string {
	return `{"type": "about:blank", "title": "T", "status": ` + status + `, "code": "` + code +
		`", "detail": "D", "request_id": "req-1"` + extra + `}`
}

func headers(kv ...string) http.Header {
	h := http.Header{"X-Request-Id": {"req-1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const (
	jsonCT    = "application/json"
	problemCT = "application/problem+json"
)

func TestCheck(t *testing.T) {
	d := loadDoc(t, docPath)
	validationErrors := `, "errors": [{"field": "email", "code": "invalid_email", "message": "Enter a valid email address."}]`

	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  http.Header
		body    string
		wantErr error // nil: the response must pass
	}{
		// Responses that match.
		{"user", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), validUser, nil},
		{"user with every optional value null", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), emptyUser, nil},
		{"content type with charset", "GET", "/v1/me", 200, headers("Content-Type", "application/json; charset=utf-8"), validUser, nil},
		{"lower-case method", "get", "/v1/me", 200, headers("Content-Type", jsonCT), validUser, nil},
		{"register", "POST", "/v1/auth/register", 201, headers("Content-Type", jsonCT, "Cache-Control", "no-store"), authResult(emptyUser), nil},
		{"login", "POST", "/v1/auth/login", 200, headers("Content-Type", jsonCT), authResult(validUser), nil},
		{"session", "GET", "/v1/auth/session", 200, headers("Content-Type", jsonCT),
			`{"logged_in": true, "user_id": "u_1", "role": "admin", "expires_at": "2024-05-31T12:00:00Z", "session_id": "s_1"}`, nil},
		{"logout with query", "POST", "/v1/auth/logout?all=true", 204, headers(), "", nil},
		{"validation problem", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("400", "validation_failed", validationErrors), nil},
		{"malformed json problem", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("400", "malformed_json", ""), nil},
		{"unauthenticated problem", "GET", "/v1/me", 401, headers("Content-Type", problemCT, "WWW-Authenticate", "Bearer"),
			problem("401", "unauthenticated", ""), nil},
		{"email taken", "POST", "/v1/auth/register", 409, headers("Content-Type", problemCT), problem("409", "email_taken", ""), nil},
		{"mfa required", "POST", "/v1/auth/login", 401, headers("Content-Type", problemCT),
			problem("401", "mfa_required", `, "mfa_token": "m_1"`), nil},
		{"rate limited", "POST", "/v1/auth/login", 429, headers("Content-Type", problemCT, "Retry-After", "3600"),
			problem("429", "rate_limited", ""), nil},

		// Routing and status.
		{"unknown path", "GET", "/v1/nope", 200, headers(), "", ErrNoOperation},
		{"undocumented method", "DELETE", "/v1/auth/session", 204, headers(), "", ErrNoOperation},
		{"trailing slash", "GET", "/v1/me/", 200, headers("Content-Type", jsonCT), validUser, ErrNoOperation},
		{"undocumented status", "GET", "/v1/me", 404, headers("Content-Type", problemCT), problem("404", "not_found", ""), ErrStatus},
		{"200 for a 201 route", "POST", "/v1/auth/register", 200, headers("Content-Type", jsonCT), authResult(validUser), ErrStatus},

		// Headers.
		{"no request id", "GET", "/v1/me", 200, http.Header{"Content-Type": {jsonCT}}, validUser, ErrHeader},
		{"no request id on 204", "POST", "/v1/auth/logout", 204, http.Header{}, "", ErrHeader},
		{"401 without WWW-Authenticate", "GET", "/v1/me", 401, headers("Content-Type", problemCT),
			problem("401", "unauthenticated", ""), ErrHeader},
		{"429 without Retry-After", "POST", "/v1/auth/login", 429, headers("Content-Type", problemCT),
			problem("429", "rate_limited", ""), ErrHeader},
		{"Retry-After not a number", "POST", "/v1/auth/login", 429, headers("Content-Type", problemCT, "Retry-After", "soon"),
			problem("429", "rate_limited", ""), ErrHeader},

		// Content type.
		{"no content type", "GET", "/v1/me", 200, headers(), validUser, ErrContentType},
		{"problem as plain json", "GET", "/v1/me", 401, headers("Content-Type", jsonCT, "WWW-Authenticate", "Bearer"),
			problem("401", "unauthenticated", ""), ErrContentType},
		{"success as problem", "GET", "/v1/me", 200, headers("Content-Type", problemCT), validUser, ErrContentType},

		// Bodies.
		{"extra field", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"mfa_enabled": false,`, `"mfa_enabled": false, "password_hash": "x",`), ErrBody},
		{"mistyped field", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"email_verified": true`, `"email_verified": "yes"`), ErrBody},
		{"missing field", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"pending_email": null,`, ``), ErrBody},
		{"null where not nullable", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"email": "a@example.com"`, `"email": null`), ErrBody},
		{"bad email", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"email": "a@example.com"`, `"email": "not an email"`), ErrBody},
		{"bad enum", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"gender": "male"`, `"gender": "m"`), ErrBody},
		{"bad role", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"role": "member"`, `"role": "owner"`), ErrBody},
		{"bad date-time", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"created_at": "2024-05-01T12:00:00Z"`, `"created_at": "2024-05-01 12:00"`), ErrBody},
		{"bad date", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"birth_date": "1990-05-01"`, `"birth_date": "1990-02-30"`), ErrBody},
		{"phone not E.164", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"phone": "+989335556196"`, `"phone": "09335556196"`), ErrBody},
		{"name too long", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"first_name": "Mostafa"`, `"first_name": "`+strings.Repeat("a", 256)+`"`), ErrBody},
		{"extra address member", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"district": "Vanak",`, `"district": "Vanak", "hood": "x",`), ErrBody},
		{"social link not https", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), userWith(t, `"website": "https://example.com"`, `"website": "http://example.com"`), ErrBody},
		{"not json", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), `{"id": `, ErrBody},
		{"empty body", "GET", "/v1/me", 200, headers("Content-Type", jsonCT), ``, ErrBody},
		{"bare user for register", "POST", "/v1/auth/register", 201, headers("Content-Type", jsonCT), validUser, ErrBody},
		{"logged_in false", "GET", "/v1/auth/session", 200, headers("Content-Type", jsonCT),
			`{"logged_in": false, "user_id": "u_1", "role": "member", "expires_at": "2024-05-31T12:00:00Z", "session_id": "s_1"}`, ErrBody},
		{"body on 204", "POST", "/v1/auth/logout", 204, headers("Content-Type", jsonCT), `{}`, ErrBody},
		{"problem code of another status", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("400", "email_taken", ""), ErrBody},
		{"problem status not the response's", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("422", "malformed_json", ""), ErrBody},
		{"uncatalogued problem code", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("400", "bad_request", ""), ErrBody},
		{"validation_failed without errors", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("400", "validation_failed", ""), ErrBody},
		{"unknown field code", "POST", "/v1/auth/register", 400, headers("Content-Type", problemCT),
			problem("400", "validation_failed", `, "errors": [{"field": "email", "code": "bad", "message": "m"}]`), ErrBody},
		{"problem without request_id", "GET", "/v1/me", 500, headers("Content-Type", problemCT),
			`{"type": "about:blank", "title": "T", "status": 500, "code": "internal"}`, ErrBody},
		{"problem with extra member", "GET", "/v1/me", 500, headers("Content-Type", problemCT),
			problem("500", "internal", `, "stack": "panic: ..."`), ErrBody},
		{"mfa_required without token", "POST", "/v1/auth/login", 401, headers("Content-Type", problemCT),
			problem("401", "mfa_required", ""), ErrBody},
		{"mfa_token on another code", "POST", "/v1/auth/login", 401, headers("Content-Type", problemCT),
			problem("401", "invalid_credentials", `, "mfa_token": "m_1"`), ErrBody},
		{"rate limited without detail", "POST", "/v1/auth/login", 429, headers("Content-Type", problemCT, "Retry-After", "5"),
			`{"type": "about:blank", "title": "T", "status": 429, "code": "rate_limited", "request_id": "req-1"}`, ErrBody},
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

func TestCheckResponse(t *testing.T) {
	d := loadDoc(t, docPath)
	req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: "127.0.0.1:3000", Path: "/v1/me"}}
	resp := &http.Response{
		StatusCode: 200,
		Header:     headers("Content-Type", jsonCT),
		Body:       io.NopCloser(strings.NewReader(validUser)),
		Request:    req,
	}
	if err := d.CheckResponse(resp); err != nil {
		t.Fatalf("CheckResponse: got %v, want nil", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body again: %v", err)
	}
	if got := string(body); got != validUser {
		t.Errorf("body after CheckResponse: got %q, want the original", got)
	}
}

func TestOperationsAndCoverage(t *testing.T) {
	d := loadDoc(t, docPath)
	want := []Operation{
		{"GET", "/.well-known/jwks.json"},
		{"GET", "/.well-known/openid-configuration"},
		{"GET", "/account"},
		{"GET", "/account/assets/{file}"},
		{"POST", "/account/qr"},
		{"GET", "/account/{page}"},
		{"POST", "/v1/auth/admin/login"},
		{"POST", "/v1/auth/email/code"},
		{"POST", "/v1/auth/email/code/verify"},
		{"POST", "/v1/auth/email/confirm"},
		{"POST", "/v1/auth/email/revert"},
		{"POST", "/v1/auth/email/verification"},
		{"POST", "/v1/auth/login"},
		{"POST", "/v1/auth/logout"},
		{"POST", "/v1/auth/mfa"},
		{"POST", "/v1/auth/passkey"},
		{"POST", "/v1/auth/passkey/options"},
		{"POST", "/v1/auth/password/forgot"},
		{"POST", "/v1/auth/password/reset"},
		{"POST", "/v1/auth/reauthenticate"},
		{"POST", "/v1/auth/register"},
		{"GET", "/v1/auth/session"},
		{"POST", "/v1/auth/token"},
		{"GET", "/v1/locales"},
		{"DELETE", "/v1/me"},
		{"GET", "/v1/me"},
		{"PATCH", "/v1/me"},
		{"DELETE", "/v1/me/avatar"},
		{"PUT", "/v1/me/avatar"},
		{"GET", "/v1/me/events"},
		{"GET", "/v1/me/export"},
		{"PUT", "/v1/me/language"},
		{"DELETE", "/v1/me/mfa/totp"},
		{"POST", "/v1/me/mfa/totp"},
		{"POST", "/v1/me/mfa/totp/confirm"},
		{"GET", "/v1/me/passkeys"},
		{"POST", "/v1/me/passkeys"},
		{"POST", "/v1/me/passkeys/options"},
		{"DELETE", "/v1/me/passkeys/{id}"},
		{"PUT", "/v1/me/password"},
		{"GET", "/v1/me/sessions"},
		{"DELETE", "/v1/me/sessions/{session_id}"},
		{"GET", "/v1/me/wishlist"},
		{"DELETE", "/v1/me/wishlist/{product_id}"},
		{"PUT", "/v1/me/wishlist/{product_id}"},
		{"GET", "/v1/profile-fields"},
		{"GET", "/v1/users"},
		{"POST", "/v1/users"},
		{"GET", "/v1/users/exists"},
		{"DELETE", "/v1/users/{id}"},
		{"GET", "/v1/users/{id}"},
		{"PATCH", "/v1/users/{id}"},
		{"POST", "/v1/users/{id}/email/confirm"},
		{"GET", "/v1/users/{id}/events"},
		{"DELETE", "/v1/users/{id}/mail-suppression"},
		{"PUT", "/v1/users/{id}/password"},
	}
	if diff := cmp.Diff(want, d.Operations()); diff != "" {
		t.Errorf("Operations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, d.Unexercised()); diff != "" {
		t.Errorf("Unexercised before any Check (-want +got):\n%s", diff)
	}

	// A failing check still counts as exercised: the test that made it fails on its own.
	_ = d.Check("GET", "/v1/me", 418, nil, nil)
	_ = d.Check("POST", "/v1/auth/logout?all=true", 204, headers(), nil)
	_ = d.Check("GET", "/v1/unknown", 200, nil, nil)

	exercised := []Operation{{"POST", "/v1/auth/logout"}, {"GET", "/v1/me"}}
	if diff := cmp.Diff(exercised, d.Exercised()); diff != "" {
		t.Errorf("Exercised (-want +got):\n%s", diff)
	}
	rest := slices.DeleteFunc(slices.Clone(want), func(o Operation) bool { return slices.Contains(exercised, o) })
	if diff := cmp.Diff(rest, d.Unexercised()); diff != "" {
		t.Errorf("Unexercised (-want +got):\n%s", diff)
	}
}

func TestFind(t *testing.T) {
	d := loadDoc(t, "testdata/paths.yaml")
	tests := []struct {
		method, path string
		want         Operation
		wantErr      error
	}{
		{"GET", "/v1/users", Operation{"GET", "/v1/users"}, nil},
		{"GET", "/v1/users/u_1", Operation{"GET", "/v1/users/{id}"}, nil},
		{"GET", "/v1/users/u_1?with_data=true", Operation{"GET", "/v1/users/{id}"}, nil},
		{"GET", "/v1/users/exists", Operation{"GET", "/v1/users/exists"}, nil},
		{"GET", "/v1/users/exists?login=a@example.com", Operation{"GET", "/v1/users/exists"}, nil},
		// No DELETE on the literal path, so the template serves it.
		{"DELETE", "/v1/users/exists", Operation{"DELETE", "/v1/users/{id}"}, nil},
		{"GET", "/v1/users/u_1/events", Operation{"GET", "/v1/users/{id}/events"}, nil},
		{"GET", "/v1/files/photo.png", Operation{"GET", "/v1/files/{name}.{ext}"}, nil},
		{"GET", "/v1/files/photo", Operation{}, ErrNoOperation},
		{"GET", "/v1/users/", Operation{}, ErrNoOperation},
		{"GET", "/v1/users/u_1/events/e_1", Operation{}, ErrNoOperation},
		{"PUT", "/v1/users/u_1", Operation{}, ErrNoOperation},
		{"GET", "v1/users", Operation{}, ErrNoOperation},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			got, err := d.Find(tt.method, tt.path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Find: got error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Find: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckRangesAndDefault(t *testing.T) {
	d := loadDoc(t, "testdata/paths.yaml")
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  http.Header
		body    string
		wantErr error
	}{
		{"2XX range", "GET", "/v1/users/exists", 202, nil, "", nil},
		{"outside the range", "GET", "/v1/users/exists", 404, nil, "", ErrStatus},
		{"exact status", "DELETE", "/v1/users/u_1", 204, nil, "", nil},
		{"default", "DELETE", "/v1/users/u_1", 409, http.Header{"Content-Type": {jsonCT}}, `{}`, nil},
		{"default, wrong body", "DELETE", "/v1/users/u_1", 409, http.Header{"Content-Type": {jsonCT}}, `[]`, ErrBody},
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

func TestLoadErrors(t *testing.T) {
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil {
		t.Error("Load of a missing file: got nil error, want one")
	}
}

// The e2e suite checks responses from parallel tests against one Doc.
func TestCheckConcurrent(t *testing.T) {
	d := loadDoc(t, docPath)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			errs <- d.Check("GET", "/v1/me", 200, headers("Content-Type", jsonCT), []byte(validUser))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Check: got %v, want nil", err)
		}
	}
}
