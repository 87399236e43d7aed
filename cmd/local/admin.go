package main

import (
	"context"
	"fmt"
	"time"

	"github.com/userbase/userbase/pkg/app"
	appconfig "github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/store"
)

// ensureAdmin makes sure an admin account with email and password exists in the local
// stack's table, so a fresh stack can be driven end to end. It is the admin CLI's
// create-admin (user.Service.EnsureAdmin), run on the local table.
func ensureAdmin(ctx context.Context, st *localstack.Stack, email, password string) error {
	svc := app.Service(appconfig.Defaults(st.TableName), store.New(st.DynamoDB(), st.TableName), time.Now)
	created, err := svc.EnsureAdmin(ctx, email, password)
	if err != nil {
		return fmt.Errorf("admin %s: %w", email, err)
	}
	if created {
		fmt.Printf("  admin       %s created\n", email)
	} else {
		fmt.Printf("  admin       %s exists\n", email)
	}
	return nil
}
