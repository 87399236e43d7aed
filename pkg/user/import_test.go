package user_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/user"
)

// An imported account signs in with its old password; a bcrypt hash is kept as given.
func TestImportUser(t *testing.T) {
	svc, st, c := newService(t)
	ctx := context.Background()
	hash, err := bcrypt.GenerateFromPassword([]byte(goodPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := auth.NewID()
	rec := user.ImportRecord{ID: id, Email: "Old@Example.com", PasswordHash: string(hash), FirstName: "Old",
		Phone: "+14155550123", EmailVerified: true, CreatedAt: c.t.AddDate(-1, 0, 0)}
	if err := svc.ImportUser(ctx, rec); err != nil {
		t.Fatal(err)
	}
	u, err := svc.GetUser(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "old@example.com" || u.Role != user.RoleMember || !u.EmailVerified || u.Language != "en" || !u.CreatedAt.Equal(rec.CreatedAt) || u.FirstName != "Old" {
		t.Errorf("imported %+v", u)
	}
	if len(st.Outbox) != 0 {
		t.Errorf("an import sent %d mails, want none", len(st.Outbox))
	}
	if _, err := svc.Login(ctx, user.LoginInput{Login: "old@example.com", Password: goodPassword}); err != nil {
		t.Errorf("sign-in with the imported password: %v", err)
	}
	// Re-running the same line finds it there.
	if err := svc.ImportUser(ctx, rec); !errors.Is(err, user.ErrAlreadyImported) {
		t.Errorf("the same record again: %v, want ErrAlreadyImported", err)
	}
	// Another record with a taken email or phone never overwrites.
	other := rec
	other.ID = ""
	if err := svc.ImportUser(ctx, other); !errors.Is(err, user.ErrEmailTaken) {
		t.Errorf("a taken email: %v, want email_taken", err)
	}
	other.Email = "new@example.com"
	if err := svc.ImportUser(ctx, other); !errors.Is(err, user.ErrPhoneTaken) {
		t.Errorf("a taken phone: %v, want phone_taken", err)
	}
	// A record without an id gets one; the same record again (same hash) is found.
	argon, err := fastHasher.Hash("another-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	noID := user.ImportRecord{Email: "noid@example.com", PasswordHash: argon, Role: user.RoleAdmin}
	if err := svc.ImportUser(ctx, noID); err != nil {
		t.Fatal(err)
	}
	if err := svc.ImportUser(ctx, noID); !errors.Is(err, user.ErrAlreadyImported) {
		t.Errorf("the same id-less record again: %v, want ErrAlreadyImported", err)
	}
}

func TestImportUserRejects(t *testing.T) {
	svc, _, c := newService(t)
	for _, tt := range []struct {
		name  string
		rec   user.ImportRecord
		field string
	}{
		{"no hash", user.ImportRecord{Email: "a@example.com"}, "password_hash"},
		{"not a hash", user.ImportRecord{Email: "a@example.com", PasswordHash: "plain"}, "password_hash"},
		{"bad email", user.ImportRecord{Email: "nope", PasswordHash: "plain"}, "email"},
		{"bad role", user.ImportRecord{Email: "a@example.com", PasswordHash: "plain", Role: "king"}, "role"},
		{"created in the future", user.ImportRecord{Email: "a@example.com", PasswordHash: "plain", CreatedAt: c.t.AddDate(1, 0, 0)}, "created_at"},
		{"bad language", user.ImportRecord{Email: "a@example.com", PasswordHash: "plain", Language: "xx"}, "language"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := svc.ImportUser(context.Background(), tt.rec)
			if _, ok := fieldCodes(err)[tt.field]; !ok {
				t.Errorf("got %v, want a problem with %s", err, tt.field)
			}
		})
	}
}
