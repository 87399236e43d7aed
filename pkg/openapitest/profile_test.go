package openapitest

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// Example responses of the profile routes (PATCH /v1/me, language, locales, profile fields,
// avatar, wishlist, export), held to docs/openapi.yaml: the shapes the handlers in
// pkg/httpapi and pkg/httpapi/avatarapi produce pass, and near misses fail for the right
// reason.

const (
	wishItem = `{"product_id": "sku-1042", "name": "Trail running shoe", "alias": "trail-running-shoe",
		"images": ["https://cdn.example.com/p/sku-1042/1.jpg"], "categories": ["shoes", "running"],
		"brand": "Example", "publish": true, "price": 129.9, "compare_price": 159, "sku": "SKU-1042",
		"weight": 0.65, "added_at": "2024-05-02T08:00:00Z"}`
	// wishBare is an item stored with nothing but a name: every other member empty, not absent.
	wishBare = `{"product_id": "A1:b_2.c-3", "name": "x", "alias": "", "images": [], "categories": [],
		"brand": "", "publish": false, "price": 0, "compare_price": 0, "sku": "", "weight": 0,
		"added_at": "2024-05-02T08:00:00Z"}`

	localesDoc = `{"languages": [{"key": "en", "name": "English"}, {"key": "fa", "name": "Persian"}],
		"currencies": [{"key": "USD", "name": "USD"}],
		"timezones": [{"key": "America/New_York", "name": "America/New York"}, {"key": "UTC", "name": "UTC"}]}`

	fieldFirstName = `{"name": "first_name", "type": "string", "required": false, "max_length": 255, "choices": null, "user_editable": true}`
	fieldGender    = `{"name": "gender", "type": "choice", "required": false, "max_length": null,
		"choices": ["female", "male", "non_binary", "other", "prefer_not_to_say"], "user_editable": true}`
	fieldScore = `{"name": "score", "type": "number", "required": false, "max_length": null, "choices": null, "user_editable": false}`

	avatarResult = `{"avatar_url": "https://userbase-avatars.s3.amazonaws.com/01hzx3q2v1k8m4n6p8r0s2t4v6/8f1c2a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=abc"}`

	exportMFA    = `{"enabled": true, "enrollment_pending": false, "recovery_codes_remaining": 9}`
	exportAvatar = `{"image_url": "https://b.s3.amazonaws.com/u/a.jpg?X-Amz-Expires=900", "thumbnail_url": "https://b.s3.amazonaws.com/u/a.thumb.jpg?X-Amz-Expires=900"}`
)

func exportDoc(profile, sessions, wishlist, events, mfa, avatar string) string {
	return `{"exported_at": "2024-05-03T10:00:00Z", "profile": ` + profile + `, "sessions": [` + sessions +
		`], "wishlist": [` + wishlist + `], "security_events": [` + events + `], "mfa": ` + mfa +
		`, "passkeys": [], "avatar": ` + avatar + `}`
}

func TestCheckProfileRoutes(t *testing.T) {
	d := loadDoc(t, docPath)
	json, prob := headers("Content-Type", jsonCT), headers("Content-Type", problemCT)
	bearer := headers("Content-Type", problemCT, "WWW-Authenticate", "Bearer")
	retry := headers("Content-Type", problemCT, "Retry-After", "42725")
	const etag = `"5d41402abc4b2a76b9719d911017c592"`
	cacheable := headers("Content-Type", jsonCT, "ETag", etag, "Cache-Control", "public, max-age=86400")
	notModified := headers("ETag", etag, "Cache-Control", "public, max-age=86400")
	const disposition = `attachment; filename="export-01hzx3q2v1k8m4n6p8r0s2t4v6.json"`
	download := headers("Content-Type", jsonCT, "Content-Disposition", disposition, "Cache-Control", "no-store")
	export := exportDoc(validUser, sessionCurrent+", "+sessionOther, wishItem, eventLogin+", "+eventFailed, exportMFA, exportAvatar)
	meta3 := `{"total": 3, "page": 1, "per_page": 50, "page_count": 1}`

	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  http.Header
		body    string
		wantErr error // nil: the response must pass
	}{
		// Successes.
		{"patch: the updated user", "PATCH", "/v1/me", 200, json, validUser, nil},
		{"patch: everything cleared", "PATCH", "/v1/me", 200, json, emptyUser, nil},
		{"patch: email change pending", "PATCH", "/v1/me", 200, json, userWith(t, `"pending_email": null`, `"pending_email": "new@example.com"`), nil},
		{"patch: avatar_url null", "PATCH", "/v1/me", 200, json,
			userWith(t, `"avatar_url": "https://bucket.s3.amazonaws.com/u_1/avatar.webp?X-Amz-Expires=900"`, `"avatar_url": null`), nil},
		{"language set", "PUT", "/v1/me/language", 200, json, userWith(t, `"language": "en"`, `"language": "fa"`), nil},
		{"locales", "GET", "/v1/locales", 200, cacheable, localesDoc, nil},
		{"locales: 304 with an empty body", "GET", "/v1/locales", 304, notModified, "", nil},
		{"profile fields", "GET", "/v1/profile-fields", 200, json, list(meta3, fieldFirstName, fieldGender, fieldScore), nil},
		{"profile fields, paged", "GET", "/v1/profile-fields?page=2&per_page=1", 200, json,
			list(`{"total": 3, "page": 2, "per_page": 1, "page_count": 3}`, fieldGender), nil},
		{"avatar set", "PUT", "/v1/me/avatar", 200, json, avatarResult, nil},
		{"avatar removed", "DELETE", "/v1/me/avatar", 204, headers(), "", nil},
		{"wishlist", "GET", "/v1/me/wishlist", 200, json, list(meta1, wishBare, wishItem), nil},
		{"wishlist empty", "GET", "/v1/me/wishlist", 200, json, list(`{"total": 0, "page": 1, "per_page": 50, "page_count": 0}`), nil},
		{"wish stored, publish true", "PUT", "/v1/me/wishlist/sku-1042", 200, json, wishItem, nil},
		{"wish stored bare", "PUT", "/v1/me/wishlist/A1:b_2.c-3", 200, json, wishBare, nil},
		{"wish removed", "DELETE", "/v1/me/wishlist/sku-1042", 204, headers(), "", nil},
		{"wish removed, any id", "DELETE", "/v1/me/wishlist/not%20an%20id", 204, headers(), "", nil},
		{"export", "GET", "/v1/me/export", 200, download, export, nil},
		{"export of a new account", "GET", "/v1/me/export", 200, download,
			exportDoc(emptyUser, sessionCurrent, "", "", `{"enabled": false, "enrollment_pending": false, "recovery_codes_remaining": 0}`, "null"), nil},

		// Problems each route may answer.
		{"patch: read only", "PATCH", "/v1/me", 400, prob, problem("400", "read_only", fieldErrors("role", "read_only")), nil},
		{"patch: unknown nested", "PATCH", "/v1/me", 400, prob, problem("400", "unknown_field", fieldErrors("address.x", "unknown_field")), nil},
		{"patch: unknown attribute", "PATCH", "/v1/me", 400, prob, problem("400", "unknown_field", fieldErrors("attributes.nope", "unknown_field")), nil},
		{"patch: email cleared", "PATCH", "/v1/me", 400, prob, problem("400", "validation_failed", fieldErrors("email", "required")), nil},
		{"patch: bad link", "PATCH", "/v1/me", 400, prob, problem("400", "validation_failed", fieldErrors("social.website", "invalid_url")), nil},
		{"patch: malformed", "PATCH", "/v1/me", 400, prob, problem("400", "malformed_json", ""), nil},
		{"patch: no token", "PATCH", "/v1/me", 401, bearer, problem("401", "unauthenticated", ""), nil},
		{"patch: phone taken", "PATCH", "/v1/me", 409, prob, problem("409", "phone_taken", ""), nil},
		{"patch: conflict", "PATCH", "/v1/me", 409, prob, problem("409", "conflict", ""), nil},
		{"patch: too large", "PATCH", "/v1/me", 413, prob, problem("413", "payload_too_large", ""), nil},
		{"patch: not json", "PATCH", "/v1/me", 415, prob, problem("415", "unsupported_media_type", ""), nil},
		{"patch: daily limit", "PATCH", "/v1/me", 429, retry, problem("429", "rate_limited", ""), nil},
		{"language: invalid", "PUT", "/v1/me/language", 400, prob, problem("400", "validation_failed", fieldErrors("language", "invalid_choice")), nil},
		{"profile fields: bad page", "GET", "/v1/profile-fields?page=x", 400, prob, problem("400", "validation_failed", fieldErrors("page", "invalid_format")), nil},
		{"avatar: not an image", "PUT", "/v1/me/avatar", 400, prob, problem("400", "validation_failed", fieldErrors("image", "invalid_image")), nil},
		{"avatar: file too large", "PUT", "/v1/me/avatar", 400, prob, problem("400", "validation_failed", fieldErrors("data", "too_large")), nil},
		{"avatar: no image", "PUT", "/v1/me/avatar", 400, prob, problem("400", "validation_failed", fieldErrors("image", "required")), nil},
		{"avatar: other part", "PUT", "/v1/me/avatar", 400, prob, problem("400", "unknown_field", fieldErrors("thumbnail", "unknown_field")), nil},
		{"avatar: body too large", "PUT", "/v1/me/avatar", 413, prob, problem("413", "payload_too_large", ""), nil},
		{"avatar: other type", "PUT", "/v1/me/avatar", 415, prob, problem("415", "unsupported_media_type", ""), nil},
		{"avatar: daily limit", "PUT", "/v1/me/avatar", 429, retry, problem("429", "rate_limited", ""), nil},
		{"wish: list full", "PUT", "/v1/me/wishlist/sku-1042", 400, prob, problem("400", "validation_failed", fieldErrors("product_id", "too_large")), nil},
		{"wish: mismatch", "PUT", "/v1/me/wishlist/sku-1042", 400, prob, problem("400", "validation_failed", fieldErrors("product_id", "mismatch")), nil},
		{"wishlist: no token", "GET", "/v1/me/wishlist", 401, bearer, problem("401", "unauthenticated", ""), nil},
		{"export: no token", "GET", "/v1/me/export", 401, bearer, problem("401", "unauthenticated", ""), nil},

		// Routing and statuses the document does not give.
		{"patch answering 422", "PATCH", "/v1/me", 422, prob, problem("422", "validation_failed", fieldErrors("email", "required")), ErrStatus},
		{"locales with a token problem", "GET", "/v1/locales", 401, bearer, problem("401", "unauthenticated", ""), ErrStatus},
		{"wish removal answering 404", "DELETE", "/v1/me/wishlist/sku-1042", 404, prob, problem("404", "not_found", ""), ErrStatus},
		{"wish put rate limited", "PUT", "/v1/me/wishlist/sku-1042", 429, retry, problem("429", "rate_limited", ""), ErrStatus},
		{"language rate limited (it does not count)", "PUT", "/v1/me/language", 429, retry, problem("429", "rate_limited", ""), ErrStatus},
		{"avatar answering 201", "PUT", "/v1/me/avatar", 201, json, avatarResult, ErrStatus},
		{"one wish by id", "GET", "/v1/me/wishlist/sku-1042", 200, json, wishItem, ErrNoOperation},
		{"avatar read", "GET", "/v1/me/avatar", 200, json, avatarResult, ErrNoOperation},

		// Headers.
		{"locales without ETag", "GET", "/v1/locales", 200, headers("Content-Type", jsonCT, "Cache-Control", "public, max-age=86400"), localesDoc, ErrHeader},
		{"locales not cacheable", "GET", "/v1/locales", 200, headers("Content-Type", jsonCT, "ETag", etag, "Cache-Control", "no-store"), localesDoc, ErrHeader},
		{"locales: unquoted ETag", "GET", "/v1/locales", 200, headers("Content-Type", jsonCT, "ETag", "abc", "Cache-Control", "public, max-age=86400"), localesDoc, ErrHeader},
		{"export without Content-Disposition", "GET", "/v1/me/export", 200, json, export, ErrHeader},
		{"export shown inline", "GET", "/v1/me/export", 200, headers("Content-Type", jsonCT, "Content-Disposition", "inline"), export, ErrHeader},
		{"patch 429 without Retry-After", "PATCH", "/v1/me", 429, prob, problem("429", "rate_limited", ""), ErrHeader},
		{"avatar 401 without WWW-Authenticate", "PUT", "/v1/me/avatar", 401, prob, problem("401", "unauthenticated", ""), ErrHeader},

		// Bodies.
		{"locales: 304 with a body", "GET", "/v1/locales", 304, headers("Content-Type", jsonCT, "ETag", etag, "Cache-Control", "public, max-age=86400"), localesDoc, ErrBody},
		{"locales without timezones", "GET", "/v1/locales", 200, cacheable,
			`{"languages": [{"key": "en", "name": "English"}], "currencies": [{"key": "USD", "name": "USD"}]}`, ErrBody},
		{"locales: entry with extra member", "GET", "/v1/locales", 200, cacheable,
			strings.Replace(localesDoc, `{"key": "en", "name": "English"}`, `{"key": "en", "name": "English", "native": "English"}`, 1), ErrBody},
		{"locales: language tag, not ISO 639-1", "GET", "/v1/locales", 200, cacheable,
			strings.Replace(localesDoc, `"key": "fa"`, `"key": "fa-IR"`, 1), ErrBody},
		{"patch answering an envelope", "PATCH", "/v1/me", 200, json, `{"user": ` + validUser + `}`, ErrBody},
		{"patch answering a password hash", "PATCH", "/v1/me", 200, json,
			userWith(t, `"mfa_enabled": false,`, `"mfa_enabled": false, "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$x$y",`), ErrBody},
		{"avatar_url not a URL", "PATCH", "/v1/me", 200, json,
			userWith(t, `"avatar_url": "https://bucket.s3.amazonaws.com/u_1/avatar.webp?X-Amz-Expires=900"`, `"avatar_url": "u_1/avatar.webp"`), ErrBody},
		{"profile field of unknown type", "GET", "/v1/profile-fields", 200, json,
			list(meta1, strings.Replace(fieldScore, `"type": "number"`, `"type": "float"`, 1)), ErrBody},
		{"profile field without max_length", "GET", "/v1/profile-fields", 200, json,
			list(meta1, strings.Replace(fieldScore, `"max_length": null, `, ``, 1)), ErrBody},
		{"profile fields as a bare array", "GET", "/v1/profile-fields", 200, json, `[` + fieldFirstName + `]`, ErrBody},
		{"avatar: url null", "PUT", "/v1/me/avatar", 200, json, `{"avatar_url": null}`, ErrBody},
		{"avatar: url not absolute", "PUT", "/v1/me/avatar", 200, json, `{"avatar_url": "/u/a.jpg"}`, ErrBody},
		{"avatar: the user instead", "PUT", "/v1/me/avatar", 200, json, validUser, ErrBody},
		{"wish: publish as a string", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishItem, `"publish": true`, `"publish": "1"`, 1), ErrBody},
		{"wish: weight as a string", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishItem, `"weight": 0.65`, `"weight": "0.65"`, 1), ErrBody},
		{"wish: negative price", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishItem, `"price": 129.9`, `"price": -1`, 1), ErrBody},
		{"wish: without added_at", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishItem, `, "added_at": "2024-05-02T08:00:00Z"`, ``, 1), ErrBody},
		{"wish: images null", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishBare, `"images": []`, `"images": null`, 1), ErrBody},
		{"wish: bad product id", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishItem, `"sku-1042"`, `"-sku 1042"`, 1), ErrBody},
		{"wish: with the user id", "PUT", "/v1/me/wishlist/sku-1042", 200, json, strings.Replace(wishItem, `"sku": "SKU-1042"`, `"sku": "SKU-1042", "user_id": "u_1"`, 1), ErrBody},
		{"wishlist as a bare array", "GET", "/v1/me/wishlist", 200, json, `[` + wishItem + `]`, ErrBody},
		{"export: avatar without thumbnail", "GET", "/v1/me/export", 200, download,
			exportDoc(validUser, "", "", "", exportMFA, `{"image_url": "https://b.s3.amazonaws.com/u/a.jpg"}`), ErrBody},
		{"export: avatar absent", "GET", "/v1/me/export", 200, download,
			strings.Replace(exportDoc(validUser, "", "", "", exportMFA, "null"), `, "avatar": null`, ``, 1), ErrBody},
		{"export: the TOTP secret", "GET", "/v1/me/export", 200, download,
			exportDoc(validUser, "", "", "", `{"enabled": true, "enrollment_pending": false, "recovery_codes_remaining": 9, "secret": "HQWU6DJTGTWWPYURT44VVFB5HXRBZM4X"}`, "null"), ErrBody},
		{"export: eleven recovery codes", "GET", "/v1/me/export", 200, download,
			exportDoc(validUser, "", "", "", `{"enabled": true, "enrollment_pending": false, "recovery_codes_remaining": 11}`, "null"), ErrBody},
		{"export: a session's token hash", "GET", "/v1/me/export", 200, download,
			exportDoc(validUser, strings.Replace(sessionOther, `"current": false`, `"current": false, "token_hash": "x"`, 1), "", "", exportMFA, "null"), ErrBody},
		{"export: an event in the sessions", "GET", "/v1/me/export", 200, download,
			exportDoc(validUser, eventLogin, "", "", exportMFA, "null"), ErrBody},
		{"export: sessions paged", "GET", "/v1/me/export", 200, download,
			strings.Replace(export, `"sessions": [`+sessionCurrent+", "+sessionOther+`]`, `"sessions": `+list(meta1, sessionCurrent, sessionOther), 1), ErrBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.Check(tt.method, tt.path, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Check: got %v, want nil", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Check: got %v, want %v", err, tt.wantErr)
			}
		})
	}
}
