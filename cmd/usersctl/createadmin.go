package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/userbase/userbase/pkg/user"
)

func createAdmin(ctx context.Context, svc *user.Service, args []string) error {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	email := fs.String("email", "", "the admin's email")
	stdin := fs.Bool("password-stdin", false, "read the password from stdin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("create-admin: --email is required")
	}
	password, err := readPassword(*stdin)
	if err != nil {
		return err
	}
	created, err := svc.EnsureAdmin(ctx, *email, password)
	if err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if created {
		fmt.Println("created admin", *email)
	} else {
		fmt.Println("admin", *email, "exists (password unchanged)")
	}
	return nil
}

// readPassword reads a password without echoing it when stdin is a terminal.
func readPassword(fromStdin bool) (string, error) {
	if !fromStdin && term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(os.Stderr, "Password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
