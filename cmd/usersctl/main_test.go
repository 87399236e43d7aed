package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
)

// The CLI runs its commands against a table through the ordinary AWS configuration.
func TestCommandsAgainstDynamoDBLocal(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	proc, endpoint, err := localstack.StartDynamoDB(ctx, localstack.DynamoOptions{InMemory: true, Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Stop()
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := localstack.CreateTable(ctx, db, tpl, "Table", "cli-test"); err != nil {
		t.Fatal(err)
	}
	// local-kms, with the template's key made as the local stack makes it, and the key
	// ring made as the KeyRing custom resource makes it.
	kmsServer, err := localstack.StartKMS(0, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer kmsServer.Close()
	keyARN, err := kmsServer.EnsureKey(localstack.LocalKeyID("SecretsKey"), "test")
	if err != nil {
		t.Fatal(err)
	}
	kmsAPI := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(kmsServer.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if err := keys.New(keys.Options{Store: store.New(db, "cli-test"), KMS: kmsclient.NewDataKeys(kmsAPI, keyARN)}).Ensure(ctx, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_ENDPOINT_URL_KMS": kmsServer.URL(), "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		t.Setenv(k, v)
	}
	withStdin := func(s string) {
		f, err := os.CreateTemp(t.TempDir(), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(f, s)
		f.Seek(0, 0)
		old := os.Stdin
		os.Stdin = f
		t.Cleanup(func() { os.Stdin = old })
	}
	steps := []struct {
		args  []string
		stdin string
		fails bool
	}{
		{args: []string{"create-admin", "--email", "ops@example.com", "--password-stdin"}, stdin: "an-operator-passphrase"},
		{args: []string{"create-admin", "--email", "ops@example.com", "--password-stdin"}, stdin: "ignored-when-it-exists"},
		{args: []string{"create-admin", "--email", "weak@example.com", "--password-stdin"}, stdin: "password", fails: true},
		{args: []string{"get", "OPS@example.com"}},
		{args: []string{"disable", "ops@example.com"}, fails: true}, // the last admin
		{args: []string{"set-password", "--password-stdin", "ops@example.com"}, stdin: "a-new-operator-passphrase"},
		{args: []string{"get", "nobody@example.com"}, fails: true},
		{args: []string{"frobnicate"}, fails: true},
		{args: []string{"keys", "list"}},
		{args: []string{"keys", "rotate", "--delay", "5m"}, fails: true}, // under the minimum
		{args: []string{"keys", "rotate"}},
		{args: []string{"keys", "rotate"}, fails: true}, // one is pending
		{args: []string{"keys", "rotate", "--force", "--delay", "0s"}},
		{args: []string{"keys", "list", "--json"}},
		{args: []string{"keys", "spin"}, fails: true},
	}
	for _, st := range steps {
		if st.stdin != "" {
			withStdin(st.stdin)
		}
		err := run(ctx, append([]string{"--table", "cli-test"}, st.args...))
		if (err != nil) != st.fails {
			t.Errorf("usersctl %s: err %v, want failure %v", strings.Join(st.args, " "), err, st.fails)
		}
	}

	// After the rotations: the first key retired (its tokens live on), the withdrawn one
	// unpublished, the forced one signing.
	ring, err := keyRing(ctx, false, "cli-test")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := keysList(ctx, ring, nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, state := range []string{"retired", "unpublished", "current"} {
		if strings.Count(out.String(), " "+state+" ") != 1 {
			t.Errorf("keys list:\n%s\nwant one %s key", out.String(), state)
		}
	}
}
