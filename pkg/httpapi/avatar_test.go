package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/avatar/upload"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/httpapi/avatarapi"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// avatarFake stores nothing: it names the image, signs a fixed URL and forgets deletions.
type avatarFake struct{ puts int }

func (a *avatarFake) Put(_ context.Context, userID string, _ *avatar.Result) (string, error) {
	a.puts++
	return "avatars/" + userID + "/" + string(rune('a'+a.puts)), nil
}
func (*avatarFake) Delete(context.Context, string) error     { return nil }
func (*avatarFake) DeleteUser(context.Context, string) error { return nil }
func (*avatarFake) URLs(_ context.Context, key string) (string, string, error) {
	return "https://avatars.example.com/" + key, "https://avatars.example.com/" + key + "/thumb", nil
}

// pngOf is a small PNG image.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// PUT and DELETE /v1/me/avatar (pkg/httpapi/avatarapi), over the memory store.
func TestAvatarScenarios(t *testing.T) {
	st := memstore.New()
	objects := &avatarFake{}
	svc := user.NewService(st, auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, time.Now,
		user.Options{AllowConfirmationURL: func(*url.URL) bool { return false }, AvatarURLs: objects, AvatarObjects: objects})
	f := &fixture{svc: svc, store: st, routes: map[string]httpapi.Lambda{
		"POST /v1/auth/register": httpapi.Route("auth-register", httpapi.Register(svc)),
		"GET /v1/me":             httpapi.Route("me-get", httpapi.Me(svc)),
		"PUT /v1/me/avatar":      httpapi.Route("me-avatar-put", avatarapi.Put(svc, objects, upload.Limits{})),
		"DELETE /v1/me/avatar":   httpapi.Route("me-avatar-delete", avatarapi.Delete(svc)),
	}}
	tok := f.signUp(t, "face@example.com")
	me := bearer(tok)
	pic := base64.StdEncoding.EncodeToString(pngOf(t, 64, 64))
	jsonPut := func(body string) call {
		return call{method: "PUT", path: "/v1/me/avatar", headers: me, body: body}
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	part, _ := mw.CreateFormFile("image", "face.png")
	_, _ = part.Write(pngOf(t, 80, 60))
	_ = mw.Close()
	multipartPut := call{method: "PUT", path: "/v1/me/avatar", body: form.String(), base64: true,
		headers: map[string]string{"Authorization": "Bearer " + tok, "Content-Type": mw.FormDataContentType()}}
	var stray bytes.Buffer
	sw := multipart.NewWriter(&stray)
	_ = sw.WriteField("caption", "me")
	_ = sw.Close()

	scenarios := authFailures("PUT /v1/me/avatar", call{method: "PUT", path: "/v1/me/avatar", body: `{}`})
	scenarios = append(scenarios, authFailures("DELETE /v1/me/avatar", call{method: "DELETE", path: "/v1/me/avatar"})...)
	scenarios = append(scenarios, []scenario{
		{"json", jsonPut(`{"data":"` + pic + `","base_name":"face","extension":"png"}`), 200, "", []string{`"avatar_url":"https://avatars.example.com/avatars/`}, nil},
		{"me shows it", call{method: "GET", path: "/v1/me", headers: me}, 200, "", []string{`"avatar_url":"https://avatars.example.com/`}, nil},
		{"multipart", multipartPut, 200, "", []string{`"avatar_url":"https://avatars.example.com/`}, nil},
		{"json, no data", jsonPut(`{"extension":"png"}`), 400, "validation_failed", []string{`"field":"data","code":"required"`}, nil},
		{"json, no extension", jsonPut(`{"data":"` + pic + `"}`), 400, "validation_failed", []string{`"field":"extension","code":"required"`}, nil},
		{"json, bad extension", jsonPut(`{"data":"` + pic + `","extension":"exe"}`), 400, "validation_failed", []string{`"field":"extension","code":"invalid_choice"`}, nil},
		{"json, long base name", jsonPut(`{"data":"` + pic + `","extension":"png","base_name":"` + strings.Repeat("b", 300) + `"}`),
			400, "validation_failed", []string{`"field":"base_name","code":"too_long"`}, nil},
		{"json, not an image", jsonPut(`{"data":"` + base64.StdEncoding.EncodeToString([]byte("hello, world")) + `","extension":"png"}`),
			400, "validation_failed", []string{`"field":"data","code":"invalid_image"`}, nil},
		{"json, not base64", jsonPut(`{"data":"%%%","extension":"png"}`), 400, "validation_failed", []string{`"field":"data"`}, nil},
		{"json, wrong type", jsonPut(`{"data":5,"extension":"png"}`), 400, "validation_failed", []string{`"field":"data"`}, nil},
		{"json, unknown member", jsonPut(`{"data":"x","extension":"png","alt":"me"}`), 400, "unknown_field", nil, nil},
		{"json, malformed", jsonPut(`{"data":`), 400, "malformed_json", nil, nil},
		{"multipart, another part", call{method: "PUT", path: "/v1/me/avatar", body: stray.String(),
			headers: map[string]string{"Authorization": "Bearer " + tok, "Content-Type": sw.FormDataContentType()}}, 400, "unknown_field", nil, nil},
		{"neither form nor JSON", call{method: "PUT", path: "/v1/me/avatar", body: "x",
			headers: map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "image/png"}}, 415, "unsupported_media_type", nil, nil},
		{"too large", call{method: "PUT", path: "/v1/me/avatar", body: strings.Repeat("x", 6<<20+1),
			headers: map[string]string{"Authorization": "Bearer " + tok, "Content-Type": mw.FormDataContentType()}}, 413, "payload_too_large", nil, nil},
		{"delete", call{method: "DELETE", path: "/v1/me/avatar", headers: me}, 204, "", nil, nil},
		{"delete again is idempotent", call{method: "DELETE", path: "/v1/me/avatar", headers: me}, 204, "", nil, nil},
		{"me without it", call{method: "GET", path: "/v1/me", headers: me}, 200, "", []string{`"avatar_url":null`}, nil},
	}...)
	runScenarios(t, f, scenarios)
}
