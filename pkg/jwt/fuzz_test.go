package jwt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/jwt"
)

// FuzzVerify feeds Verify arbitrary tokens: it must never panic, every refusal must be
// ErrInvalid, and whatever it accepts must carry the verifier's issuer and audience.
func FuzzVerify(f *testing.F) {
	good := sign(f, claims())
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("..")
	f.Add(parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2])
	f.Add(strings.Repeat("a.", 100))
	v, k := verifier(t0.Add(time.Minute)), keys(f)
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(tok, k)
		if err != nil {
			if !errors.Is(err, jwt.ErrInvalid) {
				t.Fatalf("%q: error %v is not ErrInvalid", tok, err)
			}
			return
		}
		if c.Issuer != v.Issuer || c.Audience != v.Audience || c.Subject == "" {
			t.Fatalf("%q accepted with claims %+v", tok, c)
		}
	})
}
