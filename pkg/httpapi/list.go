package httpapi

import (
	"errors"
	"strconv"

	"github.com/userbase/userbase/pkg/apperr"
)

// Paging limits of every list.
const (
	DefaultPerPage = 50
	MaxPerPage     = 100
)

// listView is the envelope of every list answer.
type listView[T any] struct {
	Items []T      `json:"items"`
	Meta  listMeta `json:"meta"`
}

type listMeta struct {
	Total     int `json:"total"`
	Page      int `json:"page"`
	PerPage   int `json:"per_page"`
	PageCount int `json:"page_count"`
}

// Page is a request's ?page= and ?per_page=, with per_page capped at MaxPerPage.
type Page struct{ Number, Size int }

// PageOf reads the paging parameters; a malformed one is a validation error.
func PageOf(r *Request) (Page, error) {
	p := Page{Number: 1, Size: DefaultPerPage}
	var errs apperr.Fields
	if v := r.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			errs.Add("page", apperr.FieldInvalidFormat)
		} else {
			p.Number = n
		}
	}
	if v := r.Query("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if errors.Is(err, strconv.ErrRange) && v[0] != '-' {
			n, err = MaxPerPage, nil // more than any int: capped like any other value over 100
		}
		if err != nil || n < 1 {
			errs.Add("per_page", apperr.FieldInvalidFormat)
		} else {
			p.Size = min(n, MaxPerPage)
		}
	}
	return p, errs.Err()
}

// pageOf cuts one page out of a whole list.
func pageOf[T any](all []T, p Page) listView[T] {
	start := min((p.Number-1)*p.Size, len(all))
	end := min(start+p.Size, len(all))
	return listOf(all[start:end], len(all), p)
}

// listOf is the envelope of one page of items out of total.
func listOf[T any](items []T, total int, p Page) listView[T] {
	if items == nil {
		items = []T{}
	}
	return listView[T]{Items: items, Meta: listMeta{Total: total, Page: p.Number, PerPage: p.Size,
		PageCount: (total + p.Size - 1) / p.Size}}
}
