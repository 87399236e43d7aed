package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/user"
)

func TestLinks(t *testing.T) {
	const base = "https://abc.execute-api.eu-west-1.amazonaws.com/prod"
	tests := []struct {
		name string
		cfg  config.Config
		base string
		want user.Links
	}{
		{"no base, no defaults: codes alone", config.Config{}, "", user.Links{}},
		{"the request's issuer", config.Config{}, base, user.Links{
			Verify: base + "/account/verify?code={{code}}&lang={{lang}}", Reset: base + "/account/reset?code={{code}}&lang={{lang}}",
			Revert: base + "/account/revert?code={{code}}&lang={{lang}}", Self: "https://abc.execute-api.eu-west-1.amazonaws.com",
		}},
		{"configured defaults win", config.Config{DefaultVerifyURL: "https://app.example.com/v?c={{code}}"}, "http://127.0.0.1:3000", user.Links{
			Verify: "https://app.example.com/v?c={{code}}", Reset: "http://127.0.0.1:3000/account/reset?code={{code}}&lang={{lang}}",
			Revert: "http://127.0.0.1:3000/account/revert?code={{code}}&lang={{lang}}", Self: "http://127.0.0.1:3000",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Links(&tt.cfg, tt.base)); diff != "" {
				t.Errorf("Links (-want +got):\n%s", diff)
			}
		})
	}
}
