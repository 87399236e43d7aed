package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The access token of a sign-in answer works on this API while its session lives, and the
// session token mints fresh ones at POST /v1/auth/token, as JSON or as an OAuth refresh.
func TestAccessTokenFollowsItsSession(t *testing.T) {
	email := newEmail("access")
	signUp(t, email, nil)
	r := login(t, email, password)
	want(t, r, http.StatusOK, "")
	m := r.JSON(t)
	session, access := strOf(m["token"]), strOf(m["access_token"])
	if m["token_type"] != "Bearer" || access == "" || strings.Count(access, ".") != 2 {
		t.Fatalf("sign-in answer %s lacks an access token", r.Body)
	}
	if me := getMe(t, access); me["email"] != email {
		t.Errorf("GET /v1/me with the access token: %v", me)
	}

	r = do(t, req{method: "POST", path: "/v1/auth/token", body: map[string]string{"token": session}})
	want(t, r, http.StatusOK, "")
	fresh := strOf(r.JSON(t)["access_token"])
	if fresh == "" || fresh == access {
		t.Errorf("POST /v1/auth/token answered %s, want a new access token", r.Body)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {session}}.Encode()
	r = do(t, req{method: "POST", path: "/v1/auth/token", body: form, headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	want(t, r, http.StatusOK, "")
	want(t, do(t, req{method: "POST", path: "/v1/auth/token", body: map[string]string{"token": access}}), http.StatusUnauthorized, "unauthenticated")

	// Signing out ends the session, and with it every access token of it, here at once.
	want(t, do(t, req{method: "POST", path: "/v1/auth/logout", token: access}), http.StatusNoContent, "")
	for _, tok := range []string{access, fresh, session} {
		want(t, do(t, req{method: "GET", path: "/v1/me", token: tok}), http.StatusUnauthorized, "unauthenticated")
	}
	want(t, do(t, req{method: "POST", path: "/v1/auth/token", body: map[string]string{"token": session}}), http.StatusUnauthorized, "unauthenticated")
}
