package store_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/keys/keystest"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/store/storetest"
	"github.com/userbase/userbase/pkg/user"
	"github.com/userbase/userbase/pkg/userstream/streamtest"
)

// db is DynamoDB Local, started once for this package's tests.
var db *dynamodb.Client

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	root, _ := filepath.Abs("../..")
	flag.Parse()
	if testing.Short() {
		return m.Run() // no DynamoDB Local: the in-package tests that need no table still run
	}
	if err := localstack.CheckPrerequisites(root); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "store:", err)
			return 1
		}
		fmt.Fprintln(os.Stderr, "store: DynamoDB Local tests skipped:", err)
		return m.Run() // the in-package tests that need no table still run
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	proc, endpoint, err := localstack.StartDynamoDB(ctx, localstack.DynamoOptions{InMemory: true, Dir: root})
	if err != nil {
		fmt.Fprintln(os.Stderr, "store:", err)
		return 1
	}
	defer proc.Stop()
	// The functions' own client (its HTTP transport and read decoding), pointed at it.
	os.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	db = awsclient.DynamoDB(aws.Config{Region: "us-east-1", RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	return m.Run()
}

// newTable makes a fresh table from template.yaml's definition.
func newTable(t *testing.T) *store.Store {
	t.Helper()
	st, _ := newNamedTable(t)
	return st
}

func newNamedTable(t *testing.T) (*store.Store, string) {
	t.Helper()
	if db == nil {
		t.Skip("DynamoDB Local is not available")
	}
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("store-test-%d", time.Now().UnixNano())
	if err := localstack.CreateTable(context.Background(), db, tpl, "Table", name); err != nil {
		t.Fatal(err)
	}
	return store.New(db, name), name
}

// The DynamoDB store keeps the same contract as the in-memory fake, its search postings
// written by the user-stream function's own code from the records of the table's stream.
func TestContract(t *testing.T) {
	st, table := newNamedTable(t)
	storetest.Run(t, func(*testing.T) user.Store { return st }, indexer(t, st, table))
}

// indexer returns what catches the search index of table up with every write so far: the
// user-stream function's handler over the records of DynamoDB Local's stream
// (pkg/userstream/streamtest).
func indexer(t *testing.T, st *store.Store, table string) func(t *testing.T) {
	t.Helper()
	x, err := streamtest.New(context.Background(), db, "../../template.yaml", table, st)
	if err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T) {
		t.Helper()
		if err := x.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// The key ring keeps the same contract on DynamoDB as in memory.
func TestKeyStoreContract(t *testing.T) {
	keystest.Run(t, func(t *testing.T) keys.Store { return newTable(t) })
}
