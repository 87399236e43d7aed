package openapitest

import (
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

// These tests read docs/openapi.yaml itself and hold it to the conventions of
// docs/api.md that every operation, present and future, must follow.

// wantProblemCodes is the problem catalogue of docs/api.md with the status of each.
var wantProblemCodes = map[string]int{
	"validation_failed":         400,
	"malformed_json":            400,
	"unknown_field":             400,
	"read_only":                 400,
	"invalid_code":              400,
	"invalid_confirmation_url":  400,
	"unauthenticated":           401,
	"invalid_credentials":       401,
	"mfa_required":              401,
	"forbidden":                 403,
	"account_disabled":          403,
	"not_found":                 404,
	"method_not_allowed":        405,
	"email_taken":               409,
	"phone_taken":               409,
	"conflict":                  409,
	"last_admin":                409,
	"payload_too_large":         413,
	"unsupported_media_type":    415,
	"rate_limited":              429,
	"internal":                  500,
	"bad_request":               400,
	"invalid_api_key":           403,
	"quota_exceeded":            429,
	"gateway_timeout":           504,
	"reauthentication_required": 403,
	"password_expired":          403,
	"invalid_passkey":           400,
}

var wantFieldCodes = []string{
	"required", "invalid_email", "invalid_phone", "too_long", "too_short", "invalid_choice",
	"invalid_format", "invalid_url", "not_found", "password_too_weak", "password_breached",
	"mismatch", "invalid_password", "invalid_image", "too_large", "unknown_field", "read_only",
	"exclusive",
}

func TestProblemCatalogue(t *testing.T) {
	d := loadDoc(t, docPath)
	got, err := d.ProblemCodes()
	if err != nil {
		t.Fatalf("ProblemCodes: %v", err)
	}
	if diff := cmp.Diff(wantProblemCodes, got); diff != "" {
		t.Errorf("x-problem-codes (-want +got):\n%s", diff)
	}
	enum, err := d.enum("ProblemCode")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(wantProblemCodes)), slices.Sorted(slices.Values(enum))); diff != "" {
		t.Errorf("ProblemCode enum against x-problem-codes (-want +got):\n%s", diff)
	}
}

func TestFieldCatalogue(t *testing.T) {
	d := loadDoc(t, docPath)
	got, err := d.FieldCodes()
	if err != nil {
		t.Fatalf("FieldCodes: %v", err)
	}
	if diff := cmp.Diff(wantFieldCodes, got); diff != "" {
		t.Errorf("FieldCode enum (-want +got):\n%s", diff)
	}
	s, err := d.schema("FieldCode")
	if err != nil {
		t.Fatal(err)
	}
	list, _ := s.Extensions["x-field-codes"].([]any)
	var described []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		code, _ := m["code"].(string)
		if desc, _ := m["description"].(string); desc == "" {
			t.Errorf("x-field-codes: %q has no description", code)
		}
		described = append(described, code)
	}
	if diff := cmp.Diff(wantFieldCodes, described); diff != "" {
		t.Errorf("x-field-codes against the enum (-want +got):\n%s", diff)
	}
}

func effectiveSecurity(spec *openapi3.T, op *openapi3.Operation) openapi3.SecurityRequirements {
	if op.Security != nil {
		return *op.Security
	}
	return spec.Security
}

func secured(reqs openapi3.SecurityRequirements) bool {
	if len(reqs) == 0 {
		return false
	}
	for _, r := range reqs {
		if len(r) == 0 {
			return false // {} makes the scheme optional
		}
	}
	return true
}

// problemConstraint walks a response schema's allOf for what it pins
// properties.status and properties.code to.
func problemConstraint(s *openapi3.Schema) (status int, codes []string) {
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if p := s.Properties["status"]; p != nil && p.Value != nil && p.Value.Const != nil {
			if n, err := asInt(p.Value.Const); err == nil {
				status = n
			}
		}
		if p := s.Properties["code"]; p != nil && p.Value != nil && p.Ref == "" {
			if c, ok := p.Value.Const.(string); ok {
				codes = append(codes, c)
			}
			for _, v := range p.Value.Enum {
				if c, ok := v.(string); ok {
					codes = append(codes, c)
				}
			}
		}
		for _, sub := range s.AllOf {
			if sub.Value != nil {
				walk(sub.Value)
			}
		}
	}
	walk(s)
	return status, codes
}

// bodyLimits are the routes whose body limit is not the 16 KiB of JSON routes.
var bodyLimits = map[Operation]int{
	{"PUT", "/v1/me/avatar"}:    6 << 20,  // the image, base64 in JSON or a multipart part
	{"POST", "/v1/me/passkeys"}: 64 << 10, // an attestation may carry a certificate chain
}

func TestEveryOperationFollowsTheConventions(t *testing.T) {
	d := loadDoc(t, docPath)
	for _, r := range d.routes {
		t.Run(r.op.String(), func(t *testing.T) {
			op := r.oper
			if op.OperationID == "" {
				t.Error("no operationId")
			}
			if op.Responses.Status(500) == nil {
				t.Error("no 500 response")
			}
			for code, ref := range op.Responses.Map() {
				resp := ref.Value
				h := resp.Headers["X-Request-Id"]
				if h == nil || !h.Value.Required {
					t.Errorf("%s: X-Request-Id is not a required header", code)
				}
				status, err := strconv.Atoi(code)
				if err != nil {
					t.Errorf("%s: use explicit statuses, not ranges or default", code)
					continue
				}
				if status >= 400 {
					if got := slices.Collect(maps.Keys(resp.Content)); !slices.Equal(got, []string{"application/problem+json"}) {
						t.Errorf("%d: content types %v, want only application/problem+json", status, got)
						continue
					}
					pinned, codes := problemConstraint(resp.Content["application/problem+json"].Schema.Value)
					if pinned != status {
						t.Errorf("%d: the schema pins status to %d, want %d", status, pinned, status)
					}
					if len(codes) == 0 {
						t.Errorf("%d: the schema does not restrict code", status)
					}
					for _, c := range codes {
						if want, ok := wantProblemCodes[c]; !ok || want != status {
							t.Errorf("%d: code %q belongs to status %d in the catalogue", status, c, want)
						}
					}
				} else if mt := resp.Content.Get("application/problem+json"); mt != nil && len(resp.Content) > 0 {
					t.Errorf("%d: a success must not be a problem", status)
				}
				if status == 204 && len(resp.Content) != 0 {
					t.Error("204 documents a body")
				}
			}

			if secured(effectiveSecurity(d.spec, op)) {
				ref := op.Responses.Status(401)
				if ref == nil {
					t.Error("bearer route without 401")
				} else if h := ref.Value.Headers["WWW-Authenticate"]; h == nil || !h.Value.Required {
					t.Error("401 of a bearer route without a required WWW-Authenticate header")
				}
			}

			if rb := op.RequestBody; rb != nil && rb.Value.Content.Get("application/json") != nil {
				for _, s := range []int{400, 413, 415} {
					if op.Responses.Status(s) == nil {
						t.Errorf("JSON body route without %d", s)
					}
				}
				want, ok := bodyLimits[r.op]
				if !ok {
					want = 16384
				}
				if got, _ := asInt(rb.Value.Extensions["x-max-body-bytes"]); got != want {
					t.Errorf("x-max-body-bytes = %d, want %d", got, want)
				}
				for ct, mt := range rb.Value.Content {
					if ct == "application/x-www-form-urlencoded" {
						continue // OAuth 2.0's form: parameters a server does not use are ignored (RFC 6749 §3.2)
					}
					if s := mt.Schema.Value; s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
						t.Errorf("%s request body schema does not say additionalProperties: false", ct)
					}
				}
			}
		})
	}
}

func TestUserSchema(t *testing.T) {
	d := loadDoc(t, docPath)
	user, err := d.schema("User")
	if err != nil {
		t.Fatal(err)
	}
	// Every member is always present: null, not absent, when unset.
	if diff := cmp.Diff(slices.Sorted(maps.Keys(user.Properties)), slices.Sorted(slices.Values(user.Required))); diff != "" {
		t.Errorf("User: properties against required (-properties +required):\n%s", diff)
	}
	gender, err := d.enum("Gender")
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(gender), "<nil>")
	var got []string
	for _, v := range user.Properties["gender"].Value.Enum {
		if v == nil {
			got = append(got, "<nil>")
		} else {
			got = append(got, v.(string))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("User.gender against Gender plus null (-want +got):\n%s", diff)
	}
}
