package objects

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/awsclient/s3url"
)

const bucket = "avatars-test"

// fakeS3 serves an in-memory S3 (gofakes3, the local stack's server) and returns an SDK
// client configured as pkg/awsclient/s3client configures one for an endpoint override,
// and the URL signer the functions use, pointed at the same server.
func fakeS3(t *testing.T, ttl time.Duration) (*s3.Client, *avatar.Signer) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithHostBucket(false),
		gofakes3.WithLogger(gofakes3.StdLog(log.New(io.Discard, "", 0))))
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(srv.URL), true
	})
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	return c, avatar.NewSigner(s3url.New(cfg, bucket), ttl)
}

// jpegImage is a small encoded JPEG of one colour.
func jpegImage(t *testing.T, w, h int, c color.Color) avatar.Encoded {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return avatar.Encoded{Data: b.Bytes(), ContentType: "image/jpeg", Ext: "jpg", Width: w, Height: h}
}

func get(t *testing.T, u string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	c, signer := fakeS3(t, 0)
	rec := &recordingS3{S3API: c}
	st := New(rec, bucket, 0)
	res := &avatar.Result{Image: jpegImage(t, 64, 48, color.RGBA{200, 10, 10, 255}), Thumb: jpegImage(t, 16, 16, color.RGBA{10, 10, 200, 255})}

	key, err := st.Put(ctx, "01jb0user", res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "avatars/01jb0user/") || !strings.HasSuffix(key, ".jpg") || !avatar.OwnedBy(key, "01jb0user") {
		t.Fatalf("got key %q, want avatars/01jb0user/<random>.jpg", key)
	}
	key2, err := st.Put(ctx, "01jb0user", res)
	if err != nil {
		t.Fatal(err)
	}
	if key2 == key {
		t.Fatalf("two uploads got one key %q; want a fresh key each", key)
	}

	// gofakes3 drops Cache-Control, so the request is checked instead of the object.
	for _, in := range rec.puts {
		if got := aws.ToString(in.CacheControl); got != "private, max-age=900" {
			t.Errorf("put %s: got Cache-Control %q, want private, max-age=900", aws.ToString(in.Key), got)
		}
	}

	imageURL, thumbURL, err := signer.URLs(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		url  string
		want avatar.Encoded
	}{{"image", imageURL, res.Image}, {"thumbnail", thumbURL, res.Thumb}} {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("X-Amz-Expires"); got != "900" {
			t.Errorf("%s: got X-Amz-Expires %q, want 900 (15 minutes)", tt.name, got)
		}
		if !strings.HasPrefix(u.Path, "/"+bucket+"/avatars/01jb0user/") {
			t.Errorf("%s: got path %q, want path-style /%s/avatars/…", tt.name, u.Path, bucket)
		}
		status, body, h := get(t, tt.url)
		if status != http.StatusOK {
			t.Fatalf("%s: GET got %d, want 200", tt.name, status)
		}
		if got := h.Get("Content-Type"); got != "image/jpeg" {
			t.Errorf("%s: got Content-Type %q, want image/jpeg", tt.name, got)
		}
		if got := h.Get("X-Amz-Server-Side-Encryption"); got != "AES256" {
			t.Errorf("%s: got X-Amz-Server-Side-Encryption %q, want AES256", tt.name, got)
		}
		m, err := jpeg.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: fetched object does not decode: %v", tt.name, err)
		}
		if b := m.Bounds(); b.Dx() != tt.want.Width || b.Dy() != tt.want.Height {
			t.Errorf("%s: got %dx%d, want %dx%d", tt.name, b.Dx(), b.Dy(), tt.want.Width, tt.want.Height)
		}
	}

	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{imageURL, thumbURL} {
		if status, _, _ := get(t, u); status != http.StatusNotFound {
			t.Errorf("after Delete: GET got %d, want 404", status)
		}
	}
	// Idempotent: the objects are gone, deleting again still succeeds.
	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("second Delete: got %v, want nil", err)
	}
	if err := st.Delete(ctx, ""); err != nil {
		t.Errorf("Delete of no key: got %v, want nil", err)
	}

	// The other upload is untouched until DeleteUser clears the prefix.
	u2, _, _ := signer.URLs(ctx, key2)
	if status, _, _ := get(t, u2); status != http.StatusOK {
		t.Fatalf("other upload: GET got %d, want 200", status)
	}
	if err := st.DeleteUser(ctx, "01jb0user"); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, u2); status != http.StatusNotFound {
		t.Errorf("after DeleteUser: GET got %d, want 404", status)
	}
}

func TestStorePNG(t *testing.T) {
	ctx := context.Background()
	c, signer := fakeS3(t, time.Hour)
	st := New(c, bucket, time.Hour)
	png := avatar.Encoded{Data: []byte("\x89PNG fake"), ContentType: "image/png", Ext: "png"}
	key, err := st.Put(ctx, "u1", &avatar.Result{Image: png, Thumb: png})
	if err != nil {
		t.Fatal(err)
	}
	thumb, _ := avatar.ThumbKey(key)
	if !strings.HasSuffix(key, ".png") || !strings.HasSuffix(thumb, "_thumb.png") {
		t.Errorf("got keys %q, %q, want .png and _thumb.png", key, thumb)
	}
	iu, _, err := signer.URLs(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(iu); u.Query().Get("X-Amz-Expires") != "3600" {
		t.Errorf("got %s, want X-Amz-Expires=3600", iu)
	}
	if _, _, h := get(t, iu); h.Get("Content-Type") != "image/png" {
		t.Errorf("got Content-Type %q, want image/png", h.Get("Content-Type"))
	}
}

func TestStoreRefuses(t *testing.T) {
	ctx := context.Background()
	c, _ := fakeS3(t, 0)
	st := New(c, bucket, 0)
	good := jpegImage(t, 2, 2, color.White)
	png := avatar.Encoded{Data: []byte("x"), ContentType: "image/png", Ext: "png"}

	for _, id := range []string{"", "../other", "a/b", "a b", strings.Repeat("x", 129)} {
		if _, err := st.Put(ctx, id, &avatar.Result{Image: good, Thumb: good}); !errors.Is(err, avatar.ErrInvalidKey) {
			t.Errorf("Put for user %q: got %v, want ErrInvalidKey", id, err)
		}
		if err := st.DeleteUser(ctx, id); !errors.Is(err, avatar.ErrInvalidKey) {
			t.Errorf("DeleteUser %q: got %v, want ErrInvalidKey", id, err)
		}
	}
	for name, r := range map[string]*avatar.Result{
		"nil":           nil,
		"no thumbnail":  {Image: good},
		"mixed formats": {Image: good, Thumb: png},
		"unknown ext":   {Image: avatar.Encoded{Data: []byte("x"), Ext: "exe"}, Thumb: avatar.Encoded{Data: []byte("x"), Ext: "exe"}},
	} {
		if _, err := st.Put(ctx, "u", r); err == nil {
			t.Errorf("Put %s: got nil, want an error", name)
		}
	}
	for _, key := range []string{"avatars/u/../../etc.jpg", "other/u/0123456789abcdef0123456789abcdef.jpg", "avatars/u/0123456789abcdef0123456789abcdef_thumb.jpg"} {
		if err := st.Delete(ctx, key); !errors.Is(err, avatar.ErrInvalidKey) {
			t.Errorf("Delete %q: got %v, want ErrInvalidKey", key, err)
		}
	}
}

// recordingS3 keeps every PutObjectInput on its way to the real client.
type recordingS3 struct {
	S3API
	puts []*s3.PutObjectInput
}

func (r *recordingS3) PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	r.puts = append(r.puts, in)
	return r.S3API.PutObject(ctx, in, optFns...)
}

// failingS3 fails the PutObject whose key ends in failSuffix and records deletions.
type failingS3 struct {
	S3API
	failSuffix string
	deleted    []string
}

func (f *failingS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if strings.HasSuffix(aws.ToString(in.Key), f.failSuffix) {
		return nil, errors.New("boom")
	}
	return &s3.PutObjectOutput{}, nil
}

func (f *failingS3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	for _, o := range in.Delete.Objects {
		f.deleted = append(f.deleted, aws.ToString(o.Key))
	}
	return &s3.DeleteObjectsOutput{}, nil
}

func TestPutCleansUpAfterFailure(t *testing.T) {
	f := &failingS3{failSuffix: "_thumb.jpg"}
	st := New(f, bucket, 0)
	good := jpegImage(t, 2, 2, color.White)
	if _, err := st.Put(context.Background(), "u", &avatar.Result{Image: good, Thumb: good}); err == nil {
		t.Fatal("got nil, want the thumbnail's put error")
	}
	if len(f.deleted) != 2 || !strings.HasSuffix(f.deleted[0], ".jpg") || !strings.HasSuffix(f.deleted[1], "_thumb.jpg") {
		t.Errorf("got deletions %v, want the image and its thumbnail", f.deleted)
	}
}
