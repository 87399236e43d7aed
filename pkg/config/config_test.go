package config

import (
	"net/url"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := load(env(map[string]string{
		"SESSION_TTL": "soon", "ARGON2_ITERATIONS": "0", "CONFIRMATION_URL_ALLOWLIST": "ftp://x",
	}))
	if err == nil {
		t.Fatal("got nil error, want one naming every problem")
	}
	for _, want := range []string{"TABLE_NAME", "SESSION_TTL", "ARGON2_ITERATIONS", "CONFIRMATION_URL_ALLOWLIST"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestAdmits(t *testing.T) {
	c, err := load(env(map[string]string{
		"TABLE_NAME":                 "t",
		"CONFIRMATION_URL_ALLOWLIST": "https://app.example.com, http://localhost:*",
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://app.example.com/confirm?c={{code}}", true},
		{"https://APP.example.com/x", true},
		{"https://app.example.com:8443/x", false},
		{"http://app.example.com/x", false},
		{"https://evil.com/x", false},
		{"http://localhost:5173/x", true},
		{"http://localhost/x", true},
		{"https://localhost/x", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := c.Admits(u); got != tt.want {
			t.Errorf("Admits(%s) = %v, want %v", tt.url, got, tt.want)
		}
	}
}
