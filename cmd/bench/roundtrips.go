package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
)

// roundTripsTimeout bounds the part: DynamoDB Local's start (about 2 s, up to a minute on a
// slow machine), the table and a handful of requests.
const roundTripsTimeout = 90 * time.Second

// measureRoundTrips runs the real handlers in this process against the real DynamoDB store
// on a DynamoDB Local started here (-inMemory, a free port) with a fresh table created from
// template.yaml, and counts the store's round trips of each request.
func measureRoundTrips(ctx context.Context, root string) *section {
	s := &section{
		title:  "DynamoDB round trips per request (counted by the store, on DynamoDB Local)",
		header: []string{"request", "round trips", "budget", "result"},
	}
	ctx, cancel := context.WithTimeout(ctx, roundTripsTimeout)
	defer cancel()
	proc, endpoint, err := localstack.StartDynamoDB(ctx, localstack.DynamoOptions{InMemory: true, Dir: root})
	if err != nil {
		s.err = err
		return s
	}
	defer proc.Stop()
	db := dynamodb.NewFromConfig(aws.Config{
		Region:      samtemplate.LocalRegion,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })

	table := fmt.Sprintf("userbase-bench-%d", time.Now().UnixNano())
	skipped, err := createTable(ctx, db, filepath.Join(root, "template.yaml"), table)
	if err != nil {
		s.err = err
		return s
	}
	cfg, err := benchConfig(table)
	if err != nil {
		s.err = err
		return s
	}
	st := store.New(db, table)
	r := newRoutes(app.Service(cfg, st, time.Now))

	var steps []tripStep
	var runErr error
	if qerr := quietStdout(func() { steps, runErr = roundTripSteps(ctx, st, r) }); qerr != nil {
		runErr = errors.Join(runErr, qerr)
	}
	for _, t := range steps {
		if t.budget == "" {
			s.row(t.name, fmt.Sprint(t.trips), "(informational)", "")
			continue
		}
		s.row(t.name, fmt.Sprint(t.trips), t.budget, mark(t.ok))
	}
	s.note("Table %q created from template.yaml's AWS::DynamoDB::Table.", table)
	if len(skipped) > 0 {
		s.note("Its properties not applied locally: %s.", strings.Join(skipped, ", "))
	}
	s.note("argon2 at m=8 KiB here: hashing costs no round trip.")
	s.err = runErr
	return s
}

// tripStep is one measured request.
type tripStep struct {
	name   string
	trips  int64
	budget string // "" for informational
	ok     bool
}

// roundTripSteps registers an account and walks it through the measured requests, each
// checked for its status, counting st's round trips around each.
func roundTripSteps(ctx context.Context, st *store.Store, r routes) ([]tripStep, error) {
	var steps []tripStep
	measure := func(name string, budget int64, h httpapi.Lambda, ev events.APIGatewayProxyRequest, want int) (events.APIGatewayProxyResponse, error) {
		before := st.RoundTrips()
		resp, err := call(ctx, h, ev, want)
		if err != nil {
			return resp, fmt.Errorf("%s: %w", name, err)
		}
		n := st.RoundTrips() - before
		t := tripStep{name: name, trips: n}
		if budget > 0 {
			t.budget, t.ok = fmt.Sprintf("<= %d", budget), n <= budget
		}
		steps = append(steps, t)
		return resp, nil
	}
	email := fmt.Sprintf("trips-%d@example.com", time.Now().UnixNano())
	resp, err := measure("POST /v1/auth/register", 1, r.register, registerEvent(email), 201)
	if err != nil {
		return steps, err
	}
	first, err := token(resp)
	if err != nil {
		return steps, err
	}
	if resp, err = measure("POST /v1/auth/login", 2, r.login, loginEvent(email), 200); err != nil {
		return steps, err
	}
	second, err := token(resp)
	if err != nil {
		return steps, err
	}
	if _, err := measure("GET /v1/auth/session", 1, r.session, sessionEvent(second), 200); err != nil {
		return steps, err
	}
	if _, err := measure("GET /v1/me", 1, r.me, meEvent(second), 200); err != nil {
		return steps, err
	}
	if _, err := measure("POST /v1/auth/logout", 1, r.logout, logoutEvent(second, false), 204); err != nil {
		return steps, err
	}
	if _, err := measure("POST /v1/auth/logout?all=true", 0, r.logout, logoutEvent(first, true), 204); err != nil {
		return steps, err
	}
	return steps, nil
}

// createProperties are the AWS::DynamoDB::Table properties that are also CreateTable
// parameters of the same name and shape. The others are left out: DynamoDB Local has no
// point-in-time recovery, tags or backups, and a bench table needs no deletion protection,
// encryption or table class.
var createProperties = []string{
	"AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
	"BillingMode", "ProvisionedThroughput", "StreamSpecification",
}

// createTable creates table as the template's AWS::DynamoDB::Table declares it, so that
// the schema has one description only: the resolved CloudFormation properties are the
// CreateTable parameters of the same names, decoded through JSON. TTL is turned on as
// TimeToLiveSpecification says. It returns the properties it did not apply.
//
// pkg/localstack creates tables from the template too, but does not export that step.
func createTable(ctx context.Context, db *dynamodb.Client, templatePath, table string) ([]string, error) {
	tpl, err := samtemplate.Load(templatePath)
	if err != nil {
		return nil, err
	}
	ids := tpl.ResourcesOfType(samtemplate.TypeTable)
	if len(ids) != 1 {
		return nil, fmt.Errorf("%s declares %d AWS::DynamoDB::Table resources, want 1", templatePath, len(ids))
	}
	res := tpl.Resolver(localstack.LocalParameters(), nil)
	props := tpl.Resources[ids[0]].Properties
	picked := map[string]any{}
	for _, k := range createProperties {
		if v, ok := props[k]; ok {
			if picked[k], err = res.Resolve(v); err != nil {
				return nil, fmt.Errorf("table %s: %s: %w", ids[0], k, err)
			}
		}
	}
	var skipped []string
	for k := range props {
		if _, ok := picked[k]; !ok && k != "TimeToLiveSpecification" && k != "TableName" {
			skipped = append(skipped, k)
		}
	}
	sort.Strings(skipped)

	b, err := json.Marshal(picked)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", ids[0], err)
	}
	in := &dynamodb.CreateTableInput{}
	if err := json.Unmarshal(b, in); err != nil {
		return nil, fmt.Errorf("table %s: its properties are not CreateTable's: %w", ids[0], err)
	}
	in.TableName = aws.String(table)
	if in.StreamSpecification != nil {
		in.StreamSpecification.StreamEnabled = aws.Bool(true)
	}
	if in.BillingMode == "" {
		in.BillingMode = types.BillingModeProvisioned // CloudFormation's default
	}
	if _, err := db.CreateTable(ctx, in); err != nil {
		return nil, fmt.Errorf("create table %s: %w", table, err)
	}
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, 30*time.Second); err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	if v, ok := props["TimeToLiveSpecification"]; ok {
		rv, err := res.Resolve(v)
		if err != nil {
			return nil, fmt.Errorf("table %s: TimeToLiveSpecification: %w", ids[0], err)
		}
		var ttl types.TimeToLiveSpecification
		if b, err := json.Marshal(rv); err != nil || json.Unmarshal(b, &ttl) != nil {
			return nil, fmt.Errorf("table %s: TimeToLiveSpecification is not UpdateTimeToLive's: %v", ids[0], rv)
		}
		if aws.ToBool(ttl.Enabled) {
			if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: in.TableName, TimeToLiveSpecification: &ttl}); err != nil {
				return nil, fmt.Errorf("time to live on %s: %w", table, err)
			}
		}
	}
	return skipped, nil
}
