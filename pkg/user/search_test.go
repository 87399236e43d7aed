package user_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

func TestParseSort(t *testing.T) {
	for in, want := range map[string][]user.SortKey{
		"":                      {{Field: "id"}},
		"email":                 {{Field: "email"}},
		"-full_name,created_at": {{Field: "full_name", Desc: true}, {Field: "created_at"}},
		" id , -email":          {{Field: "id"}, {Field: "email", Desc: true}},
	} {
		if got, ok := user.ParseSort(in); !ok || !slices.Equal(got, want) {
			t.Errorf("ParseSort(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"name", "id,id", "-", "email,", "--id", "id;email", "Email"} {
		if _, ok := user.ParseSort(bad); ok {
			t.Errorf("ParseSort(%q) accepted", bad)
		}
	}
}

func TestTrigramsAreBounded(t *testing.T) {
	u := &user.User{Email: strings.Repeat("abcdefghij", 20) + "@example.com", FirstName: strings.Repeat("ÅÄÖklmnopqrst", 20), LastName: "x"}
	if n := len(user.Trigrams(u)); n > 2*user.TrigramPositions {
		t.Errorf("%d trigrams, at most %d", n, 2*user.TrigramPositions)
	}
	got := user.Trigrams(&user.User{Email: "ab@c.io", FirstName: "Ÿo", LastName: "Z"})
	slices.Sort(got)
	want := []string{"@c.", "ab@", "b@c", "c.i", ".io", "ÿo ", "o z"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Trigrams = %q, want %q", got, want)
	}
	if got := user.QueryTrigrams(user.NormalizeQuery("  AAAA ")); !slices.Equal(got, []string{"aaa"}) {
		t.Errorf("QueryTrigrams = %q", got)
	}
}

func TestTreeSegments(t *testing.T) {
	root := &user.User{ID: "r"}
	prev := root
	var chain []*user.User
	for i := range user.TreeSegment + 2 {
		u := &user.User{ID: string(rune('A' + i))}
		user.PlaceUnder(u, prev)
		chain = append(chain, u)
		prev = u
	}
	if chain[0].TreeRoot != "r" || chain[0].TreePath != "A" {
		t.Errorf("first child: %q %q", chain[0].TreeRoot, chain[0].TreePath)
	}
	deepest := chain[user.TreeSegment-1]
	if user.TreeDepth(deepest.TreePath) != user.TreeSegment {
		t.Errorf("depth %d", user.TreeDepth(deepest.TreePath))
	}
	// Below a full segment a new one starts, rooted at its bottom user.
	below := chain[user.TreeSegment]
	if below.TreeRoot != deepest.ID || below.TreePath != below.ID {
		t.Errorf("below a full segment: %q %q", below.TreeRoot, below.TreePath)
	}
	if r, p := deepest.DownlineKey(); r != deepest.ID || p != "" {
		t.Errorf("DownlineKey of a segment's bottom = %q %q", r, p)
	}
	if r, p := chain[1].DownlineKey(); r != "r" || p != "A/B/" {
		t.Errorf("DownlineKey = %q %q", r, p)
	}
}

func TestSearchUsersRejectsBadInput(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	for _, tc := range []struct {
		p     user.SearchParams
		field string
		code  string
	}{
		{user.SearchParams{Sort: "bogus"}, "sort", apperr.FieldInvalidChoice},
		{user.SearchParams{DownlineOf: "nope"}, "downline_of", apperr.FieldNotFound},
		{user.SearchParams{DownlineOf: "01jd0000000000000000000000"}, "downline_of", apperr.FieldNotFound},
		{user.SearchParams{Q: strings.Repeat("q", user.MaxQueryLen+1)}, "q", apperr.FieldTooLong},
		{user.SearchParams{Q: "a\x00b"}, "q", apperr.FieldInvalidFormat},
	} {
		tc.p.Page, tc.p.PerPage = 1, 10
		_, err := svc.SearchUsers(ctx, tc.p)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.ValidationFailed || len(e.Fields) != 1 || e.Fields[0].Field != tc.field || e.Fields[0].Code != tc.code {
			t.Errorf("%+v: %v, want %s %s", tc.p, err, tc.field, tc.code)
		}
	}
}

func TestSponsorPlacesInTree(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	a := adminPrincipal(t, svc, "root@example.com")
	top, _, err := svc.CreateUser(ctx, a, user.AdminCreate{Email: "top@example.com"}, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	mid, _, err := svc.CreateUser(ctx, a, user.AdminCreate{Email: "mid@example.com", SponsorID: top.ID}, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	low, _, err := svc.CreateUser(ctx, a, user.AdminCreate{Email: "low@example.com", SponsorID: mid.ID}, user.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if low.TreeRoot != top.ID || low.TreePath != mid.ID+"/"+low.ID {
		t.Errorf("tree place %q %q", low.TreeRoot, low.TreePath)
	}
	res, err := svc.SearchUsers(ctx, user.SearchParams{DownlineOf: top.ID, Page: 1, PerPage: 10})
	if err != nil || res.Total != 2 {
		t.Fatalf("downline: %+v %v", res, err)
	}
}
