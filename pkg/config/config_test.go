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

func TestTokenSettings(t *testing.T) {
	c, err := load(env(map[string]string{"TABLE_NAME": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != "" || c.AccessTokenTTL.String() != "15m0s" || c.TokenAudience != DefaultTokenAudience || c.KMSKeyID != "" {
		t.Errorf("defaults: issuer %q ttl %s audience %q kms %q; want derived, 15m, %s, none", c.Issuer, c.AccessTokenTTL, c.TokenAudience, c.KMSKeyID, DefaultTokenAudience)
	}
	c, err = load(env(map[string]string{"TABLE_NAME": "t", "ISSUER": "https://id.example.com/auth", "ACCESS_TOKEN_TTL": "5m",
		"TOKEN_AUDIENCE": "shop", "KMS_KEY_ID": "arn:aws:kms:eu-west-1:1:key/x"}))
	if err != nil || c.Issuer != "https://id.example.com/auth" || c.AccessTokenTTL.String() != "5m0s" || c.TokenAudience != "shop" {
		t.Errorf("got %+v, %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"ISSUER": "https://id.example.com/"}, {"ISSUER": "id.example.com"}, {"ISSUER": "https://x?y=1"},
		{"ISSUER": "ftp://x"}, {"ACCESS_TOKEN_TTL": "10s"}, {"ACCESS_TOKEN_TTL": "48h"},
	} {
		bad["TABLE_NAME"] = "t"
		if _, err := load(env(bad)); err == nil {
			t.Errorf("%v: got no error", bad)
		}
	}
}
