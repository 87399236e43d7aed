package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/user"
)

// itemsOf lists every item of the table that belongs to uid, by reading the whole table
// (a test's privilege; the store never scans): its partition, its locks, its posting items.
func itemsOf(t *testing.T, table, uid string) (keys []string, trigrams []string) {
	t.Helper()
	var start map[string]types.AttributeValue
	for {
		out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			pk := it["pk"].(*types.AttributeValueMemberS).Value
			sk := it["sk"].(*types.AttributeValueMemberS).Value
			idv, _ := it["id"].(*types.AttributeValueMemberS)
			switch {
			case strings.HasPrefix(pk, "TRI#"):
				if len(sk) == len(uid) && sk[len(sk)-10:]+sk[:len(sk)-10] == uid {
					trigrams = append(trigrams, strings.TrimPrefix(pk, "TRI#"))
				}
			case strings.Contains(pk, uid) || idv != nil && idv.Value == uid:
				keys = append(keys, pk+" "+sk)
			}
		}
		if start = out.LastEvaluatedKey; len(start) == 0 {
			break
		}
	}
	slices.Sort(keys)
	slices.Sort(trigrams)
	return keys, trigrams
}

// Index items are written and removed with the profile change that causes them: the test
// lists the table's items for the user after each change.
func TestIndexItemsFollowTheUser(t *testing.T) {
	st, table := newNamedTable(t)
	ctx := context.Background()
	now := time.Now().UTC()
	id, _ := auth.NewID()
	u := &user.User{ID: id, Email: "first.person@example.com", FirstName: "Ada", LastName: "Byron",
		Role: user.RoleMember, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1, PasswordHash: "x"}
	if err := st.Apply(ctx, &user.Tx{Now: now, Create: u}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, u *user.User, wantKeys ...string) {
		t.Helper()
		keys, tris := itemsOf(t, table, id)
		want := []string(nil)
		if u != nil {
			want = user.Trigrams(u)
			slices.Sort(want)
		}
		if !slices.Equal(tris, want) {
			t.Errorf("%s: posting items %v, want %v", when, tris, want)
		}
		slices.Sort(wantKeys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("%s: items %v, want %v", when, keys, wantKeys)
		}
	}
	check("created", u, "USER#"+id+" PROFILE", "EMAIL#first.person@example.com LOCK")

	renamed := *u
	renamed.LastName, renamed.Version = "Lovelace", 2
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &renamed, Prev: u}}); err != nil {
		t.Fatal(err)
	}
	check("name changed", &renamed, "USER#"+id+" PROFILE", "EMAIL#first.person@example.com LOCK")

	moved := renamed
	moved.Email, moved.Version = "countess@example.org", 3
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &moved, Prev: &renamed}}); err != nil {
		t.Fatal(err)
	}
	check("email changed", &moved, "USER#"+id+" PROFILE", "EMAIL#countess@example.org LOCK")

	if err := st.Apply(ctx, &user.Tx{Now: now, Remove: &moved}); err != nil {
		t.Fatal(err)
	}
	check("deleted", nil)
}

// A user whose email and name are as long as allowed still fits one transaction with its
// posting items, in a creation and in a change of both.
func TestLongestUserFitsOneTransaction(t *testing.T) {
	st := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC()
	id, _ := auth.NewID()
	long := func(c string) string { return strings.Repeat(c, 60) + "ё" + strings.Repeat("xyz", 70) }
	u := &user.User{ID: id, Email: "a" + long("b")[:60] + "@example.com", Phone: "+15555550100", FirstName: long("f"), LastName: long("l"),
		Role: user.RoleMember, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1, PasswordHash: "x"}
	// Register's other items: a session, a code, a mail, a limit, an event, a sponsor check.
	hits := make([]user.Counter, 8)
	for i := range hits {
		hits[i] = user.Counter{Key: id + string(rune('a'+i)), ExpiresAt: now.Add(time.Hour)}
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, Create: u, Hits: hits}); err != nil {
		t.Fatal(err)
	}
	next := *u
	next.FirstName, next.LastName, next.Version = "Q"+long("g"), "R"+long("h"), 2
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &next, Prev: u}}); err != nil {
		t.Fatal(err)
	}
}
