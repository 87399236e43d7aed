package user_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// objects records what the service deletes and signs fixed URLs.
type objects struct{ deleted, deletedUsers []string }

func (o *objects) Delete(_ context.Context, key string) error {
	o.deleted = append(o.deleted, key)
	return nil
}

func (o *objects) DeleteUser(_ context.Context, id string) error {
	o.deletedUsers = append(o.deletedUsers, id)
	return nil
}

func (*objects) URLs(_ context.Context, key string) (string, string, error) {
	return "https://img.example.com/" + key, "https://img.example.com/" + key + "?thumb", nil
}

func newAvatarService(t *testing.T, perDay int) (*user.Service, *objects) {
	t.Helper()
	o := &objects{}
	svc := user.NewService(memstore.New(), fastHasher, time.Now, user.Options{ProfileUpdatesPerDay: perDay,
		AllowConfirmationURL: func(*url.URL) bool { return false }, AvatarURLs: o, AvatarObjects: o})
	return svc, o
}

// A new avatar replaces the old one, whose objects go; removing it clears the URLs.
func TestAvatarSwap(t *testing.T) {
	svc, o := newAvatarService(t, 0)
	ctx := context.Background()
	a := register(t, svc, "face@example.com")
	p := principal(t, svc, a.Token)
	if got := svc.AvatarURL(ctx, p.User); got != "" {
		t.Errorf("no avatar yet: URL %q", got)
	}
	if err := svc.RemoveAvatar(ctx, p, user.Client{}); err != nil || len(o.deleted) != 0 {
		t.Errorf("removing none: %v, deleted %v", err, o.deleted)
	}
	u, err := svc.SetAvatar(ctx, p, "k1", user.Client{})
	if err != nil || u.AvatarKey != "k1" {
		t.Fatalf("set: %+v %v", u, err)
	}
	if got := svc.AvatarURL(ctx, u); got != "https://img.example.com/k1" {
		t.Errorf("URL %q", got)
	}
	if img, thumb := svc.AvatarURLs(ctx, u); img == "" || thumb == "" {
		t.Errorf("URLs %q %q", img, thumb)
	}
	p = principal(t, svc, a.Token)
	if _, err := svc.SetAvatar(ctx, p, "k2", user.Client{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.deleted, []string{"k1"}) {
		t.Errorf("deleted %v, want the old image k1", o.deleted)
	}
	p = principal(t, svc, a.Token)
	if err := svc.RemoveAvatar(ctx, p, user.Client{}); err != nil {
		t.Fatal(err)
	}
	p = principal(t, svc, a.Token)
	if p.User.AvatarKey != "" || !slices.Equal(o.deleted, []string{"k1", "k2"}) {
		t.Errorf("after remove: key %q, deleted %v", p.User.AvatarKey, o.deleted)
	}
	if img, thumb := svc.AvatarURLs(ctx, p.User); img != "" || thumb != "" {
		t.Errorf("URLs after remove %q %q", img, thumb)
	}
}

// Past the daily limit a new avatar is refused before and after the upload, and the
// image that was stored for it is deleted.
func TestAvatarDailyLimit(t *testing.T) {
	svc, o := newAvatarService(t, 1)
	ctx := context.Background()
	a := register(t, svc, "limit@example.com")
	p := principal(t, svc, a.Token)
	if err := svc.CheckProfileLimit(ctx, p); err != nil {
		t.Fatalf("first check: %v", err)
	}
	if _, err := svc.SetAvatar(ctx, p, "k1", user.Client{}); err != nil {
		t.Fatal(err)
	}
	p = principal(t, svc, a.Token)
	if err := svc.CheckProfileLimit(ctx, p); !isCode(err, apperr.RateLimited) {
		t.Errorf("check past the limit: %v, want rate_limited", err)
	}
	if _, err := svc.SetAvatar(ctx, p, "k2", user.Client{}); !isCode(err, apperr.RateLimited) {
		t.Errorf("set past the limit: %v, want rate_limited", err)
	}
	if !slices.Contains(o.deleted, "k2") {
		t.Errorf("deleted %v: the refused image k2 was kept", o.deleted)
	}
}

func isCode(err error, code apperr.Code) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == code
}
