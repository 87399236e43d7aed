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

// Posting items follow the user from the stream, a change at a time or many at once: the
// test lists the table's items for the user after the index catches up.
func TestIndexItemsFollowTheUser(t *testing.T) {
	st, table := newNamedTable(t)
	catchUp := indexer(t, st, table)
	ctx := context.Background()
	now := time.Now().UTC()
	id, _ := auth.NewID()
	u := &user.User{ID: id, Email: "first.person@example.com", FirstName: "Ada", LastName: "Byron",
		Role: user.RoleMember, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1, PasswordHash: "x"}
	created := &user.Event{ID: id, UserID: id, Type: user.EventAccountCreated, At: now, IP: "192.0.2.1", UserAgent: "test"}
	if err := st.Apply(ctx, &user.Tx{Now: now, Create: u, Created: created}); err != nil {
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
	// The transaction wrote no posting and no event: the stream writes them.
	check("created, not indexed yet", nil, "USER#"+id+" PROFILE", "EMAIL#first.person@example.com LOCK")
	catchUp(t)
	check("created", u, "USER#"+id+" PROFILE", "USER#"+id+" EVENT#"+id, "EMAIL#first.person@example.com LOCK")
	evs, err := st.Events(ctx, id)
	if err != nil || len(evs) != 1 || evs[0].Type != user.EventAccountCreated || evs[0].IP != "192.0.2.1" || !evs[0].At.Equal(now) {
		t.Errorf("events after the stream: %+v, %v; want the account_created event the user carried", evs, err)
	}

	renamed := *u
	renamed.LastName, renamed.Version = "Lovelace", 2
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &renamed, Prev: u}}); err != nil {
		t.Fatal(err)
	}
	catchUp(t)
	check("name changed", &renamed, "USER#"+id+" PROFILE", "USER#"+id+" EVENT#"+id, "EMAIL#first.person@example.com LOCK")

	moved := renamed
	moved.Email, moved.Version = "countess@example.org", 3
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &moved, Prev: &renamed}}); err != nil {
		t.Fatal(err)
	}
	catchUp(t)
	check("email changed", &moved, "USER#"+id+" PROFILE", "USER#"+id+" EVENT#"+id, "EMAIL#countess@example.org LOCK")

	if err := st.Apply(ctx, &user.Tx{Now: now, Remove: &moved}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteUserItems(ctx, id); err != nil {
		t.Fatal(err)
	}
	catchUp(t)
	check("deleted", nil)
}

// A user created, renamed and deleted before the stream consumer reads any of it leaves
// nothing behind: no posting, and no creation event written after the user's clean-up.
func TestRenamedAndDeletedBeforeTheStreamCatchesUp(t *testing.T) {
	st, table := newNamedTable(t)
	catchUp := indexer(t, st, table)
	ctx := context.Background()
	now := time.Now().UTC()
	id, _ := auth.NewID()
	u := &user.User{ID: id, Email: "short.lived@example.com", FirstName: "Brief", LastName: "Visit",
		Role: user.RoleMember, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1, PasswordHash: "x"}
	if err := st.Apply(ctx, &user.Tx{Now: now, Create: u, Created: &user.Event{ID: id, UserID: id, Type: user.EventAccountCreated, At: now}}); err != nil {
		t.Fatal(err)
	}
	next := *u
	next.LastName, next.Email, next.Version = "Stay", "renamed.twice@example.com", 2
	if err := st.Apply(ctx, &user.Tx{Save: &user.Save{Next: &next, Prev: u}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, &user.Tx{Now: now, Remove: &next}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteUserItems(ctx, id); err != nil {
		t.Fatal(err)
	}
	catchUp(t)
	if keys, tris := itemsOf(t, table, id); len(keys) != 0 || len(tris) != 0 {
		t.Errorf("after the stream: items %v, postings %v; want none", keys, tris)
	}
}
