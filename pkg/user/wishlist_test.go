package user_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

func TestWishlist(t *testing.T) {
	svc, _, c := newService(t)
	ctx := context.Background()
	a := register(t, svc, "wish@example.com")
	p := principal(t, svc, a.Token)

	w, err := svc.PutWish(ctx, p, &user.WishItem{ProductID: "p-1", Name: "  Mug ", Categories: []string{" kitchen "},
		Images: []string{"https://cdn.example.com/mug.png"}, Price: 9.5})
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "Mug" || w.Categories[0] != "kitchen" || !w.AddedAt.Equal(c.t) {
		t.Errorf("put: %+v, want the name and categories trimmed, added now", w)
	}
	first := w.AddedAt
	c.t = c.t.Add(time.Minute)
	w, err = svc.PutWish(ctx, p, &user.WishItem{ProductID: "p-1", Name: "Big mug"})
	if err != nil || w.Name != "Big mug" || !w.AddedAt.Equal(first) {
		t.Errorf("replace: %+v %v, want the new name and the first added_at", w, err)
	}
	if _, err := svc.PutWish(ctx, p, &user.WishItem{ProductID: "p-2", Name: "Cup"}); err != nil {
		t.Fatal(err)
	}
	_, items, err := svc.Wishlist(ctx, a.Token)
	if err != nil || len(items) != 2 {
		t.Fatalf("list: %d items, %v; want 2", len(items), err)
	}
	if err := svc.RemoveWish(ctx, p, "p-2"); err != nil {
		t.Fatal(err)
	}
	if err := svc.RemoveWish(ctx, p, "p-2"); err != nil {
		t.Errorf("removing a missing item: %v, want nil", err)
	}
	if _, items, _ := svc.Wishlist(ctx, a.Token); len(items) != 1 {
		t.Errorf("after remove: %d items, want 1", len(items))
	}
	if _, _, err := svc.Wishlist(ctx, "nonsense"); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("list with a bad token: %v, want unauthenticated", err)
	}
}

func TestWishRejects(t *testing.T) {
	svc, _, _ := newService(t)
	p := principal(t, svc, register(t, svc, "bad-wish@example.com").Token)
	many := make([]string, user.MaxWishImages+1)
	for i := range many {
		many[i] = "https://cdn.example.com/x.png"
	}
	cats := make([]string, user.MaxWishCategories+1)
	for i := range cats {
		cats[i] = "c"
	}
	for _, tt := range []struct {
		name string
		it   user.WishItem
		want map[string]string
	}{
		{"no name", user.WishItem{ProductID: "p"}, map[string]string{"name": apperr.FieldRequired}},
		{"bad id", user.WishItem{ProductID: "a b/c", Name: "x"}, map[string]string{"product_id": apperr.FieldInvalidFormat}},
		{"long name", user.WishItem{ProductID: "p", Name: strings.Repeat("n", user.MaxNameLen+1)}, map[string]string{"name": apperr.FieldTooLong}},
		{"bad image", user.WishItem{ProductID: "p", Name: "x", Images: []string{"ftp://x"}}, map[string]string{"images.0": apperr.FieldInvalidURL}},
		{"too many images", user.WishItem{ProductID: "p", Name: "x", Images: many}, map[string]string{"images": apperr.FieldTooLong}},
		{"empty category", user.WishItem{ProductID: "p", Name: "x", Categories: []string{"ok", " "}}, map[string]string{"categories.1": apperr.FieldInvalidFormat}},
		{"too many categories", user.WishItem{ProductID: "p", Name: "x", Categories: cats}, map[string]string{"categories": apperr.FieldTooLong}},
		{"negative price", user.WishItem{ProductID: "p", Name: "x", Price: -1}, map[string]string{"price": ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			it := tt.it
			_, err := svc.PutWish(context.Background(), p, &it)
			got := fieldCodes(err)
			for f, code := range tt.want {
				if c, ok := got[f]; !ok || (code != "" && c != code) {
					t.Errorf("got %v (%v), want %s: %s", got, err, f, code)
				}
			}
		})
	}
}

// A new item past WishlistMax is refused; replacing one already there is not.
func TestWishlistCap(t *testing.T) {
	st := memstore.New()
	svc := user.NewService(st, fastHasher, time.Now, user.Options{WishlistMax: 2,
		AllowConfirmationURL: func(*url.URL) bool { return false }})
	p := principal(t, svc, register(t, svc, "cap@example.com").Token)
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if _, err := svc.PutWish(ctx, p, &user.WishItem{ProductID: id, Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.PutWish(ctx, p, &user.WishItem{ProductID: "c", Name: "c"}); err == nil {
		t.Error("a third item past a cap of 2 was kept")
	} else if e, ok := apperr.As(err); !ok || e.Code == apperr.Internal {
		t.Errorf("past the cap: %v, want a client error", err)
	}
	if _, err := svc.PutWish(ctx, p, &user.WishItem{ProductID: "a", Name: "a2"}); err != nil {
		t.Errorf("replacing an item at the cap: %v", err)
	}
}

// Export reads everything held under the user, sessions included.
func TestExport(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	a := register(t, svc, "export@example.com")
	p := principal(t, svc, a.Token)
	if _, err := svc.PutWish(ctx, p, &user.WishItem{ProductID: "p", Name: "Mug"}); err != nil {
		t.Fatal(err)
	}
	got, data, err := svc.Export(ctx, a.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got.User.ID != a.User.ID || data.User.Email != "export@example.com" || len(data.Wishes) != 1 || len(data.Sessions) != 1 || len(data.Events) == 0 {
		t.Errorf("export: user %s, %d wishes, %d sessions, %d events; want 1, 1, some", data.User.Email, len(data.Wishes), len(data.Sessions), len(data.Events))
	}
	if _, _, err := svc.Export(ctx, "nonsense"); !errors.Is(err, user.ErrUnauthenticated) {
		t.Errorf("export with a bad token: %v", err)
	}
}
