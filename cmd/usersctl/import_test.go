package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/crypto/bcrypt"

	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
	"github.com/userbase/userbase/pkg/userstream/streamtest"
)

// importTables starts DynamoDB Local (as TestCommandsAgainstDynamoDBLocal does), creates
// the named tables and points the AWS configuration at it. It returns a client of it.
func importTables(t *testing.T, ctx context.Context, tables ...string) *dynamodb.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("starts DynamoDB Local (Java)")
	}
	root, _ := filepath.Abs("../..")
	if err := localstack.CheckPrerequisites(root); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	proc, endpoint, err := localstack.StartDynamoDB(ctx, localstack.DynamoOptions{InMemory: true, Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proc.Stop() })
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if err := localstack.CreateTable(ctx, db, tpl, "Table", table); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		t.Setenv(k, v)
	}
	return db
}

// indexer returns what brings the search index of table up to date with its writes, as the
// user-stream function does on a stack: its handler over the table's stream records.
func indexer(t *testing.T, ctx context.Context, db *dynamodb.Client, table string) func() {
	t.Helper()
	root, _ := filepath.Abs("../..")
	x, err := streamtest.New(ctx, db, filepath.Join(root, "template.yaml"), table, store.New(db, table))
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

type testUser struct {
	line     map[string]any
	email    string
	password string
	hash     string
	bcrypt   bool
}

// makeUsers makes n users to import: even ones with a cheap argon2id hash, odd ones with
// bcrypt at its lowest cost; some with ids, phones, names and roles.
func makeUsers(t *testing.T, n int) []testUser {
	t.Helper()
	cheap := auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	out := make([]testUser, n)
	for i := range out {
		u := testUser{email: fmt.Sprintf("user%04d@example.com", i), password: fmt.Sprintf("pass-%04d-word", i), bcrypt: i%2 == 1}
		if u.bcrypt {
			b, err := bcrypt.GenerateFromPassword([]byte(u.password), bcrypt.MinCost)
			if err != nil {
				t.Fatal(err)
			}
			u.hash = string(b)
		} else {
			h, err := cheap.Hash(u.password)
			if err != nil {
				t.Fatal(err)
			}
			u.hash = h
		}
		u.line = map[string]any{"email": strings.ToUpper(u.email[:1]) + u.email[1:], "password_hash": u.hash}
		if i%3 == 0 {
			id, err := auth.NewID()
			if err != nil {
				t.Fatal(err)
			}
			u.line["id"] = id
		}
		if i < 100 {
			u.line["phone"] = fmt.Sprintf("+141555501%02d", i)
		}
		if i%5 == 0 {
			u.line["first_name"], u.line["last_name"], u.line["language"] = "Ada", fmt.Sprint("Number ", i), "fr"
			u.line["email_verified"], u.line["created_at"] = true, "2019-05-06T07:08:09Z"
		}
		if i == 7 {
			u.line["role"] = "admin"
		}
		out[i] = u
	}
	return out
}

func writeLines(t *testing.T, path string, lines ...any) {
	t.Helper()
	var b bytes.Buffer
	for _, l := range lines {
		if s, ok := l.(string); ok {
			b.WriteString(s + "\n")
			continue
		}
		j, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(j, '\n'))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// runImport runs the import of file on table as `usersctl --table T import --state S FILE`
// would, with its output captured; stop ends the reading as Ctrl-C does.
func runImport(t *testing.T, ctx, stop context.Context, table, file, state string) (*importer, string, error) {
	t.Helper()
	svc, err := service(ctx, false, table)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	im := &importer{svc: svc, file: file, statePath: state, out: &out, errOut: &errOut}
	err = im.run(ctx, stop, 8)
	t.Logf("%s", out.String())
	return im, errOut.String(), err
}

func linesDone(t *testing.T, state string) int {
	t.Helper()
	n, err := readState(state)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	db := importTables(t, ctx, "import-test")
	// 300 users: enough for 8 writers to race and a resume to cross the middle, few enough
	// for DynamoDB Local on a busy two-CPU machine.
	const n = 300
	users := makeUsers(t, n)
	dir := t.TempDir()

	t.Run("300 users, then login with a bcrypt hash", func(t *testing.T) {
		file := filepath.Join(dir, "users.jsonl")
		lines := make([]any, 0, len(users)+3)
		for _, u := range users {
			lines = append(lines, u.line)
		}
		dup, err := bcrypt.GenerateFromPassword([]byte("someone-else"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines,
			map[string]any{"email": users[0].email, "password_hash": string(dup), "first_name": "Impostor"}, // line n+1
			map[string]any{"email": "not-an-email", "password_hash": users[2].hash},                         // line n+2
			"", // blank: nothing to do
			map[string]any{"email": "plain@example.com", "password_hash": "hunter2"}, // line n+4
			`{"email": "x@example.com", "password_hash": `,                           // line n+5
		)
		writeLines(t, file, lines...)
		state := file + ".state"
		im, stderr, err := runImport(t, ctx, ctx, "import-test", file, state)
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]int64{im.imported.Load(), im.duplicates.Load(), im.invalid.Load()}; got != [3]int64{n, 1, 3} {
			t.Errorf("imported, duplicates, invalid = %v, want [%d 1 3]\n%s", got, n, stderr)
		}
		t.Logf("import rate: %.0f users/s", im.rate())
		for _, want := range []string{fmt.Sprintf("line %d: duplicate: email user0000@example.com is taken", n+1), fmt.Sprintf("line %d: invalid: email: invalid_email", n+2),
			fmt.Sprintf("line %d: invalid: password_hash: invalid_format", n+4), fmt.Sprintf("line %d: invalid: not a JSON object", n+5)} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if done := linesDone(t, state); done != n+5 {
			t.Errorf("state: %d lines done, want %d", done, n+5)
		}

		svc, err := service(ctx, false, "import-test")
		if err != nil {
			t.Fatal(err)
		}
		// The duplicate wrote nothing over the original.
		orig, err := svc.UserByLogin(ctx, users[0].email)
		if err != nil {
			t.Fatal(err)
		}
		if orig.PasswordHash != users[0].hash || orig.FirstName != "Ada" || orig.Phone != "+14155550100" || orig.ID != users[0].line["id"] ||
			!orig.EmailVerified || orig.Language != "fr" || !orig.CreatedAt.Equal(time.Date(2019, 5, 6, 7, 8, 9, 0, time.UTC)) {
			t.Errorf("user 0 after the import: %+v", orig)
		}
		if admin, err := svc.UserByLogin(ctx, users[7].email); err != nil || admin.Role != user.RoleAdmin || admin.EmailVerified {
			t.Errorf("user 7: %+v, %v; want an admin with an unverified email", admin, err)
		}

		// The import wrote no posting: once the stream is indexed, search finds the users.
		st := store.New(db, "import-test")
		find := func(q string) int {
			t.Helper()
			res, err := st.SearchUsers(ctx, &user.SearchQuery{Text: user.NormalizeQuery(q), Sort: []user.SortKey{{Field: user.SortID}}, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		if got := find("user0042@"); got != 0 {
			t.Errorf("before the stream is indexed, q=user0042@ finds %d users, want 0 (the import wrote postings?)", got)
		}
		indexer(t, ctx, db, "import-test")()
		for q, want := range map[string]int{"user0042@": 1, "user02": 100, "number 115": 1, "ada number": n / 5} {
			if got := find(q); got != want {
				t.Errorf("after the stream is indexed, q=%s finds %d users, want %d", q, got, want)
			}
		}

		// A bcrypt user signs in with its old password, and its hash becomes argon2id.
		b := users[1]
		if _, err := svc.Login(ctx, user.LoginInput{Login: b.email, Password: b.password, Client: user.Client{IP: "192.0.2.1"}}); err != nil {
			t.Fatalf("login with an imported bcrypt hash: %v", err)
		}
		after, err := svc.UserByLogin(ctx, b.email)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(after.PasswordHash, "$argon2id$") {
			t.Errorf("hash after login %q, want argon2id", after.PasswordHash)
		}
		if _, err := svc.Login(ctx, user.LoginInput{Login: b.email, Password: b.password, Client: user.Client{IP: "192.0.2.1"}}); err != nil {
			t.Errorf("second login, on the upgraded hash: %v", err)
		}
		if _, err := svc.Login(ctx, user.LoginInput{Login: users[3].email, Password: "wrong-password", Client: user.Client{IP: "192.0.2.2"}}); !errors.Is(err, user.ErrInvalidCredentials) {
			t.Errorf("wrong password on a bcrypt hash: %v, want invalid credentials", err)
		}
		if _, err := svc.Login(ctx, user.LoginInput{Login: users[0].email, Password: users[0].password, Client: user.Client{IP: "192.0.2.1"}}); err != nil {
			t.Errorf("login with an imported argon2id hash: %v", err)
		}

		// Run again through the command line: the state file says every line is done.
		if err := run(ctx, []string{"--table", "import-test", "import", "--state", state, file}); err != nil {
			t.Errorf("second run: %v", err)
		}
		// Without the state, the lines written before are recognised as imported (the
		// same id, or the same hash), not reported as duplicates — what a run after a
		// crash finds — while the other account with user 0's email still is one.
		short := filepath.Join(dir, "short.jsonl")
		writeLines(t, short, lines[10:20]...) // (no sign-in has changed their hashes)
		writeLines(t, short+".state", "0")
		im, stderr, err = runImport(t, ctx, ctx, "import-test", short, short+".state")
		if err != nil {
			t.Fatal(err)
		}
		if im.present.Load() != 10 || im.imported.Load() != 0 || im.duplicates.Load() != 0 {
			t.Errorf("re-run: %d present, %d imported, %d duplicates; want 10, 0, 0\n%s", im.present.Load(), im.imported.Load(), im.duplicates.Load(), stderr)
		}
	})

	// Each run below has a DynamoDB Local of its own: DynamoDB Local slows its transactions
	// several-fold in a second table of the same process once the first holds many items.
	t.Run("resume", func(t *testing.T) {
		importTables(t, ctx, "resume-test")
		file := filepath.Join(dir, "resume.jsonl")
		lines := make([]any, 0, len(users))
		for _, u := range users {
			lines = append(lines, u.line)
		}
		writeLines(t, file, lines...)
		state := filepath.Join(dir, "resume.state")
		writeLines(t, state, importState{File: file, LinesDone: n / 2})
		im, stderr, err := runImport(t, ctx, ctx, "resume-test", file, state)
		if err != nil {
			t.Fatal(err)
		}
		if im.imported.Load() != n/2 || im.fromState.Load() != n/2 || im.duplicates.Load() != 0 || im.invalid.Load() != 0 {
			t.Errorf("imported %d, from state %d, duplicates %d, invalid %d; want half and half, 0 0\n%s",
				im.imported.Load(), im.fromState.Load(), im.duplicates.Load(), im.invalid.Load(), stderr)
		}
		svc, err := service(ctx, false, "resume-test")
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{0, n / 4, n/2 - 1} {
			if _, err := svc.UserByLogin(ctx, users[i].email); !errors.Is(err, user.ErrUserNotFound) {
				t.Errorf("user %d (before the resume point): %v, want not found", i, err)
			}
		}
		for _, i := range []int{n / 2, n/2 + 1, 3 * n / 4, n - 1} {
			if _, err := svc.UserByLogin(ctx, users[i].email); err != nil {
				t.Errorf("user %d: %v", i, err)
			}
		}
		if done := linesDone(t, state); done != n {
			t.Errorf("state: %d lines done, want %d", done, n)
		}
	})

	t.Run("interrupted, then resumed", func(t *testing.T) {
		importTables(t, ctx, "interrupt-test")
		file := filepath.Join(dir, "interrupt.jsonl")
		lines := make([]any, 0, n/2)
		for _, u := range users[:n/2] {
			lines = append(lines, u.line)
		}
		writeLines(t, file, lines...)
		state := file + ".state"
		stop, interrupt := context.WithCancel(ctx)
		svc, err := service(ctx, false, "interrupt-test")
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		im := &importer{svc: svc, file: file, statePath: state, out: &out, errOut: &errOut}
		go func() { // Ctrl-C after about a fifth of them
			for im.imported.Load() < n/10 {
				time.Sleep(time.Millisecond)
			}
			interrupt()
		}()
		err = im.run(ctx, stop, 8)
		interrupt()
		first := im.imported.Load()
		done := linesDone(t, state)
		t.Logf("interrupted: %v; %d imported, %d lines done", err, first, done)
		if err == nil || first >= n/2 || done < n/10 || int64(done) > first {
			t.Fatalf("interrupted run: err %v, %d imported, %d lines done", err, first, done)
		}
		im, stderr, err := runImport(t, ctx, ctx, "interrupt-test", file, state)
		if err != nil {
			t.Fatal(err)
		}
		if im.duplicates.Load() != 0 || im.imported.Load()+first != n/2 || im.fromState.Load() != int64(done) {
			t.Errorf("resumed: %d imported, %d duplicates, %d from state; first run %d imported, %d done\n%s",
				im.imported.Load(), im.duplicates.Load(), im.fromState.Load(), first, done, stderr)
		}
	})
}
