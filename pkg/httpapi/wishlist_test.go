package httpapi_test

import (
	"strings"
	"testing"
)

// PUT, GET and DELETE /v1/me/wishlist: items as seed 001 sends them, flexible booleans and numbers.
func TestWishlistScenarios(t *testing.T) {
	f := newFixture(t)
	tok := f.signUp(t, "me@example.com")
	me := bearer(tok)
	product := func(id string) map[string]string { return map[string]string{"product_id": id} }
	var scenarios []scenario
	scenarios = append(scenarios, authFailures("GET /v1/me/wishlist", call{method: "GET", path: "/v1/me/wishlist"})...)
	scenarios = append(scenarios, authFailures("PUT /v1/me/wishlist/{product_id}", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", params: map[string]string{"product_id": "p1"}, body: `{"name":"Mug"}`})...)
	scenarios = append(scenarios, authFailures("DELETE /v1/me/wishlist/{product_id}", call{method: "DELETE", path: "/v1/me/wishlist/{product_id}", params: map[string]string{"product_id": "p1"}})...)
	scenarios = append(scenarios, []scenario{
		// PUT, GET, DELETE /v1/me/wishlist
		{"wish", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"),
			body: `{"product_id":"p1","name":"Mug","images":["https://cdn.example.com/m.png"],"publish":"1","weight":"2.5","price":9.5}`},
			200, "", []string{`"product_id":"p1"`, `"publish":true`, `"weight":2.5`, `"categories":[]`, `"added_at":"`}, nil},
		{"wish, booleans and numbers as such", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2"),
			body: `{"name":"Cup","publish":false,"weight":null,"price":-0}`}, 200, "", []string{`"publish":false`, `"weight":0`, `"price":0,`}, nil},
		{"wish, weight as a JSON number in a string", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2"),
			body: `{"name":"Cup","weight":"1e2"}`}, 200, "", []string{`"weight":100`}, nil},
		{"wish, publish as text", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p3"),
			body: `{"name":"Jar","publish":"true","weight":3}`}, 200, "", []string{`"publish":true`, `"weight":3`}, nil},
		{"wish, id mismatch", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"product_id":"p9","name":"Mug"}`},
			400, "validation_failed", []string{`"field":"product_id","code":"mismatch"`}, nil},
		{"wish, bad publish and weight", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","publish":"maybe","weight":"heavy"}`},
			400, "validation_failed", []string{`"field":"publish","code":"invalid_format"`, `"field":"weight","code":"invalid_format"`}, nil},
		{"wish, a price of the wrong type beside a bad publish: both named", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"X","publish":"yes","price":"x","product_id":"p2"}`},
			400, "validation_failed", []string{`"field":"price","code":"invalid_format"`, `"field":"publish","code":"invalid_format"`, `"field":"product_id","code":"mismatch"`}, nil},
		{"wish, weight an object", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","publish":{},"weight":{}}`},
			400, "validation_failed", []string{`"field":"weight"`}, nil},
		{"wish, weight in Go's number syntax", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","weight":"0x1p3","compare_price":-0}`},
			400, "validation_failed", []string{`"field":"weight","code":"invalid_format"`}, nil},
		{"wish, too many images", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"),
			body: `{"name":"Mug","images":[` + strings.Repeat(`"https://cdn.example.com/m.png",`, 20) + `"https://cdn.example.com/m.png"]}`},
			400, "validation_failed", []string{`"field":"images","code":"too_long","message":"Use at most 20 items."`}, nil},
		{"wish, a name too long", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"),
			body: `{"name":"` + strings.Repeat("я", 256) + `"}`},
			400, "validation_failed", []string{`"field":"name","code":"too_long","message":"Use at most 255 characters."`}, nil},
		{"wish, no name", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{}`},
			400, "validation_failed", []string{`"field":"name","code":"required"`}, nil},
		{"wish, price as text", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","price":"9"}`},
			400, "validation_failed", []string{`"field":"price"`}, nil},
		{"wish, unknown field", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name":"Mug","colour":"red"}`},
			400, "unknown_field", nil, nil},
		{"wish, malformed", call{method: "PUT", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p1"), body: `{"name"`}, 400, "malformed_json", nil, nil},
		{"wishlist", call{method: "GET", path: "/v1/me/wishlist", headers: me}, 200, "", []string{`"product_id":"p1"`, `"product_id":"p2"`, `"total":3`}, nil},
		{"wishlist, bad page", call{method: "GET", path: "/v1/me/wishlist", headers: me, query: map[string]string{"page": "x"}},
			400, "validation_failed", []string{`"field":"page"`}, nil},
		{"unwish", call{method: "DELETE", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2")}, 204, "", nil, nil},
		{"unwish again is idempotent", call{method: "DELETE", path: "/v1/me/wishlist/{product_id}", headers: me, params: product("p2")}, 204, "", nil, nil},
		{"wishlist after", call{method: "GET", path: "/v1/me/wishlist", headers: me}, 200, "", []string{`"total":2`}, []string{`"product_id":"p2"`}},
	}...)
	runScenarios(t, f, scenarios)
}
