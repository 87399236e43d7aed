package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"
)

const unknownID = "0123456789abcdefghijklmnop"

// admin makes the admin account once and returns a token of it.
func (f *fixture) admin(t *testing.T) string {
	t.Helper()
	if _, err := f.svc.EnsureAdmin(context.Background(), "admin@example.com", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	resp := f.do(t, call{method: "POST", path: "/v1/auth/admin/login", body: `{"login":"admin@example.com","password":"correct-horse-battery"}`})
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil || out.Token == "" {
		t.Fatalf("admin login: %d %s", resp.StatusCode, resp.Body)
	}
	return out.Token
}

// userID is the id of the account of email.
func (f *fixture) userID(t *testing.T, email string) string {
	t.Helper()
	u, err := f.svc.UserByLogin(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// The admin routes: every one refuses no token, a bad token and a member's token the same
// way, then serves its happy path, its bad inputs and its documented problems.
func TestUserAdminScenarios(t *testing.T) {
	f := newFixture(t)
	admin := f.admin(t)
	member := f.signUp(t, "member@example.com")
	id := f.userID(t, "member@example.com")
	badToken := "01abcdefghjkmnpqrstvwxyz01.01abcdefghjkmnpqrstvwxyz01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	adminCalls := []call{
		{method: "POST", path: "/v1/users", body: `{"email":"x@example.com"}`},
		{method: "GET", path: "/v1/users"},
		{method: "GET", path: "/v1/users/exists", query: map[string]string{"login": "member@example.com"}},
		{method: "GET", path: "/v1/users/{id}", params: map[string]string{"id": id}},
		{method: "PATCH", path: "/v1/users/{id}", params: map[string]string{"id": id}, body: `{"first_name":"X"}`},
		{method: "DELETE", path: "/v1/users/{id}", params: map[string]string{"id": id}},
		{method: "PUT", path: "/v1/users/{id}/password", params: map[string]string{"id": id}, body: `{"new_password":"another-horse-battery"}`},
		{method: "POST", path: "/v1/users/{id}/email/confirm", params: map[string]string{"id": id}},
		{method: "GET", path: "/v1/users/{id}/events", params: map[string]string{"id": id}},
	}
	var auth []scenario
	for _, c := range adminCalls {
		for _, a := range []struct {
			who, header string
			status      int
			code        string
		}{{"no token", "", 401, "unauthenticated"}, {"bad token", "Bearer " + badToken, 401, "unauthenticated"}, {"member", "Bearer " + member, 403, "forbidden"}} {
			c := c
			if a.header != "" {
				c.headers = map[string]string{"Authorization": a.header}
			}
			auth = append(auth, scenario{c.method + " " + c.path + ", " + a.who, c, a.status, a.code, nil, nil})
		}
	}
	runScenarios(t, f, auth)

	as := bearer(admin)
	at := func(id string) map[string]string { return map[string]string{"id": id} }
	runScenarios(t, f, []scenario{
		// POST /v1/users
		{"create", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"Made@Example.com","first_name":"Made","role":"member"}`},
			201, "", []string{`"email":"made@example.com"`, `"generated_password":"`, `"first_name":"Made"`}, []string{"hash"}},
		{"create with a password", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"pw@example.com","password":"correct-horse-battery"}`},
			201, "", []string{`"email":"pw@example.com"`}, []string{"generated_password"}},
		{"create, taken", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"MEMBER@example.com"}`}, 409, "email_taken", nil, nil},
		{"create, malformed", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":`}, 400, "malformed_json", nil, nil},
		{"create, unknown field", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"u@example.com","nickname":"u"}`},
			400, "unknown_field", []string{`"field":"nickname"`}, nil},
		{"create, read-only field", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"u@example.com","id":"x"}`},
			400, "read_only", []string{`"field":"id"`}, nil},
		{"create, wrong type", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":5}`}, 400, "validation_failed", []string{`"field":"email"`}, nil},
		{"create, no email", call{method: "POST", path: "/v1/users", headers: as, body: `{}`}, 400, "validation_failed", []string{`"field":"email","code":"required"`}, nil},
		{"create, disabled and unconfirmed", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"off@example.com","active":false,"email_verified":false}`},
			201, "", []string{`"active":false`, `"email_verified":false`}, nil},
		{"create, confirmed though invited", call{method: "POST", path: "/v1/users", headers: as,
			body: `{"email":"inv@example.com","email_verified":true,"confirmation_url":"https://localhost/v?c={{code}}"}`}, 201, "", []string{`"active":true`, `"email_verified":true`}, nil},
		{"create, active not a boolean", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"b@example.com","active":"yes","email_verified":null}`},
			400, "validation_failed", []string{`"field":"active","code":"invalid_format"`, `"field":"email_verified","code":"invalid_format"`}, nil},
		{"create, bad role", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"r@example.com","role":"king"}`},
			400, "validation_failed", []string{`"field":"role"`}, nil},
		{"create, weak password", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"w@example.com","password":"abc"}`},
			400, "validation_failed", []string{`"field":"password"`}, nil},
		{"create, confirmation url not allowed", call{method: "POST", path: "/v1/users", headers: as, body: `{"email":"c@example.com","confirmation_url":"https://evil.example/{{code}}"}`},
			400, "invalid_confirmation_url", nil, nil},

		// GET /v1/users/{id}
		{"get", call{method: "GET", path: "/v1/users/{id}", headers: as, params: at(id)}, 200, "", []string{`"email":"member@example.com"`, `"id":"` + id + `"`}, []string{"hash"}},
		{"get, unknown", call{method: "GET", path: "/v1/users/{id}", headers: as, params: at(unknownID)}, 404, "not_found", nil, nil},
		{"get, not an id", call{method: "GET", path: "/v1/users/{id}", headers: as, params: at("x")}, 404, "not_found", nil, nil},

		// GET /v1/users/exists
		{"exists", call{method: "GET", path: "/v1/users/exists", headers: as, query: map[string]string{"login": "Member@Example.com"}}, 200, "", []string{`"exists":true`}, nil},
		{"exists, no", call{method: "GET", path: "/v1/users/exists", headers: as, query: map[string]string{"login": "ghost@example.com"}}, 200, "", []string{`"exists":false`}, nil},
		{"exists, no login", call{method: "GET", path: "/v1/users/exists", headers: as}, 400, "validation_failed", []string{`"field":"login"`}, nil},

		// GET /v1/users
		{"search", call{method: "GET", path: "/v1/users", headers: as}, 200, "", []string{`"items":[`, `"total":`, `member@example.com`}, []string{"hash"}},
		{"search by q", call{method: "GET", path: "/v1/users", headers: as, query: map[string]string{"q": "made", "per_page": "1"}},
			200, "", []string{`made@example.com`, `"per_page":1`}, []string{"member@example.com"}},
		{"search, bad page", call{method: "GET", path: "/v1/users", headers: as, query: map[string]string{"page": "0"}}, 400, "validation_failed", []string{`"field":"page"`}, nil},
		{"search, bad per_page", call{method: "GET", path: "/v1/users", headers: as, query: map[string]string{"per_page": "x"}}, 400, "validation_failed", []string{`"field":"per_page"`}, nil},
		{"search, bad sort", call{method: "GET", path: "/v1/users", headers: as, query: map[string]string{"sort": "shoe_size"}}, 400, "validation_failed", []string{`"field":"sort"`}, nil},

		// PATCH /v1/users/{id}
		{"update", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"first_name":"Mem","email_verified":true,"active":true}`},
			200, "", []string{`"first_name":"Mem"`, `"email_verified":true`}, nil},
		{"update, role", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"role":"member"}`}, 200, "", []string{`"role":"member"`}, nil},
		{"update, active not a boolean", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"active":"yes","first_name":[],"role":"king"}`},
			400, "validation_failed", []string{`"field":"active","code":"invalid_format"`, `"field":"first_name","code":"invalid_format"`, `"field":"role","code":"invalid_choice"`}, nil},
		{"update, role not a string", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"role":5}`},
			400, "validation_failed", []string{`"field":"role"`}, nil},
		{"update, email_verified null", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"email_verified":null}`},
			400, "validation_failed", []string{`"field":"email_verified"`}, nil},
		{"update, read-only", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"created_at":"2020-01-01T00:00:00Z"}`},
			400, "read_only", nil, nil},
		{"update, the sponsor is set at creation only", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"sponsor_id":"x"}`},
			400, "read_only", []string{`"field":"sponsor_id"`}, nil},
		{"update, malformed", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `[`}, 400, "malformed_json", nil, nil},
		{"update, a user's proof is not a member here", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"first_name":"P","current_password":"wrong"}`},
			400, "unknown_field", []string{`"field":"current_password"`}, nil},
		{"update, unknown", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(unknownID), body: `{"first_name":"X"}`}, 404, "not_found", nil, nil},

		// PUT /v1/users/{id}/password
		{"set password", call{method: "PUT", path: "/v1/users/{id}/password", headers: as, params: at(id), body: `{"new_password":"another-horse-battery"}`}, 204, "", nil, nil},
		{"set password, too short", call{method: "PUT", path: "/v1/users/{id}/password", headers: as, params: at(id), body: `{"new_password":"abc"}`},
			400, "validation_failed", []string{`"field":"new_password"`}, nil},
		{"set password, wrong type", call{method: "PUT", path: "/v1/users/{id}/password", headers: as, params: at(id), body: `{"new_password":1}`},
			400, "validation_failed", nil, nil},
		{"set password, unknown field", call{method: "PUT", path: "/v1/users/{id}/password", headers: as, params: at(id), body: `{"password":"x"}`},
			400, "unknown_field", nil, nil},
		{"set password, unknown user", call{method: "PUT", path: "/v1/users/{id}/password", headers: as, params: at(unknownID), body: `{"new_password":"another-horse-battery"}`},
			404, "not_found", nil, nil},
		{"the member's sessions ended", call{method: "GET", path: "/v1/me", headers: bearer(member)}, 401, "unauthenticated", nil, nil},

		// POST /v1/users/{id}/email/confirm
		{"confirm email", call{method: "POST", path: "/v1/users/{id}/email/confirm", headers: as, params: at(id)}, 200, "", []string{`"email_verified":true`}, nil},
		{"confirm email, unknown", call{method: "POST", path: "/v1/users/{id}/email/confirm", headers: as, params: at(unknownID)}, 404, "not_found", nil, nil},
		{"confirm email, a member", call{method: "POST", path: "/v1/users/{id}/email/confirm", headers: as, params: at(id), body: `{"email":"other@example.com"}`},
			400, "unknown_field", []string{`"field":"email"`}, nil},
		{"confirm email, a null body", call{method: "POST", path: "/v1/users/{id}/email/confirm", headers: as, params: at(id), body: `null`},
			200, "", []string{`"email_verified":true`}, nil},
		{"delete, with_data as a member", call{method: "DELETE", path: "/v1/users/{id}", headers: as, params: at(id), body: `{"with_data":true}`},
			400, "unknown_field", []string{`"field":"with_data"`}, nil},

		// GET /v1/users/{id}/events
		{"events", call{method: "GET", path: "/v1/users/{id}/events", headers: as, params: at(id)}, 200, "", []string{`"items":[`, `"type":"`}, nil},
		{"events, bad page", call{method: "GET", path: "/v1/users/{id}/events", headers: as, params: at(id), query: map[string]string{"page": "-1"}},
			400, "validation_failed", nil, nil},
		{"events, unknown", call{method: "GET", path: "/v1/users/{id}/events", headers: as, params: at(unknownID)}, 404, "not_found", nil, nil},

		// DELETE /v1/users/{id}
		{"delete, bad with_data", call{method: "DELETE", path: "/v1/users/{id}", headers: as, params: at(id), query: map[string]string{"with_data": "maybe"}},
			400, "validation_failed", []string{`"field":"with_data","code":"invalid_choice"`}, nil},
		{"delete, unknown is idempotent", call{method: "DELETE", path: "/v1/users/{id}", headers: as, params: at(unknownID)}, 204, "", nil, nil},
		{"delete", call{method: "DELETE", path: "/v1/users/{id}", headers: as, params: at(id), query: map[string]string{"with_data": "TRUE"}}, 204, "", nil, nil},
		{"deleted", call{method: "GET", path: "/v1/users/{id}", headers: as, params: at(id)}, 404, "not_found", nil, nil},
		{"the last admin is not deleted", call{method: "DELETE", path: "/v1/users/{id}", headers: as, params: at(f.userID(t, "admin@example.com"))},
			409, "last_admin", nil, nil},
		{"the last admin is not demoted", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(f.userID(t, "admin@example.com")), body: `{"role":"member"}`},
			409, "last_admin", nil, nil},
		{"the last admin is not disabled", call{method: "PATCH", path: "/v1/users/{id}", headers: as, params: at(f.userID(t, "admin@example.com")), body: `{"active":false}`},
			409, "last_admin", nil, nil},
	})
}
