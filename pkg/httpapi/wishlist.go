package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/user"
)

// wishRequest is a product snapshot; publish and weight also come as strings ("1", "2.5"),
// as seed 001 sends them.
type wishRequest struct {
	ProductID    string          `json:"product_id"`
	Name         string          `json:"name"`
	Alias        string          `json:"alias"`
	Images       []string        `json:"images"`
	Categories   []string        `json:"categories"`
	Brand        string          `json:"brand"`
	Publish      json.RawMessage `json:"publish"`
	Price        float64         `json:"price"`
	ComparePrice float64         `json:"compare_price"`
	SKU          string          `json:"sku"`
	Weight       json.RawMessage `json:"weight"`
}

type wishView struct {
	ProductID    string   `json:"product_id"`
	Name         string   `json:"name"`
	Alias        string   `json:"alias"`
	Images       []string `json:"images"`
	Categories   []string `json:"categories"`
	Brand        string   `json:"brand"`
	Publish      bool     `json:"publish"`
	Price        float64  `json:"price"`
	ComparePrice float64  `json:"compare_price"`
	SKU          string   `json:"sku"`
	Weight       float64  `json:"weight"`
	AddedAt      string   `json:"added_at"`
}

func viewWish(w *user.WishItem) wishView {
	v := wishView{ProductID: w.ProductID, Name: w.Name, Alias: w.Alias, Images: w.Images, Categories: w.Categories,
		Brand: w.Brand, Publish: w.Publish, Price: w.Price, ComparePrice: w.ComparePrice, SKU: w.SKU,
		Weight: w.Weight, AddedAt: timestamp(w.AddedAt)}
	if v.Images == nil {
		v.Images = []string{}
	}
	if v.Categories == nil {
		v.Categories = []string{}
	}
	return v
}

// ListWishlist serves GET /v1/me/wishlist: one Query authenticates and lists.
func ListWishlist(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		tok := BearerToken(r)
		if tok == "" {
			return nil, user.ErrUnauthenticated
		}
		p, items, err := svc.Wishlist(ctx, tok)
		if err != nil {
			return nil, err
		}
		r.UserID, r.Lang = p.User.ID, i18n.Pick(p.User.Language, r.Header("Accept-Language"))
		page, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		views := make([]wishView, len(items))
		for i, w := range items {
			views[i] = viewWish(w)
		}
		return JSON(http.StatusOK, pageOf(views, page)), nil
	}
}

// PutWish serves PUT /v1/me/wishlist/{product_id}.
func PutWish(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in wishRequest
		// A member of the wrong type leaves the others decoded: their checks below add to
		// its error, one entry per bad field.
		errs, err := fieldErrors(DecodeJSON(r, &in))
		if err != nil {
			return nil, err
		}
		id := r.Event.PathParameters["product_id"]
		if in.ProductID != "" && in.ProductID != id {
			errs.Add("product_id", apperr.FieldMismatch)
		}
		it := &user.WishItem{ProductID: id, Name: in.Name, Alias: in.Alias, Images: in.Images, Categories: in.Categories,
			Brand: in.Brand, Price: in.Price, ComparePrice: in.ComparePrice, SKU: in.SKU}
		it.Publish = flexBool(in.Publish, "publish", &errs)
		it.Weight = flexNumber(in.Weight, "weight", &errs)
		if err := errs.Err(); err != nil {
			return nil, err
		}
		w, err := svc.PutWish(ctx, p, it)
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, viewWish(w)), nil
	})
}

// DeleteWish serves DELETE /v1/me/wishlist/{product_id}.
func DeleteWish(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		if err := svc.RemoveWish(ctx, p, r.Event.PathParameters["product_id"]); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}

// flexBool reads true/false, "1"/"0" or "true"/"false"; absent or null is false.
func flexBool(raw json.RawMessage, field string, errs *apperr.Fields) bool {
	if raw == nil || isNull(raw) {
		return false
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.TrimSpace(s) {
		case "1", "true":
			return true
		case "0", "false", "":
			return false
		}
	}
	errs.Add(field, apperr.FieldInvalidFormat)
	return false
}

// flexNumber reads a number or a numeric string; absent or null is 0.
func flexNumber(raw json.RawMessage, field string, errs *apperr.Fields) float64 {
	if raw == nil || isNull(raw) {
		return 0
	}
	raw = bytes.TrimSpace(raw)
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return f
	}
	// A numeric string is a JSON number in quotes: not Go's wider syntax (0x1p3, 1_000, Inf).
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s = strings.TrimSpace(s); s != "" && json.Valid([]byte(s)) && strings.IndexFunc(s, notNumberRune) < 0 {
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
				return f
			}
		}
	}
	errs.Add(field, apperr.FieldInvalidFormat)
	return 0
}

// notNumberRune reports whether r cannot be part of a JSON number.
func notNumberRune(r rune) bool {
	return !strings.ContainsRune("0123456789+-.eE", r)
}
