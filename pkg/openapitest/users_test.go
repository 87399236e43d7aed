package openapitest

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Example responses of the admin routes under /v1/users, held to docs/openapi.yaml: the
// shapes the handlers in pkg/httpapi/users.go produce pass, and near misses fail for the
// right reason.

const (
	generatedPassword = `"generated_password": "Xq7mKp2RtZ9vWb4NcH8s"`

	eventRoleChanged = `{"type": "role_changed", "at": "2024-05-03T10:05:00Z", "ip": "198.51.100.4",
		"user_agent": "test", "detail": {"from": "member", "to": "admin"}}`
	eventPasswordByAdmin = `{"type": "password_changed", "at": "2024-05-03T10:00:00Z", "ip": "198.51.100.4",
		"user_agent": "test", "detail": {"by": "01hzx3q2v1k8m4n6p8r0s2t4v6"}}`
)

func created(user, extra string) string { return `{"user": ` + user + extra + `}` }

// adminOperations are the operations that need an admin's token.
var adminOperations = []Operation{
	{"GET", "/v1/users"},
	{"POST", "/v1/users"},
	{"GET", "/v1/users/exists"},
	{"GET", "/v1/users/{id}"},
	{"PATCH", "/v1/users/{id}"},
	{"DELETE", "/v1/users/{id}"},
	{"PUT", "/v1/users/{id}/password"},
	{"POST", "/v1/users/{id}/email/confirm"},
	{"GET", "/v1/users/{id}/events"},
	{"DELETE", "/v1/users/{id}/mail-suppression"},
}

func TestCheckAdminRoutes(t *testing.T) {
	d := loadDoc(t, docPath)
	json, prob := headers("Content-Type", jsonCT), headers("Content-Type", problemCT)
	noStore := headers("Content-Type", jsonCT, "Cache-Control", "no-store")
	bearer := headers("Content-Type", problemCT, "WWW-Authenticate", "Bearer")
	const id = "01m86avtanmxk5vx5aa3369817"

	tests := []checkCase{
		// Successes.
		{"created with a generated password", "POST", "/v1/users", 201, noStore, created(validUser, ", "+generatedPassword), nil},
		{"created with the given password", "POST", "/v1/users", 201, noStore, created(emptyUser, ""), nil},
		{"created admin", "POST", "/v1/users", 201, noStore, created(userWith(t, `"role": "member"`, `"role": "admin"`), ""), nil},
		{"exists", "GET", "/v1/users/exists?login=a%40example.com", 200, json, `{"exists": true}`, nil},
		{"does not exist", "GET", "/v1/users/exists?login=garbage", 200, json, `{"exists": false}`, nil},
		{"one user", "GET", "/v1/users/" + id, 200, json, validUser, nil},
		{"updated", "PATCH", "/v1/users/" + id, 200, json, userWith(t, `"active": true`, `"active": false`), nil},
		{"updated, email pending", "PATCH", "/v1/users/" + id, 200, json, userWith(t, `"pending_email": null`, `"pending_email": "new@example.com"`), nil},
		{"deleted", "DELETE", "/v1/users/" + id, 204, headers(), "", nil},
		{"deleted with data", "DELETE", "/v1/users/" + id + "?with_data=true", 204, headers(), "", nil},
		{"deleted, any id", "DELETE", "/v1/users/garbage?with_data=1", 204, headers(), "", nil},
		{"password set", "PUT", "/v1/users/" + id + "/password", 204, headers(), "", nil},
		{"email confirmed", "POST", "/v1/users/" + id + "/email/confirm", 200, json, validUser, nil},
		{"events", "GET", "/v1/users/" + id + "/events", 200, json, list(meta1, eventRoleChanged, eventPasswordByAdmin), nil},
		{"events, paged", "GET", "/v1/users/" + id + "/events?page=2&per_page=1", 200, json,
			list(`{"total": 2, "page": 2, "per_page": 1, "page_count": 2}`, eventPasswordByAdmin), nil},

		// Problems each route may answer.
		{"create: sponsor not found", "POST", "/v1/users", 400, prob, problem("400", "validation_failed", fieldErrors("sponsor_id", "not_found")), nil},
		{"create: bad role", "POST", "/v1/users", 400, prob, problem("400", "validation_failed", fieldErrors("role", "invalid_choice")), nil},
		{"create: weak password", "POST", "/v1/users", 400, prob, problem("400", "validation_failed", fieldErrors("password", "too_short")), nil},
		{"create: read only", "POST", "/v1/users", 400, prob, problem("400", "read_only", fieldErrors("id", "read_only")), nil},
		{"create: active is unknown", "POST", "/v1/users", 400, prob, problem("400", "unknown_field", fieldErrors("active", "unknown_field")), nil},
		{"create: confirmation url", "POST", "/v1/users", 400, prob, problem("400", "invalid_confirmation_url", ""), nil},
		{"create: email taken", "POST", "/v1/users", 409, prob, problem("409", "email_taken", ""), nil},
		{"create: phone taken", "POST", "/v1/users", 409, prob, problem("409", "phone_taken", ""), nil},
		{"create: too large", "POST", "/v1/users", 413, prob, problem("413", "payload_too_large", ""), nil},
		{"create: not json", "POST", "/v1/users", 415, prob, problem("415", "unsupported_media_type", ""), nil},
		{"exists: no login", "GET", "/v1/users/exists", 400, prob, problem("400", "validation_failed", fieldErrors("login", "required")), nil},
		{"get: not found", "GET", "/v1/users/" + id, 404, prob, problem("404", "not_found", ""), nil},
		{"patch: last admin", "PATCH", "/v1/users/" + id, 409, prob, problem("409", "last_admin", ""), nil},
		{"patch: phone taken", "PATCH", "/v1/users/" + id, 409, prob, problem("409", "phone_taken", ""), nil},
		{"patch: conflict", "PATCH", "/v1/users/" + id, 409, prob, problem("409", "conflict", ""), nil},
		{"patch: active not a boolean", "PATCH", "/v1/users/" + id, 400, prob, problem("400", "validation_failed", fieldErrors("active", "invalid_format")), nil},
		{"patch: read only", "PATCH", "/v1/users/" + id, 400, prob, problem("400", "read_only", fieldErrors("mfa_enabled", "read_only")), nil},
		{"patch: not found", "PATCH", "/v1/users/" + id, 404, prob, problem("404", "not_found", ""), nil},
		{"delete: bad with_data", "DELETE", "/v1/users/" + id + "?with_data=maybe", 400, prob, problem("400", "validation_failed", fieldErrors("with_data", "invalid_choice")), nil},
		{"delete: last admin", "DELETE", "/v1/users/" + id, 409, prob, problem("409", "last_admin", ""), nil},
		{"password: breached", "PUT", "/v1/users/" + id + "/password", 400, prob, problem("400", "validation_failed", fieldErrors("new_password", "password_breached")), nil},
		{"password: not found", "PUT", "/v1/users/" + id + "/password", 404, prob, problem("404", "not_found", ""), nil},
		{"confirm: address taken", "POST", "/v1/users/" + id + "/email/confirm", 409, prob, problem("409", "email_taken", ""), nil},
		{"confirm: not found", "POST", "/v1/users/" + id + "/email/confirm", 404, prob, problem("404", "not_found", ""), nil},
		{"events: bad page", "GET", "/v1/users/" + id + "/events?page=0", 400, prob, problem("400", "validation_failed", fieldErrors("page", "invalid_format")), nil},
		{"events: not found", "GET", "/v1/users/" + id + "/events", 404, prob, problem("404", "not_found", ""), nil},

		// Routing and statuses the document does not give.
		{"exists is not an id", "GET", "/v1/users/exists", 404, prob, problem("404", "not_found", ""), ErrStatus},
		{"delete answering 404", "DELETE", "/v1/users/" + id, 404, prob, problem("404", "not_found", ""), ErrStatus},
		{"create answering 200", "POST", "/v1/users", 200, noStore, created(validUser, ""), ErrStatus},
		{"exists answering 404", "GET", "/v1/users/exists?login=x", 404, prob, problem("404", "not_found", ""), ErrStatus},
		{"password answering 200", "PUT", "/v1/users/" + id + "/password", 200, json, validUser, ErrStatus},
		{"a search is not rate limited", "GET", "/v1/users", 429, headers("Content-Type", problemCT, "Retry-After", "5"), problem("429", "rate_limited", ""), ErrStatus},
		{"no PUT on a user", "PUT", "/v1/users/" + id, 200, json, validUser, ErrNoOperation},

		// Headers.
		{"created without no-store", "POST", "/v1/users", 201, json, created(validUser, ", "+generatedPassword), ErrHeader},
		{"created with a cacheable answer", "POST", "/v1/users", 201, headers("Content-Type", jsonCT, "Cache-Control", "private, max-age=60"),
			created(validUser, ", "+generatedPassword), ErrHeader},
		{"401 without WWW-Authenticate", "GET", "/v1/users/" + id, 401, prob, problem("401", "unauthenticated", ""), ErrHeader},

		// Bodies.
		{"created as a bare user", "POST", "/v1/users", 201, noStore, validUser, ErrBody},
		{"generated password too short", "POST", "/v1/users", 201, noStore, created(validUser, `, "generated_password": "abc"`), ErrBody},
		{"generated password with a look-alike", "POST", "/v1/users", 201, noStore,
			created(validUser, `, "generated_password": "Xq7mKp2RtZ9vWb4NcH8l"`), ErrBody},
		{"generated password null", "POST", "/v1/users", 201, noStore, created(validUser, `, "generated_password": null`), ErrBody},
		{"created with a token", "POST", "/v1/users", 201, noStore, created(validUser, `, "token": "9mQ3b0vXH0sB2yJ2m6mCkqk0hJ6r3F9dZ5Gv1tWq8Yw"`), ErrBody},
		{"exists as a string", "GET", "/v1/users/exists?login=a", 200, json, `{"exists": "yes"}`, ErrBody},
		{"exists with the user", "GET", "/v1/users/exists?login=a", 200, json, `{"exists": true, "id": "u_1"}`, ErrBody},
		{"confirm in an envelope", "POST", "/v1/users/" + id + "/email/confirm", 200, json, `{"user": ` + validUser + `}`, ErrBody},
		{"403 of another code", "GET", "/v1/users/" + id, 403, prob, problem("403", "account_disabled", ""), ErrBody},
		{"last_admin as a 400", "PATCH", "/v1/users/" + id, 400, prob, problem("400", "last_admin", ""), ErrBody},
		{"event detail by not a string", "GET", "/v1/users/" + id + "/events", 200, json,
			list(meta1, strings.Replace(eventPasswordByAdmin, `{"by": "01hzx3q2v1k8m4n6p8r0s2t4v6"}`, `{"by": {"id": "x"}}`, 1)), ErrBody},
	}
	for _, op := range adminOperations {
		path := strings.Replace(op.Path, "{id}", id, 1)
		tests = append(tests,
			checkCase{op.String() + ": no token", op.Method, path, 401, bearer, problem("401", "unauthenticated", ""), nil},
			checkCase{op.String() + ": member", op.Method, path, 403, prob, problem("403", "forbidden", ""), nil},
		)
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

// checkCase is one response for Check and the error it must give (nil: it must pass).
type checkCase struct {
	name    string
	method  string
	path    string
	status  int
	header  http.Header
	body    string
	wantErr error
}

// Every admin operation needs a bearer token and says so: 401 with WWW-Authenticate (the
// conventions test holds that for every secured route) and 403 `forbidden`; the two that
// can change an admin's own sign-in also 403 `reauthentication_required`.
func TestAdminOperationsAreForAdmins(t *testing.T) {
	d := loadDoc(t, docPath)
	var got []Operation
	for _, r := range d.routes {
		if !strings.HasPrefix(r.op.Path, "/v1/users") {
			continue
		}
		got = append(got, r.op)
		t.Run(r.op.String(), func(t *testing.T) {
			if !secured(effectiveSecurity(d.spec, r.oper)) {
				t.Error("not secured by the bearer scheme")
			}
			if !slices.Contains(r.oper.Tags, "users") {
				t.Errorf("tags %v, want users", r.oper.Tags)
			}
			ref := r.oper.Responses.Status(403)
			if ref == nil {
				t.Fatal("no 403")
			}
			mt := ref.Value.Content.Get(problemCT)
			if mt == nil {
				t.Fatal("403 is not a problem")
			}
			want := []string{"forbidden"}
			if slices.Contains(ownSignInOperations, r.op) {
				want = append(want, "reauthentication_required")
			}
			if _, codes := problemConstraint(mt.Schema.Value); !slices.Equal(codes, want) {
				t.Errorf("403 codes %v, want %v", codes, want)
			}
		})
	}
	for _, op := range adminOperations {
		if !slices.Contains(got, op) {
			t.Errorf("%s is not documented", op)
		}
	}
}

// ownSignInOperations are the admin operations that can change the caller's own email,
// phone or password, and so need a fresh proof when the admin aims them at themselves.
var ownSignInOperations = []Operation{{"PATCH", "/v1/users/{id}"}, {"PUT", "/v1/users/{id}/password"}}

// GET /v1/users/exists is its own operation, not GET /v1/users/{id} with the id "exists".
func TestFindAdminPaths(t *testing.T) {
	d := loadDoc(t, docPath)
	for path, want := range map[string]Operation{
		"/v1/users/exists":                   {"GET", "/v1/users/exists"},
		"/v1/users/exists?login=a@b.example": {"GET", "/v1/users/exists"},
		"/v1/users/existsx":                  {"GET", "/v1/users/{id}"},
		"/v1/users/u_1/events":               {"GET", "/v1/users/{id}/events"},
	} {
		got, err := d.Find("GET", path)
		if err != nil || got != want {
			t.Errorf("Find(GET %s) = %v, %v; want %v", path, got, err, want)
		}
	}
	// Only GET is documented on the literal path; other methods fall to the template.
	if got, err := d.Find("DELETE", "/v1/users/exists"); err != nil || got != (Operation{"DELETE", "/v1/users/{id}"}) {
		t.Errorf("Find(DELETE /v1/users/exists) = %v, %v", got, err)
	}
}
