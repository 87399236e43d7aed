//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/mail"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
	"github.com/userbase/userbase/pkg/user"
	"github.com/userbase/userbase/pkg/userstream/streamtest"
)

// roundTripsTimeout bounds the part: DynamoDB Local's start (about 2 s, up to a minute on a
// slow machine), the table and a few dozen requests.
const roundTripsTimeout = 90 * time.Second

// measureRoundTrips runs the real handlers in this process against the real DynamoDB store
// on a DynamoDB Local started here (-inMemory, a free port) with a fresh table created from
// template.yaml, and counts the store's round trips of each request and the capacity units
// DynamoDB reports for them.
//
// The same walk meters what each request writes (writeunits.go): the second section. It
// also returns the steps, for the cost model.
func measureRoundTrips(ctx context.Context, root string) (*section, *section, []tripStep) {
	s := &section{
		title:  "DynamoDB round trips per request (counted by the store, on DynamoDB Local), with the request units they consume",
		header: []string{"request", "round trips", "budget", "result", "read units", "write units"},
	}
	w := &section{
		title: "Write units per request on AWS's billing (computed from the items written, on DynamoDB Local)",
		header: []string{"request", "transaction actions", "transaction WU", "standard WU", "from the stream WU",
			"index WU", "budget", "result"},
	}
	fail := func(err error) (*section, *section, []tripStep) {
		s.err, w.err = err, err
		return s, w, nil
	}
	ctx, cancel := context.WithTimeout(ctx, roundTripsTimeout)
	defer cancel()
	stop, _, plain, err := startDynamo(ctx, root)
	if err != nil {
		return fail(err)
	}
	defer stop()
	units := &capacity{}
	db := dynamodb.New(plain.Options(), units.option)

	table := fmt.Sprintf("userbase-bench-%d", time.Now().UnixNano())
	skipped, err := createTable(ctx, db, filepath.Join(root, "template.yaml"), table)
	if err != nil {
		return fail(err)
	}
	cfg, err := benchConfig(table)
	if err != nil {
		return fail(err)
	}
	meter, err := newWriteMeter(ctx, db, table)
	if err != nil {
		return fail(err)
	}
	// The user-stream function's handler over the table's stream, its writes metered.
	stream, err := streamtest.New(ctx, db, filepath.Join(root, "template.yaml"), table, store.New(meter, table))
	if err != nil {
		return fail(err)
	}
	// No default link templates, whatever config's defaults become: the code mails then
	// link to the hosted pages under the request's issuer, and the bench reads the code back
	// from the link (or the bare code, attribute "code" of the outbox item, without one).
	cfg.DefaultResetURL, cfg.DefaultVerifyURL = "", ""
	st := store.New(meter, table)
	// The key ring on the table itself, its data key under a KMS stand-in: made here as the
	// keys-init custom resource makes it on a stack, and read once before measuring (a warm
	// process has it cached: minting and verifying then make no round trip).
	ring := keys.New(keys.Options{Store: st, KMS: keys.NewFakeKMS()})
	if err := ring.Ensure(ctx, cfg.AccessTokenTTL); err != nil {
		return fail(err)
	}
	if _, _, err := ring.Signer(ctx); err != nil {
		return fail(err)
	}
	svc := app.Service(cfg, st, time.Now, ring)
	b := &tripBench{ctx: ctx, st: st, db: db, units: units, table: table, svc: svc, r: newRoutes(svc), meter: meter, stream: stream}

	var runErr error
	if qerr := quietStdout(func() { runErr = b.run() }); qerr != nil {
		runErr = errors.Join(runErr, qerr)
	}
	for _, t := range b.steps {
		ru, wu := fmt.Sprint(round1(t.read)), fmt.Sprint(round1(t.write))
		if t.budget == informational {
			s.row(t.name, fmt.Sprint(t.trips), "(informational)", "", ru, wu)
			continue
		}
		s.row(t.name, fmt.Sprint(t.trips), t.budget.String(), mark(t.budget.admits(t.trips)), ru, wu)
	}
	s.notes = append(s.notes, b.notes...)
	s.note("Table %q created from template.yaml's AWS::DynamoDB::Table.", table)
	if len(skipped) > 0 {
		s.note("Its properties not applied locally: %s.", strings.Join(skipped, ", "))
	}
	s.note("argon2 at m=8 KiB here: hashing costs no round trip. The reset and verification codes are")
	s.note("read back from the outbox items with a Scan of the bench's own (not counted; the product never scans).")
	s.note("Request units as DynamoDB Local reports them (ReturnConsumedCapacity INDEXES: index writes included).")
	s.err = runErr
	writeUnits(w, b.steps)
	w.err = runErr
	return s, w, b.steps
}

// budget is how many round trips a request may take, lo to hi; the zero budget marks a
// figure shown for information only.
type budget struct{ lo, hi int64 }

var informational budget

func atMost(n int64) budget       { return budget{0, n} }
func between(lo, hi int64) budget { return budget{lo, hi} }

func (b budget) admits(n int64) bool { return b.lo <= n && n <= b.hi }

func (b budget) String() string {
	if b.lo == 0 {
		return fmt.Sprintf("<= %d", b.hi)
	}
	return fmt.Sprintf("%d-%d", b.lo, b.hi)
}

// tripStep is one measured request.
type tripStep struct {
	name        string
	trips       int64
	budget      budget
	cost        writeCost // the request's own writes
	stream      writeCost // what the table's stream wrote after it
	read, write float64   // request units consumed, the stream's included
}

// tripBench walks accounts through the measured requests, each checked for its status,
// counting st's round trips around each.
type tripBench struct {
	ctx    context.Context
	st     *store.Store
	db     *dynamodb.Client
	units  *capacity
	table  string
	svc    *user.Service
	r      routes
	steps  []tripStep
	notes  []string
	meter  *writeMeter
	stream *streamtest.Indexer
}

// measure calls h with ev, checks the status and records the store's round trips.
func (b *tripBench) measure(name string, bud budget, h httpapi.Lambda, ev events.APIGatewayProxyRequest, want int) (events.APIGatewayProxyResponse, int64, error) {
	// What earlier, unmeasured requests left to the stream is indexed first.
	if err := b.stream.CatchUp(b.ctx); err != nil {
		return events.APIGatewayProxyResponse{}, 0, err
	}
	before := b.st.RoundTrips()
	b.meter.take()
	r0, w0 := b.units.units()
	resp, err := call(b.ctx, h, ev, want)
	if err != nil {
		return resp, 0, fmt.Errorf("%s: %w", name, err)
	}
	n := b.st.RoundTrips() - before
	own := b.meter.take()
	if err := b.stream.CatchUp(b.ctx); err != nil {
		return resp, 0, err
	}
	r1, w1 := b.units.units()
	b.steps = append(b.steps, tripStep{name: name, trips: n, budget: bud, cost: own, stream: b.meter.take(),
		read: r1 - r0, write: w1 - w0})
	return resp, n, nil
}

// login signs email in with password, unmeasured, and returns the token.
func (b *tripBench) login(email, password string) (string, error) {
	resp, err := call(b.ctx, b.r.login, loginWith(email, password), 200)
	if err != nil {
		return "", err
	}
	return token(resp)
}

// run is the walk: register and sign in an account and use every measured route on it,
// then an admin's sign-in, and a second account for the verification resend.
func (b *tripBench) run() error {
	r := b.r
	stamp := time.Now().UnixNano()
	email := fmt.Sprintf("trips-%d@example.com", stamp)
	resp, _, err := b.measure("POST /v1/auth/register", atMost(1), r.register, registerEvent(email), 201)
	if err != nil {
		return err
	}
	first, err := token(resp)
	if err != nil {
		return err
	}
	if resp, _, err = b.measure("POST /v1/auth/login", atMost(2), r.login, loginEvent(email), 200); err != nil {
		return err
	}
	second, err := token(resp)
	if err != nil {
		return err
	}
	if _, _, err := b.measure("GET /v1/auth/session", atMost(1), r.session, sessionEvent(second), 200); err != nil {
		return err
	}
	if _, _, err := b.measure("GET /v1/me", atMost(1), r.me, meEvent(second), 200); err != nil {
		return err
	}
	access, err := member(resp, "access_token")
	if err != nil {
		return fmt.Errorf("POST /v1/auth/login: %w", err)
	}
	if _, _, err := b.measure("GET /v1/me (access token)", atMost(1), r.me, meEvent(access), 200); err != nil {
		return err
	}
	if _, _, err := b.measure("POST /v1/auth/token", atMost(1), r.token, tokenEvent(second), 200); err != nil {
		return err
	}
	if _, _, err := b.measure("PATCH /v1/me", between(1, 2), r.update, updateMeEvent(second), 200); err != nil {
		return err
	}
	for _, id := range []string{"sku-1", "sku-2"} {
		if _, _, err := b.measure("PUT /v1/me/wishlist/"+id, informational, r.wishPut, wishPutEvent(second, id), 200); err != nil {
			return err
		}
	}
	if _, _, err := b.measure("GET /v1/me/wishlist", atMost(1), r.wishlist, wishlistEvent(second), 200); err != nil {
		return err
	}
	if _, _, err := b.measure("POST /v1/auth/logout", atMost(1), r.logout, logoutEvent(second, false), 204); err != nil {
		return err
	}
	if _, _, err := b.measure("POST /v1/auth/logout?all=true", informational, r.logout, logoutEvent(first, true), 204); err != nil {
		return err
	}

	// Forgotten password: the same work whether or not the address has an account.
	_, known, err := b.measure("POST /v1/auth/password/forgot (known address)", between(1, 2), r.forgot, forgotEvent(email), 202)
	if err != nil {
		return err
	}
	nobody := fmt.Sprintf("nobody-%d@example.com", stamp)
	_, unknown, err := b.measure("POST /v1/auth/password/forgot (unknown address)", between(1, 2), r.forgot, forgotEvent(nobody), 202)
	if err != nil {
		return err
	}
	if known == unknown {
		b.notes = append(b.notes, fmt.Sprintf("POST /v1/auth/password/forgot: known and unknown addresses take the same number of round trips (%d): EQUAL.", known))
	} else {
		b.notes = append(b.notes, fmt.Sprintf("POST /v1/auth/password/forgot: known address %d round trips, unknown %d: NOT EQUAL (the count tells whether an account exists).", known, unknown))
	}
	code, err := b.outboxCode(email, mail.KindResetPassword)
	if err != nil {
		return err
	}
	if _, _, err := b.measure("POST /v1/auth/password/reset", atMost(2), r.reset, resetEvent(code, benchPassword2), 204); err != nil {
		return err
	}

	// The address, confirmed with the code register mailed.
	if code, err = b.outboxCode(email, mail.KindVerifyEmail); err != nil {
		return err
	}
	if _, _, err := b.measure("POST /v1/auth/email/confirm", atMost(2), r.confirmEmail, confirmEmailEvent(code), 200); err != nil {
		return err
	}

	third, err := b.login(email, benchPassword2)
	if err != nil {
		return err
	}
	if _, _, err := b.measure("PUT /v1/me/password", atMost(2), r.password, changePasswordEvent(third, benchPassword2, benchPassword), 204); err != nil {
		return err
	}
	fourth, err := b.login(email, benchPassword) // a second live session to list and revoke
	if err != nil {
		return err
	}
	if resp, _, err = b.measure("GET /v1/me/sessions", atMost(1), r.sessions, sessionsEvent(third), 200); err != nil {
		return err
	}
	nSessions, err := listTotal(resp)
	if err != nil {
		return err
	}
	if resp, _, err = b.measure("GET /v1/me/events", informational, r.events, eventsEvent(third), 200); err != nil {
		return err
	}
	nEvents, err := listTotal(resp)
	if err != nil {
		return err
	}
	b.notes = append(b.notes, fmt.Sprintf("GET /v1/me/sessions listed %d sessions; GET /v1/me/events %d events.", nSessions, nEvents))
	p4, err := auth.ParseSessionToken(fourth)
	if err != nil {
		return fmt.Errorf("login token: %w", err)
	}
	if _, _, err := b.measure("DELETE /v1/me/sessions/{session_id}", informational, r.revokeSession, revokeSessionEvent(third, p4.SessionID), 204); err != nil {
		return err
	}

	// Two-step sign-in: re-authenticate, enroll TOTP, sign in to get an mfa_token, complete
	// it with the code of the next step (the confirmation spent the current one).
	if _, _, err := b.measure("POST /v1/auth/reauthenticate", informational, r.reauth, reauthEvent(third, benchPassword), 200); err != nil {
		return err
	}
	if resp, err = call(b.ctx, r.totpBegin, totpBeginEvent(third), 200); err != nil {
		return err
	}
	secret, err := member(resp, "secret")
	if err != nil {
		return fmt.Errorf("POST /v1/me/mfa/totp: %w", err)
	}
	now, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		return fmt.Errorf("TOTP code: %w", err)
	}
	if _, err := call(b.ctx, r.totpConfirm, totpConfirmEvent(third, now), 200); err != nil {
		return err
	}
	if resp, err = call(b.ctx, r.login, loginEvent(email), 401); err != nil {
		return err
	}
	if c, _ := member(resp, "code"); c != "mfa_required" {
		return fmt.Errorf("POST /v1/auth/login with MFA on: want problem mfa_required: %s", resp.Body)
	}
	mfaToken, err := member(resp, "mfa_token")
	if err != nil {
		return fmt.Errorf("POST /v1/auth/login with MFA on: %w", err)
	}
	next, err := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		return fmt.Errorf("TOTP code: %w", err)
	}
	if _, _, err := b.measure("POST /v1/auth/mfa", atMost(2), r.mfa, mfaEvent(mfaToken, next), 200); err != nil {
		return err
	}

	admin := fmt.Sprintf("admin-%d@example.com", stamp)
	if _, err := b.svc.EnsureAdmin(b.ctx, admin, benchPassword); err != nil {
		return fmt.Errorf("create the admin: %w", err)
	}
	if _, _, err := b.measure("POST /v1/auth/admin/login", informational, r.adminLogin, adminLoginEvent(admin), 200); err != nil {
		return err
	}

	// A fresh, unconfirmed account, so that the resend has an address to mail.
	other := fmt.Sprintf("trips-other-%d@example.com", stamp)
	if resp, err = call(b.ctx, r.register, registerEvent(other), 201); err != nil {
		return err
	}
	otherTok, err := token(resp)
	if err != nil {
		return err
	}
	if _, _, err := b.measure("POST /v1/auth/email/verification", informational, r.verification, verificationEvent(otherTok), 202); err != nil {
		return err
	}

	// Last, the account used above is deleted, with everything it gathered.
	items, err := b.partitionItems(p4.UserID)
	if err != nil {
		return err
	}
	if _, _, err := b.measure("DELETE /v1/me", informational, r.deleteMe, deleteMeEvent(third, benchPassword), 204); err != nil {
		return err
	}
	b.notes = append(b.notes, fmt.Sprintf("DELETE /v1/me deleted the account used above, with %d items in its partition (profile included).", items))
	return nil
}

// outboxCode reads the code of the newest mail of kind to address from the outbox items,
// decoded as the mailer decodes them. It Scans with the bench's own client, outside the
// store's count; the product never scans. The table holds a few dozen items, so a page or
// two; maxPages bounds it anyway.
func (b *tripBench) outboxCode(to, kind string) (string, error) {
	const maxPages = 100
	in := &dynamodb.ScanInput{
		TableName:                aws.String(b.table),
		FilterExpression:         aws.String("begins_with(pk, :p) AND #to = :to AND #kind = :kind"),
		ExpressionAttributeNames: map[string]string{"#to": "to", "#kind": "kind"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p":    &types.AttributeValueMemberS{Value: store.OutboxPrefix},
			":to":   &types.AttributeValueMemberS{Value: to},
			":kind": &types.AttributeValueMemberS{Value: kind},
		},
		ConsistentRead: aws.Bool(true),
	}
	var newest *mail.Mail
	for page := 0; ; page++ {
		if page == maxPages {
			return "", fmt.Errorf("outbox scan for the %s mail to %s: more than %d pages", kind, to, maxPages)
		}
		out, err := b.db.Scan(b.ctx, in)
		if err != nil {
			return "", fmt.Errorf("outbox scan: %w", err)
		}
		for _, it := range out.Items {
			m, err := store.UnmarshalMail(it)
			if err != nil {
				return "", err
			}
			if newest == nil || m.ID > newest.ID { // ids sort by creation time
				newest = m
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if newest == nil {
		return "", fmt.Errorf("no %s mail to %s in the outbox", kind, to)
	}
	if newest.Code != "" {
		return newest.Code, nil
	}
	// The link holds the code in its query, as the hosted pages read it.
	if u, err := url.Parse(newest.Link); err == nil && u.Host != "" {
		if code := u.Query().Get("code"); code != "" {
			return code, nil
		}
	}
	return "", fmt.Errorf("the %s mail to %s carries no code, bare or in a link to a host", kind, to)
}

// partitionItems counts the items under a user's partition key, outside the store's count.
func (b *tripBench) partitionItems(userID string) (int32, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(b.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "USER#" + userID}},
		Select:                    types.SelectCount,
		ConsistentRead:            aws.Bool(true),
	}
	var total int32
	for page := 0; page < 100; page++ {
		out, err := b.db.Query(b.ctx, in)
		if err != nil {
			return 0, fmt.Errorf("count the items of %s: %w", userID, err)
		}
		total += out.Count
		if len(out.LastEvaluatedKey) == 0 {
			return total, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return 0, fmt.Errorf("count the items of %s: more than 100 pages", userID)
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

// startDynamo starts an in-memory DynamoDB Local of its own and returns how to stop it, its
// endpoint and a client of it.
func startDynamo(ctx context.Context, root string) (stop func(), endpoint string, db *dynamodb.Client, err error) {
	proc, endpoint, err := localstack.StartDynamoDB(ctx, localstack.DynamoOptions{InMemory: true, Dir: root})
	if err != nil {
		return nil, "", nil, err
	}
	db = dynamodb.NewFromConfig(aws.Config{
		Region:      samtemplate.LocalRegion,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	return func() { proc.Stop() }, endpoint, db, nil
}
