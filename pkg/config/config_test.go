package config

import (
	"log/slog"
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

func TestAdmitsOrigin(t *testing.T) {
	h, err := load(env(map[string]string{
		"TABLE_NAME":           "t",
		"CORS_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:*, http://[::1]:8080",
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://app.example.com", true},
		{"https://APP.example.com", true},
		{"https://app.example.com:443", false}, // browsers never send the default port
		{"https://app.example.com:8443", false},
		{"http://app.example.com", false},
		{"https://app.example.com.evil.com", false},
		{"https://evil.com", false},
		{"http://localhost:5173", true},
		{"http://localhost", true},
		{"https://localhost:5173", false},
		{"http://[::1]:8080", true},
		{"http://[::1]:8081", false},
		// Not serialized origins.
		{"", false},
		{"null", false},
		{"http://localhost:5173/", false},
		{"http://localhost:5173/x", false},
		{"http://localhost:5173?", false},
		{"http://user@localhost:5173", false},
		{"http://localhost:*", false},
		{"http://localhost:99999", false},
		{"http://localhost:", false},
		{"localhost:5173", false},
	}
	for _, tt := range tests {
		if got := h.CORSOrigins.AdmitsOrigin(tt.origin); got != tt.want {
			t.Errorf("AdmitsOrigin(%q) = %v, want %v", tt.origin, got, tt.want)
		}
	}
	if (Origins{}).AdmitsOrigin("https://app.example.com") {
		t.Error("an empty allow-list admits an origin")
	}
}

func TestLoadHTTP(t *testing.T) {
	t.Setenv("CORS_ALLOWED_ORIGINS", "http://localhost:*")
	t.Setenv("LOG_LEVEL", "WARN")
	t.Setenv("TABLE_NAME", "") // not needed here
	h, err := LoadHTTP()
	if err != nil {
		t.Fatal(err)
	}
	if h.LogLevel != slog.LevelWarn || len(h.CORSOrigins) != 1 || h.CORSOrigins[0] != (Origin{"http", "localhost", "*"}) {
		t.Errorf("LoadHTTP = %+v", h)
	}
	t.Setenv("LOG_LEVEL", "verbose")
	t.Setenv("CORS_ALLOWED_ORIGINS", "localhost")
	_, err = LoadHTTP()
	if err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") || !strings.Contains(err.Error(), "CORS_ALLOWED_ORIGINS") {
		t.Errorf("LoadHTTP with bad values: got %v, want an error naming LOG_LEVEL and CORS_ALLOWED_ORIGINS", err)
	}
}

func TestLogLevels(t *testing.T) {
	for v, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "Error": slog.LevelError} {
		c, err := load(env(map[string]string{"TABLE_NAME": "t", "LOG_LEVEL": v}))
		if err != nil || c.LogLevel != want {
			t.Errorf("LOG_LEVEL=%q: got %v (%v), want %v", v, c, err, want)
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
