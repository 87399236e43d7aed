package localstack

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// tableProperties are the AWS::DynamoDB::Table properties applied locally.
// The others are left out on purpose: DynamoDB Local has no point-in-time
// recovery, tags or backups (UnknownOperationException), and encryption,
// table class, Kinesis streaming and contributor insights mean nothing on
// one machine.
var tableProperties = map[string]bool{
	"TableName": true, "AttributeDefinitions": true, "KeySchema": true,
	"GlobalSecondaryIndexes": true, "LocalSecondaryIndexes": true,
	"BillingMode": true, "ProvisionedThroughput": true,
	"StreamSpecification": true, "TimeToLiveSpecification": true,
	"DeletionProtectionEnabled": true,
}

// tableSpec is a table as the template declares it.
type tableSpec struct {
	create *dynamodb.CreateTableInput
	ttl    *types.TimeToLiveSpecification
}

// tableSpecFrom reads the template's table properties (already resolved).
func tableSpecFrom(name string, p map[string]any) (*tableSpec, error) {
	in := &dynamodb.CreateTableInput{TableName: aws.String(name)}
	var err error
	if in.AttributeDefinitions, err = attributeDefinitions(p["AttributeDefinitions"]); err != nil {
		return nil, err
	}
	if in.KeySchema, err = keySchema(p["KeySchema"]); err != nil {
		return nil, err
	}
	in.BillingMode = types.BillingMode(str(p["BillingMode"]))
	if in.BillingMode == "" {
		in.BillingMode = types.BillingModeProvisioned // CloudFormation's default
	}
	if in.ProvisionedThroughput, err = throughput(p["ProvisionedThroughput"]); err != nil {
		return nil, err
	}
	if in.BillingMode == types.BillingModeProvisioned && in.ProvisionedThroughput == nil {
		return nil, errors.New("BillingMode PROVISIONED needs ProvisionedThroughput")
	}
	for _, g := range list(p["GlobalSecondaryIndexes"]) {
		gm := dict(g)
		ks, err := keySchema(gm["KeySchema"])
		if err != nil {
			return nil, fmt.Errorf("GlobalSecondaryIndexes: %w", err)
		}
		tp, err := throughput(gm["ProvisionedThroughput"])
		if err != nil {
			return nil, fmt.Errorf("GlobalSecondaryIndexes: %w", err)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(str(gm["IndexName"])), KeySchema: ks,
			Projection: projection(gm["Projection"]), ProvisionedThroughput: tp,
		})
	}
	for _, l := range list(p["LocalSecondaryIndexes"]) {
		lm := dict(l)
		ks, err := keySchema(lm["KeySchema"])
		if err != nil {
			return nil, fmt.Errorf("LocalSecondaryIndexes: %w", err)
		}
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(str(lm["IndexName"])), KeySchema: ks, Projection: projection(lm["Projection"]),
		})
	}
	if ss := dict(p["StreamSpecification"]); ss != nil {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(str(ss["StreamViewType"]))}
	}
	if v, ok := p["DeletionProtectionEnabled"]; ok {
		in.DeletionProtectionEnabled = aws.Bool(truthy(v))
	}
	spec := &tableSpec{create: in}
	if t := dict(p["TimeToLiveSpecification"]); t != nil && truthy(t["Enabled"]) {
		spec.ttl = &types.TimeToLiveSpecification{AttributeName: aws.String(str(t["AttributeName"])), Enabled: aws.Bool(true)}
	}
	return spec, nil
}

// resolveTableProperties resolves the properties the local table uses, so
// that an intrinsic in a skipped one (a KMS key in SSESpecification) does
// not matter. It returns the names of the skipped ones.
func resolveTableProperties(res samtemplate.Resolver, props map[string]any) (map[string]any, []string, error) {
	out := map[string]any{}
	var skipped []string
	for k, v := range props {
		if !tableProperties[k] {
			skipped = append(skipped, k)
			continue
		}
		r, err := res.Resolve(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", k, err)
		}
		if r != samtemplate.NoValue {
			out[k] = r
		}
	}
	sort.Strings(skipped)
	return out, skipped, nil
}

// ensureTable creates the table unless it exists, turns on its TTL, and
// returns its stream ARN ("" without a stream) and whether it existed.
func ensureTable(ctx context.Context, db *dynamodb.Client, spec *tableSpec) (streamARN string, existed bool, err error) {
	name := aws.ToString(spec.create.TableName)
	if _, err := db.CreateTable(ctx, spec.create); err != nil {
		var inUse *types.ResourceInUseException
		if !errors.As(err, &inUse) {
			return "", false, fmt.Errorf("create table %s: %w", name, err)
		}
		existed = true
	}
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, dynamoStartTimeout); err != nil {
		return "", existed, fmt.Errorf("table %s: %w", name, err)
	}
	if spec.ttl != nil {
		if err := ensureTTL(ctx, db, name, spec.ttl); err != nil {
			return "", existed, err
		}
	}
	if existed && spec.create.StreamSpecification != nil {
		if err := ensureStream(ctx, db, name, spec.create.StreamSpecification.StreamViewType); err != nil {
			return "", existed, err
		}
	}
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return "", existed, fmt.Errorf("describe table %s: %w", name, err)
	}
	return aws.ToString(out.Table.LatestStreamArn), existed, nil
}

// ensureStream gives a table kept from an earlier run the stream the template declares: a
// stream of another view type is turned off and on again with the template's (a new
// stream; the consumers start at its end, see startStreams).
func ensureStream(ctx context.Context, db *dynamodb.Client, name string, view types.StreamViewType) error {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return fmt.Errorf("describe table %s: %w", name, err)
	}
	cur := out.Table.StreamSpecification
	on := cur != nil && aws.ToBool(cur.StreamEnabled)
	if on && cur.StreamViewType == view {
		return nil
	}
	steps := []*types.StreamSpecification{{StreamEnabled: aws.Bool(true), StreamViewType: view}}
	if on {
		steps = append([]*types.StreamSpecification{{StreamEnabled: aws.Bool(false)}}, steps...)
	}
	for _, st := range steps {
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: &name, StreamSpecification: st}); err != nil {
			return fmt.Errorf("stream of table %s: %w", name, err)
		}
		if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, dynamoStartTimeout); err != nil {
			return fmt.Errorf("table %s: %w", name, err)
		}
	}
	return nil
}

func ensureTTL(ctx context.Context, db *dynamodb.Client, name string, ttl *types.TimeToLiveSpecification) error {
	cur, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
	if err == nil && cur.TimeToLiveDescription != nil &&
		cur.TimeToLiveDescription.TimeToLiveStatus == types.TimeToLiveStatusEnabled &&
		aws.ToString(cur.TimeToLiveDescription.AttributeName) == aws.ToString(ttl.AttributeName) {
		return nil
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name, TimeToLiveSpecification: ttl}); err != nil {
		return fmt.Errorf("time to live on %s: %w", name, err)
	}
	return nil
}

// tableDrift describes how a table kept from an earlier run differs from
// the template's (indexes, stream), "" when it does not.
func tableDrift(ctx context.Context, db *dynamodb.Client, spec *tableSpec) string {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: spec.create.TableName})
	if err != nil {
		return ""
	}
	have := map[string]bool{}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		have[aws.ToString(g.IndexName)] = true
	}
	var diffs []string
	for _, g := range spec.create.GlobalSecondaryIndexes {
		if !have[aws.ToString(g.IndexName)] {
			diffs = append(diffs, "index "+aws.ToString(g.IndexName)+" is missing")
		}
		delete(have, aws.ToString(g.IndexName))
	}
	for n := range have {
		diffs = append(diffs, "index "+n+" is not in the template")
	}
	if spec.create.StreamSpecification != nil && out.Table.LatestStreamArn == nil {
		diffs = append(diffs, "it has no stream")
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

func attributeDefinitions(v any) ([]types.AttributeDefinition, error) {
	var out []types.AttributeDefinition
	for _, a := range list(v) {
		m := dict(a)
		out = append(out, types.AttributeDefinition{AttributeName: aws.String(str(m["AttributeName"])), AttributeType: types.ScalarAttributeType(str(m["AttributeType"]))})
	}
	if len(out) == 0 {
		return nil, errors.New("no AttributeDefinitions")
	}
	return out, nil
}

func keySchema(v any) ([]types.KeySchemaElement, error) {
	var out []types.KeySchemaElement
	for _, k := range list(v) {
		m := dict(k)
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(str(m["AttributeName"])), KeyType: types.KeyType(str(m["KeyType"]))})
	}
	if len(out) == 0 {
		return nil, errors.New("no KeySchema")
	}
	return out, nil
}

func projection(v any) *types.Projection {
	m := dict(v)
	p := &types.Projection{ProjectionType: types.ProjectionType(str(m["ProjectionType"]))}
	if p.ProjectionType == "" {
		p.ProjectionType = types.ProjectionTypeKeysOnly // CloudFormation's default
	}
	for _, a := range list(m["NonKeyAttributes"]) {
		p.NonKeyAttributes = append(p.NonKeyAttributes, str(a))
	}
	return p
}

func throughput(v any) (*types.ProvisionedThroughput, error) {
	m := dict(v)
	if m == nil {
		return nil, nil
	}
	r, err1 := strconv.ParseInt(str(m["ReadCapacityUnits"]), 10, 64)
	w, err2 := strconv.ParseInt(str(m["WriteCapacityUnits"]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("ProvisionedThroughput: %w", err)
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: &r, WriteCapacityUnits: &w}, nil
}

func dict(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// str formats a scalar property; YAML may have made a number of "5".
func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func truthy(v any) bool {
	b, err := strconv.ParseBool(str(v))
	return err == nil && b
}
