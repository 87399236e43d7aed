package auth

import (
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA1, truncated to 6 digits.
func TestTOTPVectors(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for _, tt := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		got, err := TOTPCode(secret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("TOTPCode at %d = %s, %v; want %s", tt.unix, got, err, tt.want)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret, _ := NewTOTPSecret()
	now := time.Unix(1_800_000_000, 0)
	code, _ := TOTPCode(secret, now)
	step, ok := VerifyTOTP(secret, code, now, 0)
	if !ok || step != TOTPStep(now) {
		t.Fatalf("VerifyTOTP(current) = %d, %v; want step %d", step, ok, TOTPStep(now))
	}
	if _, ok := VerifyTOTP(secret, code, now, step); ok {
		t.Error("the same code was accepted twice")
	}
	prev, _ := TOTPCode(secret, now.Add(-30*time.Second))
	if _, ok := VerifyTOTP(secret, prev, now, 0); !ok {
		t.Error("a code one step old was refused")
	}
	old, _ := TOTPCode(secret, now.Add(-90*time.Second))
	if _, ok := VerifyTOTP(secret, old, now, 0); ok && old != code {
		t.Error("a code three steps old was accepted")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", " 12 34 "} {
		if _, ok := VerifyTOTP(secret, bad, now, 0); ok {
			t.Errorf("VerifyTOTP(%q) accepted", bad)
		}
	}
	if u := TOTPURL("Userbase", "ann@example.com", secret); !strings.HasPrefix(u, "otpauth://totp/Userbase:ann@example.com?") || !strings.Contains(u, "secret="+secret) {
		t.Errorf("TOTPURL = %s", u)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes("salt")
	if err != nil || len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes, %d hashes, %v; want 10 and 10", len(codes), len(hashes), err)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if seen[c] {
			t.Errorf("code %s repeated", c)
		}
		seen[c] = true
		if len(NormalizeRecoveryCode(c)) != 16 {
			t.Errorf("code %s is not 80 bits", c)
		}
		if HashRecoveryCode("salt", NormalizeRecoveryCode(strings.ToUpper(c))) != hashes[i] {
			t.Errorf("code %s does not hash to its stored hash when typed in capitals", c)
		}
		if HashRecoveryCode("other salt", NormalizeRecoveryCode(c)) == hashes[i] {
			t.Errorf("code %s hashes alike under another salt", c)
		}
	}
}

func FuzzVerifyTOTP(f *testing.F) {
	f.Add("JBSWY3DPEHPK3PXP", "123456")
	f.Add("", "")
	f.Add("!!!", "000000")
	f.Fuzz(func(t *testing.T, secret, code string) {
		if _, ok := VerifyTOTP(secret, code, time.Unix(1_800_000_000, 0), 0); ok {
			want, err := TOTPCode(secret, time.Unix(1_800_000_000, 0))
			if err != nil || len(code) != 6 {
				t.Fatalf("accepted %q for secret %q (want %q)", code, secret, want)
			}
		}
		_ = NormalizeRecoveryCode(code)
	})
}
