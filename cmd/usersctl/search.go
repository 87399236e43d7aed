package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

// Paging of search, as GET /v1/users has it (httpapi.DefaultPerPage, MaxPerPage and the
// bound PageOf puts on page).
const (
	searchDefaultPerPage = 50
	searchMaxPerPage     = 100
	searchMaxPage        = 1_000_000
)

// searchList is the JSON list envelope of GET /v1/users.
type searchList struct {
	Items []map[string]any `json:"items"`
	Meta  searchMeta       `json:"meta"`
}

type searchMeta struct {
	Total     int `json:"total"`
	Page      int `json:"page"`
	PerPage   int `json:"per_page"`
	PageCount int `json:"page_count"`
}

// userJSON is a user as `get` prints it.
func userJSON(u *user.User) map[string]any {
	return map[string]any{"id": u.ID, "email": u.Email, "email_verified": u.EmailVerified, "pending_email": u.PendingEmail,
		"phone": u.Phone, "first_name": u.FirstName, "last_name": u.LastName, "role": u.Role, "active": u.Active,
		"language": u.Language, "sponsor_id": u.SponsorID, "mfa_enabled": u.MFAEnabled, "created_at": u.CreatedAt, "updated_at": u.UpdatedAt}
}

func searchCmd(ctx context.Context, svc *user.Service, args []string) error {
	return search(ctx, svc, args, os.Stdout)
}

// search runs `usersctl search` and writes its answer to w.
func search(ctx context.Context, svc *user.Service, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	sortKeys := fs.String("sort", "", `order: id, email, full_name, created_at, each with an optional "-" (descending), comma-joined (default id)`)
	downline := fs.String("downline-of", "", "only the descendants of this user in the sponsor tree (an id, an email or a phone)")
	page := fs.Int("page", 1, "the page, from 1")
	perPage := fs.Int("per-page", searchDefaultPerPage, fmt.Sprintf("users a page (at most %d)", searchMaxPerPage))
	asJSON := fs.Bool("json", false, "print the JSON list of GET /v1/users")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("search: want at most one Q, after the flags (got %q)", fs.Args())
	}
	if *page < 1 || *page > searchMaxPage {
		return fmt.Errorf("search: --page %d: want 1 to %d", *page, searchMaxPage)
	}
	if *perPage < 1 || *perPage > searchMaxPerPage {
		return fmt.Errorf("search: --per-page %d: want 1 to %d", *perPage, searchMaxPerPage)
	}
	p := user.SearchParams{Q: fs.Arg(0), Sort: *sortKeys, Page: *page, PerPage: *perPage}
	if *downline != "" {
		u, err := lookup(ctx, svc, *downline)
		if errors.Is(err, user.ErrUserNotFound) {
			return fmt.Errorf("search: --downline-of %q: no user has this id, email or phone", *downline)
		} else if err != nil {
			return fmt.Errorf("search: --downline-of %q: %w", *downline, err)
		}
		p.DownlineOf = u.ID
	}
	res, err := svc.SearchUsers(ctx, p)
	if err != nil {
		return searchError(err, p, *downline)
	}
	pageCount := (res.Total + p.PerPage - 1) / p.PerPage
	if *asJSON {
		out := searchList{Items: make([]map[string]any, len(res.Users)),
			Meta: searchMeta{Total: res.Total, Page: p.Page, PerPage: p.PerPage, PageCount: pageCount}}
		for i, u := range res.Users {
			out.Items[i] = userJSON(u)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if res.Total == 0 && len(res.Users) == 0 {
		_, err := fmt.Fprintln(w, "no users")
		return err
	}
	if len(res.Users) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tFULL NAME\tROLE\tACTIVE\tCREATED AT")
		for _, u := range res.Users {
			name := u.FullName()
			if name == "" {
				name = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Email, name, u.Role, u.Active, u.CreatedAt.UTC().Format(time.RFC3339))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintln(w, pageLine(p.Page, pageCount, res))
	return err
}

// pageLine tells which page this is of how many, and how many users match: at least so
// many when the store did not count them all.
func pageLine(page, pageCount int, res *user.SearchResult) string {
	atLeast := ""
	if !res.Exact {
		atLeast = "at least "
	}
	noun := "users"
	if res.Total == 1 {
		noun = "user"
	}
	return fmt.Sprintf("page %d of %s%d, %s%d %s", page, atLeast, pageCount, atLeast, res.Total, noun)
}

// searchError tells which argument a validation error of the service is about, its code
// and what is accepted.
func searchError(err error, p user.SearchParams, downline string) error {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.ValidationFailed || len(e.Fields) == 0 {
		return fmt.Errorf("search: %w", err)
	}
	var msgs []string
	for _, f := range e.Fields {
		var m string
		switch f.Field {
		case "sort":
			m = fmt.Sprintf("--sort %q: %s (want id, email, full_name or created_at, each at most once, with an optional \"-\" for descending, comma-joined)", p.Sort, f.Code)
		case "q":
			m = fmt.Sprintf("Q: %s", f.Code)
		case "downline_of":
			m = fmt.Sprintf("--downline-of %q: %s", downline, f.Code)
		default:
			m = fmt.Sprintf("%s: %s", f.Field, f.Code)
		}
		if len(f.Params) > 0 {
			keys := make([]string, 0, len(f.Params))
			for k := range f.Params {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for i, k := range keys {
				keys[i] = fmt.Sprintf("%s %v", k, f.Params[k])
			}
			m += " (" + strings.Join(keys, ", ") + ")"
		}
		msgs = append(msgs, m)
	}
	return &fieldsError{msg: "search: invalid " + strings.Join(msgs, "; invalid "), err: err}
}

// fieldsError is a validation error told for the command line; it unwraps to the
// service's error.
type fieldsError struct {
	msg string
	err error
}

func (e *fieldsError) Error() string { return e.msg }
func (e *fieldsError) Unwrap() error { return e.err }
