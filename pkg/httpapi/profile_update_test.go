package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

// PATCH /v1/me: each member's type on its own, null clears, objects strictly.
func TestProfileUpdateScenarios(t *testing.T) {
	f := newFixture(t)
	me := bearer(f.signUp(t, "patch@example.com"))
	patch := func(body string) call { return call{method: "PATCH", path: "/v1/me", headers: me, body: body} }
	scenarios := authFailures("PATCH /v1/me", call{method: "PATCH", path: "/v1/me", body: `{}`})
	scenarios = append(scenarios, []scenario{
		{"empty", patch(`{}`), 200, "", []string{`"email":"patch@example.com"`}, nil},
		{"names", patch(`{"first_name":"Pat","last_name":"Ch","gender":"female","birth_date":"1990-02-03","currency":"EUR","timezone":"Europe/Paris","language":"en"}`),
			200, "", []string{`"first_name":"Pat"`, `"last_name":"Ch"`, `"birth_date":"1990-02-03"`, `"currency":"EUR"`}, nil},
		{"address and social", patch(`{"address":{"country":"FR","city":"Paris"},"social":{"website":"https://example.com"}}`),
			// Every member is there, null when unset: one shape, as docs/api.md shows it.
			200, "", []string{`"address":{"country":"FR","state":null,"city":"Paris","district":null,"line":null,"postal_code":null}`,
				`"social":{"website":"https://example.com","instagram":null,"telegram":null,"linkedin":null,"facebook":null,"twitter":null}`}, nil},
		{"attributes", patch(`{"attributes":{}}`), 200, "", nil, nil},
		{"null clears", patch(`{"last_name":null,"address":null,"attributes":null}`), 200, "", []string{`"last_name":null`}, []string{`"city":"Paris"`}},
		{"a name of the wrong type", patch(`{"first_name":5}`), 400, "validation_failed", []string{`"field":"first_name","code":"invalid_format"`}, nil},
		{"a bad language", patch(`{"language":"xx"}`), 400, "validation_failed", []string{`"field":"language","code":"invalid_choice"`}, nil},
		// One answer names every bad field, those of the wrong type and those of a bad value.
		{"bad types and bad values", patch(`{"first_name":5,"language":"xx","birth_date":"yesterday","address":{"city":7,"country":"Narnia"}}`), 400, "validation_failed",
			[]string{`"field":"first_name","code":"invalid_format"`, `"field":"language","code":"invalid_choice"`, `"field":"birth_date"`,
				`"field":"address.city","code":"invalid_format"`, `"field":"address.country"`}, nil},
		{"a bad birth date", patch(`{"birth_date":"yesterday"}`), 400, "validation_failed", []string{`"field":"birth_date"`}, nil},
		{"a birth date of today", patch(`{"birth_date":"` + time.Now().UTC().Format(time.DateOnly) + `"}`), 400, "validation_failed", []string{`"field":"birth_date"`}, nil},
		{"a long name", patch(`{"first_name":"` + strings.Repeat("n", 500) + `"}`), 400, "validation_failed", []string{`"field":"first_name","code":"too_long"`}, nil},
		{"an empty email", patch(`{"email":""}`), 400, "validation_failed", []string{`"field":"email","code":"required"`}, nil},
		{"a null email", patch(`{"email":null}`), 400, "validation_failed", []string{`"field":"email","code":"required"`}, nil},
		{"address not an object", patch(`{"address":"Paris"}`), 400, "validation_failed", []string{`"field":"address","code":"invalid_format"`}, nil},
		{"address with an unknown member", patch(`{"address":{"planet":"Mars"}}`), 400, "unknown_field", []string{`"field":"address.planet"`}, nil},
		{"address members of the wrong type", patch(`{"address":{"city":5,"line":[]},"first_name":7}`), 400, "validation_failed",
			[]string{`"field":"address.city"`, `"field":"address.line"`, `"field":"first_name"`}, nil},
		{"address member in another case", patch(`{"address":{"COUNTRY":"IR"}}`), 400, "unknown_field", []string{`"field":"address.COUNTRY"`}, nil},
		{"address, trailing garbage", patch(`{"address":[1]}`), 400, "validation_failed", []string{`"field":"address"`}, nil},
		{"social not https", patch(`{"social":{"website":"http://example.com"}}`), 400, "validation_failed", []string{`"field":"social.website"`}, nil},
		{"social not an object", patch(`{"social":[]}`), 400, "validation_failed", []string{`"field":"social"`}, nil},
		{"attributes not an object", patch(`{"attributes":[1]}`), 400, "validation_failed", []string{`"field":"attributes","code":"invalid_format"`}, nil},
		{"read-only", patch(`{"role":"admin"}`), 400, "read_only", []string{`"field":"role"`}, nil},
		{"the sponsor, set at sign-up only", patch(`{"sponsor_id":"x"}`), 400, "read_only", []string{`"field":"sponsor_id"`}, nil},
		{"unknown", patch(`{"nickname":"p"}`), 400, "unknown_field", []string{`"field":"nickname"`}, nil},
		{"malformed", patch(`{"first_name":`), 400, "malformed_json", nil, nil},
		{"a member named twice", patch(`{"first_name":"a","first_name":"b"}`), 400, "malformed_json", nil, nil},
		{"a nested member named twice", patch(`{"address":{"city":"a","city":"b"}}`), 400, "malformed_json", nil, nil},
		{"the same name in two objects", patch(`{"first_name":"Ann","address":{"first_name":"x"}}`), 400, "unknown_field", []string{`"field":"address.first_name"`}, nil},
		{"a direction override in a name", patch(`{"last_name":"a\u202eb"}`), 400, "validation_failed", []string{`"field":"last_name","code":"invalid_format"`}, nil},
		{"a Persian name with a joiner and a mark", patch(`{"last_name":"می\u200cخواهم\u200f"}`), 200, "", nil, nil},
		{"a lone surrogate", patch(`{"last_name":"a\ud800b"}`), 400, "malformed_json", nil, nil},
		{"a raw replacement character, what API Gateway makes of bytes not in UTF-8", patch("{\"last_name\":\"a\xef\xbf\xbdb\"}"), 400, "malformed_json", nil, nil},
		{"an escaped replacement character", patch(`{"last_name":"a\ufffdb"}`), 200, "", []string{"\"last_name\":\"a\ufffdb\""}, nil},
		{"a surrogate pair", patch(`{"last_name":"a\ud83d\ude00b"}`), 200, "", []string{`"last_name":"a😀b"`}, nil},
		{"an escaped backslash before u", patch(`{"last_name":"a\\ud800"}`), 200, "", []string{`"last_name":"a\\ud800"`}, nil},
		{"a compressed body", call{method: "PATCH", path: "/v1/me", headers: map[string]string{"Authorization": me["Authorization"], "Content-Encoding": "gzip"}, body: `{}`},
			415, "unsupported_media_type", nil, nil},
		{"a bad phone", patch(`{"phone":"12","current_password":"correct-horse-battery"}`), 400, "validation_failed", []string{`"field":"phone","code":"invalid_phone"`}, nil},
	}...)
	runScenarios(t, f, scenarios)

	// 409 phone_taken: another account holds the number.
	other := bearer(f.signUp(t, "other-phone@example.com"))
	runScenarios(t, f, []scenario{
		{"a phone", patch(`{"phone":"+14155550123","current_password":"correct-horse-battery"}`), 200, "", []string{`"phone":"+14155550123"`}, nil},
		{"a phone taken", call{method: "PATCH", path: "/v1/me", headers: other, body: `{"phone":"+14155550123","current_password":"correct-horse-battery"}`},
			409, "phone_taken", nil, nil},
	})
}

// PUT /v1/me/language: the language alone.
func TestSetLanguageScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	me := bearer(tok)
	var scenarios []scenario
	scenarios = append(scenarios, authFailures("PUT /v1/me/language", call{method: "PUT", path: "/v1/me/language", body: `{"language":"ru"}`})...)
	scenarios = append(scenarios, []scenario{
		// PUT /v1/me/language
		{"language", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":"ru"}`}, 200, "", []string{`"language":"ru"`}, nil},
		{"language, unknown", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":"xx"}`},
			400, "validation_failed", []string{`"field":"language","code":"invalid_choice"`}, nil},
		{"language, missing", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{}`},
			400, "validation_failed", []string{`"field":"language","code":"required"`}, nil},
		{"language, wrong type", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":1}`},
			400, "validation_failed", []string{`"field":"language"`}, nil},
		{"language, unknown field", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{"language":"en","lang":"en"}`}, 400, "unknown_field", nil, nil},
		{"language, malformed", call{method: "PUT", path: "/v1/me/language", headers: me, body: `{`}, 400, "malformed_json", nil, nil},
		{"language, not JSON", call{method: "PUT", path: "/v1/me/language", headers: map[string]string{"Authorization": me["Authorization"], "Content-Type": "text/plain"}, body: `{}`},
			415, "unsupported_media_type", nil, nil},
	}...)
	runScenarios(t, f, scenarios)
}
