// Command usersctl administers the accounts of a deployed stack (through the AWS
// configuration of the shell) or of the local stack (--local).
//
//	usersctl [--local] [--table NAME] COMMAND …   (usersctl -h lists the commands)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
)

const usage = `usersctl administers user accounts.

usage: usersctl [--local] [--table NAME] COMMAND [flags]

  --local        use the local stack (make local): DynamoDB on 127.0.0.1:$DYNAMODB_PORT (8000)
  --table NAME   the table (default $TABLE_NAME; with --local, the local stack's table)

commands:
  create-admin --email EMAIL [--password-stdin]
                 make sure an active admin with this email exists; a new account's
                 password is read from the terminal without echo, or from stdin
  get USER       print a user (USER: an id, an email or a phone)
  search [--sort KEYS] [--downline-of USER] [--page N] [--per-page K] [--json] [Q]
                 list users as GET /v1/users does: Q matches part of the email or full
                 name (any case) or a whole id; KEYS: id, email, full_name, created_at,
                 each with an optional "-" (descending), comma-joined (default id);
                 --downline-of keeps USER's descendants in the sponsor tree; K at most
                 100 (default 50); a table and a page line, or --json the API's list
  disable USER   disable an account and end its sessions (never the last admin)
  enable USER    enable it again
  delete [--with-data] USER
                 delete an account; --with-data also what it owns
  set-password [--password-stdin] USER
                 set a password (read without echo, or from stdin); ends every session
  import [--workers N] [--state FILE] FILE.jsonl
                 import users with their password hashes (argon2id, or bcrypt, which
                 becomes argon2id at the next sign-in), one JSON object a line:
                 {"id"?, "email", "phone"?, "password_hash", "first_name"?, "last_name"?,
                 "role"?, "email_verified"?, "created_at"?, "language"?}; N writers
                 (default 8); duplicates and invalid lines are reported, never written
                 over; resumable: the state file (default FILE.jsonl.state) records the
                 lines done, and a run after an interruption goes on from there
  keys list [--json]
                 the access token signing keys: kid, state (next, current, retired,
                 unpublished), when each signs from and until, and until when it is
                 published in /.well-known/jwks.json
  keys rotate [--delay 2h] [--force]
                 publish a new signing key now that signs from now+delay (default 2h:
                 API Gateway caches a key set that long); the current key stops signing
                 then and stays published until its last token has expired; refused
                 while a rotation is pending, or for a delay under 20m, unless --force
                 (which withdraws the pending key). Needs kms:Decrypt on the stack's
                 key (the SecretsKeyArn output); with --local, local-kms on
                 127.0.0.1:$KMS_PORT (8006)
  mail redrive [--queue URL] [--max N] [--drop-unreadable]
                 send again the mail the mailer gave up on: for each batch in the
                 failure queue (URL: the MailFailureQueueUrl output, default
                 $MAIL_FAILURE_QUEUE_URL), read its records from the table's stream
                 (kept 24 hours) and put each outbox item still waiting back on the
                 stream, then delete the message; mail sent meanwhile or past its
                 expiry is left; a batch gone from the stream stays in the queue
                 unless --drop-unreadable. Needs sqs:ReceiveMessage and DeleteMessage
                 on the queue, dynamodb:GetShardIterator and GetRecords on the stream
  help, -h       this text
`

func main() {
	err := run(context.Background(), os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return // asked for the usage, which is printed: not a failure
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "usersctl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("usersctl", flag.ContinueOnError)
	global.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	local := global.Bool("local", false, "use the local stack")
	table := global.String("table", os.Getenv("TABLE_NAME"), "table name")
	if err := global.Parse(args); err != nil {
		return err
	}
	if global.NArg() == 0 {
		global.Usage()
		return errors.New("no command")
	}
	cmd, rest := global.Arg(0), global.Args()[1:]
	switch cmd {
	case "help":
		global.Usage()
		return nil
	case "mail":
		return mailCmd(ctx, *local, *table, rest, os.Stdout)
	}
	if cmd == "keys" {
		ring, err := keyRing(ctx, *local, *table)
		if err != nil {
			return err
		}
		return keysCmd(ctx, ring, rest, os.Stdout)
	}
	svc, err := service(ctx, *local, *table)
	if err != nil {
		return err
	}
	switch cmd {
	case "create-admin":
		return createAdmin(ctx, svc, rest)
	case "get":
		return getCmd(ctx, svc, rest)
	case "search":
		return searchCmd(ctx, svc, rest)
	case "disable":
		return setActive(false)(ctx, svc, rest)
	case "enable":
		return setActive(true)(ctx, svc, rest)
	case "delete":
		return deleteCmd(ctx, svc, rest)
	case "set-password":
		return setPasswordCmd(ctx, svc, rest)
	case "import":
		return importCmd(ctx, svc, rest)
	default:
		global.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// service builds the account service on the chosen table, with the production password
// hashing parameters.
func service(ctx context.Context, local bool, table string) (*user.Service, error) {
	st, _, err := tableStore(ctx, local, table)
	if err != nil {
		return nil, err
	}
	return app.Service(config.Defaults(st.table), st.Store, time.Now), nil
}

// namedStore is the store of a table, with its name.
type namedStore struct {
	*store.Store
	table string
}

// tableStore reaches the chosen table: the local stack's DynamoDB Local, or the one the
// AWS configuration of the shell points at. It also returns that configuration, for the
// other clients a command needs.
func tableStore(ctx context.Context, local bool, table string) (*namedStore, aws.Config, error) {
	if local {
		if table == "" {
			table = samtemplate.LocalStackName + "-Table"
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		if err != nil {
			return nil, cfg, err
		}
		endpoint := localEndpoint("DYNAMODB_PORT", "8000")
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &endpoint })
		return &namedStore{store.New(db, table), table}, cfg, nil
	}
	if table == "" {
		return nil, aws.Config{}, errors.New("no table: pass --table or set TABLE_NAME (the stack's TableName output)")
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, cfg, fmt.Errorf("AWS configuration: %w", err)
	}
	return &namedStore{store.New(dynamodb.NewFromConfig(cfg), table), table}, cfg, nil
}

// localEndpoint is the local stack's endpoint on the port in the named variable.
func localEndpoint(portVar, def string) string {
	port := os.Getenv(portVar)
	if port == "" {
		port = def
	}
	return "http://127.0.0.1:" + port
}
