package user

import (
	"context"
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/userbase/userbase/pkg/apperr"
)

// WishItem is a product snapshot on a user's wishlist (seed 001's AddToWishlist).
type WishItem struct {
	UserID       string
	ProductID    string
	Name         string
	Alias        string
	Images       []string
	Categories   []string
	Brand        string
	Publish      bool
	Price        float64
	ComparePrice float64
	SKU          string
	Weight       float64
	AddedAt      time.Time
	// New marks an item written as an addition: it must not exist yet, and it counts
	// toward the wishlist's size.
	New bool
}

// Wishlist limits.
const (
	MaxWishImages     = 20
	MaxWishCategories = 50
)

// ValidProductID reports whether id can name a product: 1 to 128 of [A-Za-z0-9._:-],
// starting with a letter or digit. (A regexp would be compiled at every cold start.)
func ValidProductID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("._:-", rune(c))) {
			return false
		}
	}
	return true
}

// Wishlist authenticates the credential and lists the user's wishlist, oldest first, with one
// Query of the user's partition.
func (s *Service) Wishlist(ctx context.Context, token string) (*Principal, []*WishItem, error) {
	v, err := s.partition(ctx, token, false)
	if err != nil {
		return nil, nil, err
	}
	return v.principal, v.data.Wishes, nil
}

// Export authenticates the credential and reads everything held under the user — profile,
// live sessions, wishlist, security events, MFA state — for GET /v1/me/export.
func (s *Service) Export(ctx context.Context, token string) (*Principal, *UserData, error) {
	v, err := s.partition(ctx, token, true)
	if err != nil {
		return nil, nil, err
	}
	d := *v.data
	d.Sessions = v.sessions
	return v.principal, &d, nil
}

// PutWish adds or replaces a wishlist item, keeping its first added_at; a new item past
// the configured maximum is refused.
func (s *Service) PutWish(ctx context.Context, p *Principal, it *WishItem) (*WishItem, error) {
	max := s.opts.WishlistMax
	var errs apperr.Fields
	if !ValidProductID(it.ProductID) {
		errs.Add("product_id", apperr.FieldInvalidFormat)
	}
	it.Name = text(it.Name, "name", MaxNameLen, &errs)
	if it.Name == "" && !hasField(errs, "name") {
		errs.Add("name", apperr.FieldRequired)
	}
	it.Alias = text(it.Alias, "alias", MaxNameLen, &errs)
	it.Brand = text(it.Brand, "brand", MaxNameLen, &errs)
	it.SKU = text(it.SKU, "sku", 128, &errs)
	if len(it.Images) > MaxWishImages {
		errs.AddP("images", apperr.FieldTooLong, map[string]any{"max": MaxWishImages, "unit": "item"})
	}
	for i, img := range it.Images {
		u, err := url.Parse(img)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(img) > MaxURLLen {
			errs.Add("images."+strconv.Itoa(i), apperr.FieldInvalidURL)
		}
	}
	if len(it.Categories) > MaxWishCategories {
		errs.AddP("categories", apperr.FieldTooLong, map[string]any{"max": MaxWishCategories, "unit": "item"})
	}
	for i, c := range it.Categories {
		if c = strings.TrimSpace(c); c == "" || utf8.RuneCountInString(c) > MaxNameLen {
			errs.Add("categories."+strconv.Itoa(i), apperr.FieldInvalidFormat)
		}
		it.Categories[i] = strings.TrimSpace(c)
	}
	for field, v := range map[string]*float64{"price": &it.Price, "compare_price": &it.ComparePrice, "weight": &it.Weight} {
		if math.IsNaN(*v) || *v < 0 || *v > 1e12 { // NaN fails every comparison, so it is named
			errs.Add(field, apperr.FieldInvalidFormat)
		}
		*v += 0 // -0 is 0
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	it.UserID = p.User.ID
	tooMany := apperr.Invalid(apperr.FieldError{Field: "product_id", Code: apperr.FieldTooLarge, Params: map[string]any{"max": max}})
	// An addition must find no item and counts toward the size; a replacement must find
	// its item. Either can lose a race with the other kind of change (an addition, a
	// removal): then the state is read again, so the size counter never misses one.
	err := optimistic(ctx, func(int) error {
		existing, count, err := s.store.WishState(ctx, p.User.ID, it.ProductID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		tx := &Tx{Now: now, Wishes: []*WishItem{it}}
		it.New = existing == nil
		if !it.New {
			it.AddedAt = existing.AddedAt
		} else {
			if count >= max {
				return tooMany
			}
			// The size is a counter in the same transaction, so concurrent additions
			// cannot pass the maximum; the read above only answers the common case early.
			it.AddedAt = now
			tx.Limits = []Counter{s.wishCounter(p.User.ID, max, now)}
		}
		switch err := s.store.Apply(ctx, tx); {
		case errors.Is(err, ErrLimited):
			return tooMany
		case errors.Is(err, ErrNotFound) && !it.New:
			return ErrConflict // removed meanwhile: add it again, counted
		default:
			return err
		}
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// wishCounter is the size of a user's wishlist; it lives as long as any user may.
func (s *Service) wishCounter(userID string, max int, now time.Time) Counter {
	return Counter{Key: "wishlist#" + userID, Max: int64(max), ExpiresAt: now.AddDate(100, 0, 0)}
}

// RemoveWish deletes a wishlist item; one already gone is not an error.
func (s *Service) RemoveWish(ctx context.Context, p *Principal, productID string) error {
	if !ValidProductID(productID) {
		return nil
	}
	now := s.now().UTC()
	err := s.store.Apply(ctx, &Tx{Now: now, Unwish: []*WishItem{{UserID: p.User.ID, ProductID: productID}},
		Uncount: []Counter{s.wishCounter(p.User.ID, 0, now)}})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// view is what one Query of a user's partition holds, authenticated.
type view struct {
	principal *Principal
	sessions  []*Session // the live ones
	data      *UserData
}

// partition authenticates the token from the Query that reads the user's items, so routes
// that list what a user owns cost one round trip.
func (s *Service) partition(ctx context.Context, token string, events bool) (*view, error) {
	b, err := s.bearer(ctx, token)
	if err != nil {
		return nil, err
	}
	d, err := s.store.UserData(ctx, b.UserID, events)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	v := &view{data: d}
	for _, se := range d.Sessions {
		if !s.live(se, d.User, now) {
			continue
		}
		v.sessions = append(v.sessions, se)
		if s.owns(b, se) {
			v.principal = &Principal{User: d.User, Session: se}
		}
	}
	if v.principal == nil {
		return nil, ErrUnauthenticated
	}
	s.touch(ctx, v.principal.Session)
	return v, nil
}

// UserData is every item held under a user.
type UserData struct {
	User     *User
	Sessions []*Session
	Wishes   []*WishItem
	Events   []*Event // only when asked for
	MFA      *MFA
	Passkeys []*Passkey
}

func hasField(errs apperr.Fields, field string) bool {
	for _, f := range errs {
		if f.Field == field {
			return true
		}
	}
	return false
}
