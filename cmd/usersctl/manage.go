package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/userbase/userbase/pkg/user"
)

// operator is who the CLI acts as: events it causes name "usersctl" as their author.
var operator = &user.Principal{User: &user.User{ID: "usersctl", Role: user.RoleAdmin}}

// lookup finds a user by id, email or phone.
func lookup(ctx context.Context, svc *user.Service, ref string) (*user.User, error) {
	if u, err := svc.GetUser(ctx, ref); err == nil {
		return u, nil
	}
	return svc.UserByLogin(ctx, ref)
}

func getCmd(ctx context.Context, svc *user.Service, args []string) error {
	if len(args) != 1 {
		return errors.New("get: want one id, email or phone")
	}
	u, err := lookup(ctx, svc, args[0])
	if err != nil {
		return err
	}
	out := userJSON(u)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func setActive(active bool) func(context.Context, *user.Service, []string) error {
	return func(ctx context.Context, svc *user.Service, args []string) error {
		if len(args) != 1 {
			return errors.New("want one id, email or phone")
		}
		u, err := lookup(ctx, svc, args[0])
		if err != nil {
			return err
		}
		if _, err := svc.AdminUpdate(ctx, operator, u.ID, user.Patch{Active: &active}, user.Client{}); err != nil {
			return err
		}
		fmt.Printf("%s active=%v\n", u.Email, active)
		return nil
	}
}

func deleteCmd(ctx context.Context, svc *user.Service, args []string) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	withData := fs.Bool("with-data", false, "also delete what the user owns (avatar, wishlist, events)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("delete: want one id, email or phone")
	}
	u, err := lookup(ctx, svc, fs.Arg(0))
	if err != nil {
		return err
	}
	if err := svc.DeleteUser(ctx, operator, u.ID, *withData); err != nil {
		return err
	}
	fmt.Println("deleted", u.Email)
	return nil
}

func setPasswordCmd(ctx context.Context, svc *user.Service, args []string) error {
	fs := flag.NewFlagSet("set-password", flag.ContinueOnError)
	stdin := fs.Bool("password-stdin", false, "read the password from stdin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("set-password: want one id, email or phone")
	}
	u, err := lookup(ctx, svc, fs.Arg(0))
	if err != nil {
		return err
	}
	pw, err := readPassword(*stdin)
	if err != nil {
		return err
	}
	if err := svc.SetPassword(ctx, operator, u.ID, pw, user.Client{}); err != nil {
		return err
	}
	fmt.Println("password set for", u.Email, "(every session ended)")
	return nil
}
