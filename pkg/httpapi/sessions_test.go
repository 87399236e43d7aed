package httpapi_test

import (
	"encoding/json"
	"testing"
)

// DELETE /v1/me/sessions/{session_id}: the other session ends, the caller's stays.
func TestRevokeSessionScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	me := bearer(tok)
	second := f.login(t, "me@example.com")
	runScenarios(t, f, authFailures("DELETE /v1/me/sessions/{session_id}", call{method: "DELETE", path: "/v1/me/sessions/{session_id}", params: map[string]string{"session_id": "x"}}))
	runScenarios(t, f, authFailures("GET /v1/me/sessions", call{method: "GET", path: "/v1/me/sessions"}))
	resp := f.do(t, call{method: "GET", path: "/v1/me/sessions", headers: me})
	var list struct {
		Items []struct {
			ID      string
			Current bool
		}
	}
	if err := json.Unmarshal([]byte(resp.Body), &list); err != nil || len(list.Items) != 2 {
		t.Fatalf("sessions: %d %s", resp.StatusCode, resp.Body)
	}
	other := list.Items[0].ID
	if list.Items[0].Current {
		other = list.Items[1].ID
	}
	runScenarios(t, f, []scenario{
		{"revoke a session", call{method: "DELETE", path: "/v1/me/sessions/{session_id}", headers: me, params: map[string]string{"session_id": other}}, 204, "", nil, nil},
		{"the revoked session", call{method: "GET", path: "/v1/me", headers: bearer(second)}, 401, "unauthenticated", nil, nil},
		{"revoke an unknown session is idempotent", call{method: "DELETE", path: "/v1/me/sessions/{session_id}", headers: me, params: map[string]string{"session_id": "nonsense"}}, 204, "", nil, nil},
		{"the caller's own stays", call{method: "GET", path: "/v1/me", headers: me}, 200, "", nil, nil},
	})
}
