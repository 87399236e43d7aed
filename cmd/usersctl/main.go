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
`

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
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
	svc, err := service(ctx, *local, *table)
	if err != nil {
		return err
	}
	switch cmd, rest := global.Arg(0), global.Args()[1:]; cmd {
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
	var db *dynamodb.Client
	if local {
		if table == "" {
			table = samtemplate.LocalStackName + "-Table"
		}
		port := os.Getenv("DYNAMODB_PORT")
		if port == "" {
			port = "8000"
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		if err != nil {
			return nil, err
		}
		db = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &[]string{"http://127.0.0.1:" + port}[0] })
	} else {
		if table == "" {
			return nil, errors.New("no table: pass --table or set TABLE_NAME (the stack's TableName output)")
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("AWS configuration: %w", err)
		}
		db = dynamodb.NewFromConfig(cfg)
	}
	return app.Service(config.Defaults(table), store.New(db, table), time.Now), nil
}
