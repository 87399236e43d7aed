package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/store"
)

// adminToken makes an admin through the admin CLI's code path and signs it in.
func adminToken(t *testing.T) string {
	t.Helper()
	email := newEmail("admin")
	svc := app.Service(config.Defaults(stack.TableName), store.New(stack.DynamoDB(), stack.TableName), time.Now)
	if _, err := svc.EnsureAdmin(context.Background(), email, password); err != nil {
		t.Fatal(err)
	}
	return token(t, login(t, email, password))
}

func TestAdminRoutesNeedAnAdmin(t *testing.T) {
	member, id := signUp(t, newEmail("plain"), nil)
	for _, r := range []req{
		{method: "POST", path: "/v1/users", body: map[string]string{"email": newEmail("x")}},
		{method: "GET", path: "/v1/users?q=plain"},
		{method: "GET", path: "/v1/users/" + id},
		{method: "GET", path: "/v1/users/exists?login=a@example.com"},
		{method: "PATCH", path: "/v1/users/" + id, body: map[string]string{"first_name": "X"}},
		{method: "DELETE", path: "/v1/users/" + id},
		{method: "PUT", path: "/v1/users/" + id + "/password", body: map[string]string{"new_password": "another-good-pass"}},
		{method: "POST", path: "/v1/users/" + id + "/email/confirm"},
		{method: "GET", path: "/v1/users/" + id + "/events"},
		{method: "DELETE", path: "/v1/users/" + id + "/mail-suppression"},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			want(t, do(t, r), 401, "unauthenticated")
			r.token = member
			want(t, do(t, r), 403, "forbidden")
		})
	}
}

func TestAdminCreateGetExists(t *testing.T) {
	admin := adminToken(t)
	email := newEmail("created")
	r := do(t, req{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"email": email, "first_name": "Cy", "role": "member"}})
	want(t, r, http.StatusCreated, "")
	m := r.JSON(t)
	generated, _ := m["generated_password"].(string)
	u := m["user"].(map[string]any)
	if len(generated) < 16 || u["email_verified"] != true {
		t.Fatalf("create answered %s: want a generated password and a confirmed address", r.Body)
	}
	id := u["id"].(string)
	token(t, login(t, email, generated)) // the generated password signs in
	if strings.Contains(logs.String(), generated) {
		t.Error("the generated password is in the logs")
	}
	if g := do(t, req{method: "GET", path: "/v1/users/" + id, token: admin}); g.Status != 200 || g.JSON(t)["email"] != email {
		t.Errorf("GET /v1/users/{id}: %d %s", g.Status, g.Body)
	}
	want(t, do(t, req{method: "GET", path: "/v1/users/01zzzzzzzzzzzzzzzzzzzzzzzz", token: admin}), 404, "not_found")
	for login, exists := range map[string]bool{strings.ToUpper(email): true, newEmail("nobody"): false, "garbage": false} {
		r := do(t, req{method: "GET", path: "/v1/users/exists?login=" + login, token: admin})
		if r.Status != 200 || r.JSON(t)["exists"] != exists {
			t.Errorf("exists?login=%s: %d %s, want %v", login, r.Status, r.Body, exists)
		}
	}
	want(t, do(t, req{method: "GET", path: "/v1/users/exists", token: admin}), 400, "validation_failed")
	want(t, do(t, req{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"email": strings.ToUpper(email)}}), 409, "email_taken")
	want(t, do(t, req{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"email": newEmail("s"), "sponsor_id": "01zzzzzzzzzzzzzzzzzzzzzzzz"}}), 400, "validation_failed")
	want(t, do(t, req{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"email": newEmail("r"), "role": "root"}}), 400, "validation_failed")

	// With a confirmation_url: an invitation mail, and the address is not yet confirmed.
	invited := newEmail("invited")
	r = do(t, req{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"email": invited, "password": "an-invited-password", "sponsor_id": id, "confirmation_url": confirmURL}})
	want(t, r, http.StatusCreated, "")
	if u := r.JSON(t)["user"].(map[string]any); u["email_verified"] != false || u["sponsor_id"] != id || r.JSON(t)["generated_password"] != nil {
		t.Errorf("invited user: %s", r.Body)
	}
	code := mailCode(t, invited, "created for you")
	want(t, do(t, req{method: "POST", path: "/v1/auth/email/confirm", body: map[string]string{"code": code}}), 200, "")
}

func TestAdminUpdateDisableAndLastAdmin(t *testing.T) {
	admin := adminToken(t)
	email := newEmail("managed")
	userTok, id := signUp(t, email, nil)
	r := do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"last_name": "Managed", "email_verified": true}})
	want(t, r, 200, "")
	if u := r.JSON(t); u["last_name"] != "Managed" || u["email_verified"] != true {
		t.Errorf("PATCH: %s", r.Body)
	}
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"id": "x"}}), 400, "read_only")
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"active": "no"}}), 400, "validation_failed")

	// Disabling ends the live session on the very next request; login says account_disabled.
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"active": false}}), 200, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: userTok}), 401, "unauthenticated")
	want(t, login(t, email, password), 403, "account_disabled")
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"active": true, "role": "admin"}}), 200, "")
	token(t, login(t, email, password))
}

func TestAdminPasswordConfirmEventsDelete(t *testing.T) {
	admin := adminToken(t)
	email := newEmail("victim")
	userTok, id := signUp(t, email, nil)
	want(t, do(t, req{method: "PUT", path: "/v1/users/" + id + "/password", token: admin, body: map[string]string{"new_password": "short"}}), 400, "validation_failed")
	want(t, do(t, req{method: "PUT", path: "/v1/users/" + id + "/password", token: admin, body: map[string]string{"new_password": "set-by-an-admin-42"}}), 204, "")
	want(t, do(t, req{method: "GET", path: "/v1/me", token: userTok}), 401, "unauthenticated")
	userTok = token(t, login(t, email, "set-by-an-admin-42"))

	// A pending address, confirmed by force.
	newAddr := newEmail("moved")
	want(t, do(t, req{method: "PATCH", path: "/v1/me", token: userTok, body: map[string]any{"email": newAddr, "current_password": "set-by-an-admin-42"}}), 200, "")
	r := do(t, req{method: "POST", path: "/v1/users/" + id + "/email/confirm", token: admin})
	want(t, r, 200, "")
	if u := r.JSON(t); u["email"] != newAddr || u["pending_email"] != nil || u["email_verified"] != true {
		t.Errorf("forced confirm: %s", r.Body)
	}
	// A new address ends the user's sessions, as the owner's own confirmation does.
	want(t, do(t, req{method: "GET", path: "/v1/me", token: userTok}), 401, "unauthenticated")
	userTok = token(t, login(t, newAddr, "set-by-an-admin-42"))

	r = do(t, req{method: "GET", path: "/v1/users/" + id + "/events", token: admin})
	want(t, r, 200, "")
	found := false
	for _, it := range r.JSON(t)["items"].([]any) {
		e := it.(map[string]any)
		if e["type"] == "password_changed" && e["detail"].(map[string]any)["by"] != nil {
			found = true
		}
	}
	if !found {
		t.Errorf("no password_changed event naming the admin: %s", r.Body)
	}

	want(t, putAvatar(t, userTok, formPart{"image", "me.png", "image/png", pngBytes(t, 8, 8)}), 200, "")
	want(t, do(t, req{method: "DELETE", path: "/v1/users/" + id + "?with_data=maybe", token: admin}), 400, "validation_failed")
	want(t, do(t, req{method: "DELETE", path: "/v1/users/" + id + "?with_data=true", token: admin}), 204, "")
	// users-delete is wired with the avatar store: with_data takes the images too.
	if objs := avatarObjects(t, id); len(objs) != 0 {
		t.Errorf("avatar objects left after DELETE /v1/users/{id}?with_data=true: %v", objs)
	}
	want(t, do(t, req{method: "GET", path: "/v1/me", token: userTok}), 401, "unauthenticated")
	want(t, do(t, req{method: "DELETE", path: "/v1/users/" + id, token: admin}), 204, "") // already gone
	want(t, do(t, req{method: "GET", path: "/v1/users/" + id, token: admin}), 404, "not_found")
	signUp(t, newAddr, nil) // the address is free again
}

// The last active admin can be neither demoted, nor disabled, nor deleted (409 last_admin),
// and a role change is a role_changed event. Every other active admin of the shared stack
// is disabled for the test (found by listing every user) and enabled again after it.
func TestLastAdminRule(t *testing.T) {
	admin := adminToken(t)
	me := do(t, req{method: "GET", path: "/v1/me", token: admin}).JSON(t)["id"].(string)
	var others []string
	for page := 1; ; page++ {
		r := search(t, admin, params("per_page", "100", "page", fmt.Sprint(page)))
		for _, u := range r.Users {
			if u["role"] == "admin" && u["active"] == true && u["id"] != me {
				others = append(others, u["id"].(string))
			}
		}
		if page >= r.PageCount {
			break
		}
	}
	t.Cleanup(func() {
		for _, id := range others {
			do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"active": true}})
		}
	})
	for _, id := range others {
		want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"active": false}}), 200, "")
	}
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + me, token: admin, body: map[string]any{"role": "member"}}), 409, "last_admin")
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + me, token: admin, body: map[string]any{"active": false}}), 409, "last_admin")
	want(t, do(t, req{method: "DELETE", path: "/v1/users/" + me, token: admin}), 409, "last_admin")
	want(t, do(t, req{method: "DELETE", path: "/v1/me", token: admin, body: map[string]string{"password": password}}), 409, "last_admin")
	if r := do(t, req{method: "GET", path: "/v1/users/" + me, token: admin}); r.JSON(t)["role"] != "admin" || r.JSON(t)["active"] != true {
		t.Errorf("after refused changes: %s", r.Body)
	}

	// A second admin frees the first; the promotion is a role_changed event.
	_, id := signUp(t, newEmail("promoted"), nil)
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"role": "admin"}}), 200, "")
	r := do(t, req{method: "GET", path: "/v1/users/" + id + "/events", token: admin})
	if !strings.Contains(string(r.Body), `"role_changed"`) {
		t.Errorf("no role_changed event: %s", r.Body)
	}
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + id, token: admin, body: map[string]any{"role": "member"}}), 200, "")
	want(t, do(t, req{method: "PATCH", path: "/v1/users/" + me, token: admin, body: map[string]any{"role": "member"}}), 409, "last_admin")
}
