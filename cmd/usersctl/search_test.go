package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/user"
)

// runOut runs `usersctl --table TABLE ARGS…` as main does and returns what it printed.
func runOut(t *testing.T, ctx context.Context, table string, args ...string) (string, error) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdout
	os.Stdout = f
	err = run(ctx, append([]string{"--table", table}, args...))
	os.Stdout = old
	out, rerr := os.ReadFile(f.Name())
	if rerr != nil {
		t.Fatal(rerr)
	}
	return string(out), err
}

// tableIDs are the ids in the first column of a search table, and its last line.
func tableIDs(t *testing.T, out string) ([]string, string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if len(lines) == 1 {
		return nil, last
	}
	if !strings.HasPrefix(lines[0], "ID ") {
		t.Fatalf("no table header:\n%s", out)
	}
	var ids []string
	for _, l := range lines[1 : len(lines)-1] {
		ids = append(ids, strings.Fields(l)[0])
	}
	return ids, last
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func idsOf(us ...*user.User) []string {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

func TestSearchPageLine(t *testing.T) {
	for _, c := range []struct {
		page, count int
		res         user.SearchResult
		want        string
	}{
		{1, 3, user.SearchResult{Total: 123, Exact: true}, "page 1 of 3, 123 users"},
		{1, 1, user.SearchResult{Total: 1, Exact: true}, "page 1 of 1, 1 user"},
		{2, 3, user.SearchResult{Total: 101}, "page 2 of at least 3, at least 101 users"},
	} {
		if got := pageLine(c.page, c.count, &c.res); got != c.want {
			t.Errorf("pageLine(%d, %d, %+v) = %q, want %q", c.page, c.count, c.res, got, c.want)
		}
	}
}

// `usersctl search` finds, orders and pages users as GET /v1/users does, in a table or
// the API's JSON list, and tells what is wrong with a bad argument.
func TestSearchAgainstDynamoDBLocal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const table = "search-test"
	catchUp := indexer(t, ctx, importTables(t, ctx, table), table)
	svc, err := service(ctx, false, table)
	if err != nil {
		t.Fatal(err)
	}
	create := func(first, last, email, phone, sponsor string) *user.User {
		t.Helper()
		in := user.AdminCreate{Email: email, SponsorID: sponsor}
		in.FirstName, in.LastName = &first, &last
		if phone != "" {
			in.Phone = &phone
		}
		u, _, err := svc.CreateUser(ctx, operator, in, user.Client{})
		if err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		return u
	}
	searchCLI := func(args ...string) (string, error) {
		t.Helper()
		catchUp() // the postings of the users made so far, from the stream
		return runOut(t, ctx, table, append([]string{"search"}, args...)...)
	}

	// Three users share a random token in their last name; a fourth does not.
	token := randomHex(t, 12)
	other := randomHex(t, 8)
	last := "Mid" + token + "dle"
	alma := create("Alma", last, "alma."+other+"@example.com", "", "")
	bruno := create("Bruno", last, "bruno."+other+"@example.com", "", "")
	celia := create("Celia", last, "celia."+other+"@example.com", "", "")
	create("Dora", "Other", "dora."+other+"@example.com", "", "")
	fragment := strings.ToUpper(token[3:9])

	t.Run("table", func(t *testing.T) {
		out, err := searchCLI("--sort", "-full_name", fragment)
		if err != nil {
			t.Fatal(err)
		}
		ids, summary := tableIDs(t, out)
		if want := idsOf(celia, bruno, alma); !slices.Equal(ids, want) {
			t.Errorf("ids %v, want %v\n%s", ids, want, out)
		}
		if summary != "page 1 of 1, 3 users" {
			t.Errorf("summary %q, want %q", summary, "page 1 of 1, 3 users")
		}
		for _, col := range []string{"Celia " + last, "celia." + other + "@example.com", user.RoleMember, "true"} {
			if !strings.Contains(out, col) {
				t.Errorf("no %q in the table:\n%s", col, out)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		out, err := searchCLI("--sort", "full_name", "--page", "2", "--per-page", "2", fragment)
		if err != nil {
			t.Fatal(err)
		}
		ids, summary := tableIDs(t, out)
		if want := idsOf(celia); !slices.Equal(ids, want) || summary != "page 2 of 2, 3 users" {
			t.Errorf("ids %v and %q, want %v and %q\n%s", ids, summary, want, "page 2 of 2, 3 users", out)
		}
	})

	t.Run("json", func(t *testing.T) {
		out, err := searchCLI("--json", "--sort", "-full_name", fragment)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Items []map[string]any `json:"items"`
			Meta  map[string]int   `json:"meta"`
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if want := map[string]int{"total": 3, "page": 1, "per_page": 50, "page_count": 1}; !maps.Equal(list.Meta, want) {
			t.Errorf("meta %v, want %v", list.Meta, want)
		}
		var ids []string
		for _, it := range list.Items {
			ids = append(ids, fmt.Sprint(it["id"]))
		}
		if want := idsOf(celia, bruno, alma); !slices.Equal(ids, want) {
			t.Errorf("ids %v, want %v", ids, want)
		}
		// An item is the user as `get` prints it.
		got, err := runOut(t, ctx, table, "get", celia.Email)
		if err != nil {
			t.Fatal(err)
		}
		var single map[string]any
		if err := json.Unmarshal([]byte(got), &single); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) > 0 && !maps.Equal(single, list.Items[0]) {
			t.Errorf("item %v\nget    %v", list.Items[0], single)
		}

		out, err = searchCLI("--json", "no-such-user-"+token)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, `"items": []`) || !strings.Contains(out, `"total": 0`) {
			t.Errorf("empty list:\n%s", out)
		}
	})

	t.Run("downline", func(t *testing.T) {
		// root ─ a ─ a1
		//      └ b
		tag := randomHex(t, 8)
		root := create("Root", "Tree", "root."+tag+"@example.com", "+12025550143", "")
		a := create("Anna", "Tree", "a."+tag+"@example.com", "", root.ID)
		b := create("Ben", "Tree", "b."+tag+"@example.com", "", root.ID)
		a1 := create("Anna", "Leaf"+tag, "a1."+tag+"@example.com", "", a.ID)
		for _, c := range []struct {
			args []string
			want []string
		}{
			{[]string{"--downline-of", root.Email, "--sort", "email"}, idsOf(a, a1, b)},
			{[]string{"--downline-of", "+12025550143", "--sort", "-email"}, idsOf(b, a1, a)}, // by phone
			{[]string{"--downline-of", a.ID}, idsOf(a1)},
			{[]string{"--downline-of", b.Email}, nil},
			{[]string{"--downline-of", root.ID, "--sort", "email", "ANNA"}, idsOf(a, a1)},
			{[]string{"--downline-of", root.ID, "LEAF" + strings.ToUpper(tag)}, idsOf(a1)},
		} {
			out, err := searchCLI(c.args...)
			if err != nil {
				t.Errorf("search %s: %v", strings.Join(c.args, " "), err)
				continue
			}
			ids, summary := tableIDs(t, out)
			if !slices.Equal(ids, c.want) {
				t.Errorf("search %s: %v, want %v\n%s", strings.Join(c.args, " "), ids, c.want, out)
			}
			if len(c.want) == 0 && summary != "no users" {
				t.Errorf("search %s: %q, want %q", strings.Join(c.args, " "), summary, "no users")
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want []string // in the message
		}{
			{[]string{"--sort", "name", "x"}, []string{`--sort "name"`, apperr.FieldInvalidChoice, "full_name"}},
			{[]string{"--sort", "id,-id"}, []string{`--sort "id,-id"`, apperr.FieldInvalidChoice}},
			{[]string{strings.Repeat("q", user.MaxQueryLen+1)}, []string{"Q", apperr.FieldTooLong, fmt.Sprint(user.MaxQueryLen)}},
			{[]string{"--downline-of", "nobody-" + token + "@example.com"}, []string{"--downline-of", "no user"}},
			{[]string{"--page", "0"}, []string{"--page"}},
			{[]string{"--per-page", "101"}, []string{"--per-page", "100"}},
			{[]string{"a", "b"}, []string{"at most one Q"}},
		} {
			out, err := searchCLI(c.args...)
			if err == nil {
				t.Errorf("search %.40s: no error\n%s", strings.Join(c.args, " "), out)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("search %.40s: %q, want %q in it", strings.Join(c.args, " "), err, w)
				}
			}
		}
		// A validation error stays the service's.
		_, err := searchCLI("--sort", "name")
		if e, ok := apperr.As(err); !ok || e.Code != apperr.ValidationFailed || !errors.Is(err, e) {
			t.Errorf("bad --sort: %v is not the service's validation error", err)
		}
	})
}
