package localstack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// CreateTable creates, under name, the table of the template's resource logicalID, from
// that resource's own properties — for tests and tools that need the table without the
// whole stack. An existing table of that name is kept.
func CreateTable(ctx context.Context, db *dynamodb.Client, tpl *samtemplate.Template, logicalID, name string) error {
	r, ok := tpl.Resources[logicalID]
	if !ok || r.Type != samtemplate.TypeTable {
		return fmt.Errorf("template has no table %s", logicalID)
	}
	res := tpl.Resolver(LocalParameters(), nil)
	res.Refs = localRefs(tpl, res)
	props, _, err := resolveTableProperties(res, r.Properties)
	if err != nil {
		return fmt.Errorf("table %s: %w", logicalID, err)
	}
	spec, err := tableSpecFrom(name, props)
	if err != nil {
		return fmt.Errorf("table %s: %w", logicalID, err)
	}
	_, _, err = ensureTable(ctx, db, spec)
	return err
}
