package avatar

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// fakePresigner records what it was asked to sign.
type fakePresigner struct {
	keys []string
	ttls []time.Duration
	err  error
}

func (f *fakePresigner) GetURL(_ context.Context, key string, ttl time.Duration) (string, error) {
	f.keys, f.ttls = append(f.keys, key), append(f.ttls, ttl)
	return "https://signed/" + key, f.err
}

func TestSignerURLs(t *testing.T) {
	ctx := context.Background()
	key, err := NewKey("01jb0user", "jpg")
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePresigner{}
	img, thumb, err := NewSigner(p, time.Hour).URLs(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	wantThumb, _ := ThumbKey(key)
	if img != "https://signed/"+key || thumb != "https://signed/"+wantThumb {
		t.Errorf("got %q, %q, want the image and its thumbnail signed", img, thumb)
	}
	if len(p.ttls) != 2 || p.ttls[0] != time.Hour || p.ttls[1] != time.Hour {
		t.Errorf("signed for %v, want 1h each", p.ttls)
	}

	if a, b, err := NewSigner(p, 0).URLs(ctx, ""); a != "" || b != "" || err != nil {
		t.Errorf("URLs of no key: got %q, %q, %v, want empty and nil", a, b, err)
	}
	for _, key := range []string{"avatars/u/../../etc.jpg", "other/u/0123456789abcdef0123456789abcdef.jpg", "avatars/u/0123456789abcdef0123456789abcdef_thumb.jpg"} {
		if _, _, err := NewSigner(p, 0).URLs(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("URLs %q: got %v, want ErrInvalidKey", key, err)
		}
	}
	boom := errors.New("boom")
	if _, _, err := NewSigner(&fakePresigner{err: boom}, 0).URLs(ctx, key); !errors.Is(err, boom) {
		t.Errorf("a failing presigner: got %v, want its error", err)
	}
}

func TestURLTTL(t *testing.T) {
	for _, tt := range []struct{ in, want time.Duration }{
		{0, DefaultURLTTL}, {-time.Second, DefaultURLTTL}, {time.Hour, time.Hour},
		{30 * 24 * time.Hour, 7 * 24 * time.Hour}, {1500 * time.Millisecond, time.Second}, {time.Millisecond, time.Second},
	} {
		if got := URLTTL(tt.in); got != tt.want {
			t.Errorf("URLTTL(%v): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNewKey(t *testing.T) {
	a, err := NewKey("u1", "png")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewKey("u1", "png")
	if a == b || !OwnedBy(a, "u1") || !strings.HasSuffix(a, ".png") {
		t.Errorf("got %q and %q, want two fresh png keys of u1", a, b)
	}
	for _, tt := range []struct{ user, ext string }{{"", "jpg"}, {"../x", "jpg"}, {"u1", "gif"}, {"u1", ""}} {
		if k, err := NewKey(tt.user, tt.ext); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("NewKey(%q, %q): got %q, %v, want ErrInvalidKey", tt.user, tt.ext, k, err)
		}
	}
	if p, err := UserPrefix("u1"); p != "avatars/u1/" || err != nil {
		t.Errorf("UserPrefix(u1): got %q, %v", p, err)
	}
}

func TestThumbKey(t *testing.T) {
	const hex = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		key, want string
	}{
		{"avatars/u1/" + hex + ".jpg", "avatars/u1/" + hex + "_thumb.jpg"},
		{"avatars/01JB-x_y/" + hex + ".png", "avatars/01JB-x_y/" + hex + "_thumb.png"},
		{"avatars/u1/" + hex + "_thumb.jpg", ""},
		{"avatars/u1/" + hex + ".gif", ""},
		{"avatars/u1/" + strings.ToUpper(hex) + ".jpg", ""},
		{"avatars/u1/sub/" + hex + ".jpg", ""},
		{"avatars//" + hex + ".jpg", ""},
		{"avatars/u1/" + hex, ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ThumbKey(tt.key)
		if tt.want == "" {
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("ThumbKey(%q): got %q, %v, want ErrInvalidKey", tt.key, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ThumbKey(%q): got %q, %v, want %q", tt.key, got, err, tt.want)
		}
	}
	if OwnedBy("avatars/u1/"+hex+".jpg", "u") || !OwnedBy("avatars/u1/"+hex+".jpg", "u1") {
		t.Errorf("OwnedBy matched by prefix, want the whole user id")
	}
}
