//go:build linux

package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// pricesAsOf is when the prices below were read from AWS's pricing pages. They are list
// prices in us-east-1, in US dollars, without free tiers; update them here, in this one
// table, with the date.
const pricesAsOf = "2026-12-02"

var prices = struct {
	lambdaGBSecond, lambdaRequest float64 // arm64, first 6 billion GB-s a month
	apiRequest                    float64 // API Gateway REST API, first 333 million a month
	dynamoRead, dynamoWrite       float64 // on-demand request units
	dynamoStorageGB, dynamoPITRGB float64 // a GB-month
	sesMail                       float64 // an outbound mail
	logsIngestGB, logsStoreGB     float64 // CloudWatch Logs, standard class
	customMetric, alarmMetric     float64 // a month each
	dashboard                     float64 // a month, beyond three free
	xrayTrace                     float64 // a trace recorded
	kmsKey, kmsRequest            float64 // a key a month; a request
	cognitoEssentialsMAU          float64 // Cognito user pools, Essentials tier
	cognitoFreeMAU                float64 // MAU Cognito Essentials does not charge
}{
	lambdaGBSecond: 0.0000133334, lambdaRequest: 0.20 / 1e6,
	apiRequest: 3.50 / 1e6,
	dynamoRead: 0.125 / 1e6, dynamoWrite: 0.625 / 1e6,
	dynamoStorageGB: 0.25, dynamoPITRGB: 0.20,
	sesMail:      0.10 / 1000,
	logsIngestGB: 0.50, logsStoreGB: 0.03,
	customMetric: 0.30, alarmMetric: 0.10,
	dashboard: 3.00,
	xrayTrace: 5.00 / 1e6,
	kmsKey:    1.00, kmsRequest: 0.03 / 10000,
	cognitoEssentialsMAU: 0.015, cognitoFreeMAU: 10000,
}

// The model's assumptions about a month of 100,000 monthly active users (MAU), stated in
// the report beside the figures.
const (
	costUsers = 100_000
	// dynamoWait is how long a function waits for one DynamoDB round trip in the region.
	dynamoWait = 5 * time.Millisecond
	// invokeOverhead is the runtime's share of an invocation beyond the handler.
	invokeOverhead = time.Millisecond
	// logBytesPerRequest: the function's request line, Lambda's start and report lines
	// (JSON log format), and API Gateway's access log line.
	logBytesPerRequest = 1200
	// bytesPerUser is what an account keeps in the table: its profile and login copy,
	// sessions, 90 days of events, wishlist.
	bytesPerUser = 10_000
	// mailerWait is the mailer's wait on SES for one mail, beyond its round trips.
	mailerWait = 30 * time.Millisecond
	// customMetrics is how many metric series the functions publish: the totals of
	// pkg/metrics and the sign-ins of three methods.
	customMetrics = 11 + 3
)

// usage is what one active user does in a month: the requests, by the names the round
// trip part measured them under, and the function that serves each.
var usage = []struct {
	request string
	perUser float64
	folder  string
	hashes  float64 // argon2id computations per request
	why     string
}{
	{"POST /v1/auth/login", 4, "auth-login", 1, "signs in 4 times"},
	{"POST /v1/auth/token", 60, "auth-token", 0, "the app renews its 15-minute access token twice a day"},
	{"GET /v1/me", 30, "me-get", 0, "reads the profile once a day"},
	{"PATCH /v1/me", 0.5, "me-update", 0, "changes the profile every other month"},
	{"POST /v1/auth/logout", 1, "auth-logout", 0, "signs out once"},
	{"POST /v1/auth/register", 0.05, "auth-register", 1, "5% of active users signed up this month"},
	{"POST /v1/auth/email/confirm", 0.05, "auth-email-confirm", 0, "and confirmed their address"},
	{"POST /v1/auth/password/forgot (known address)", 0.1, "auth-password-forgot", 0, "1 in 10 forgets the password"},
	{"POST /v1/auth/password/reset", 0.1, "auth-password-reset", 1, "and resets it"},
}

// mailsPerUser: the verification of each sign-up, and per reset its code and the notice.
const mailsPerUser = 0.05 + 0.1 + 0.1

// measureCost prices a month of costUsers active users from the round trips and request
// units measured, the handler and hashing times, and the memory template.yaml gives each
// function, next to Cognito Essentials for the same users.
func measureCost(root string, steps []tripStep, handler map[string]time.Duration, hash time.Duration) *section {
	s := &section{
		title: fmt.Sprintf("Cost of %s monthly active users a month (us-east-1 list prices of %s, arm64, no free tiers)",
			count(costUsers), pricesAsOf),
		header: []string{"item", "per user a month", "a month", "MB", "billed ms", "read units", "write units", "USD a month"},
	}
	if len(steps) == 0 || hash <= 0 {
		s.err = fmt.Errorf("needs the round trips and the argon2id time, which were not measured")
		return s
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		s.err = err
		return s
	}
	byName := map[string]tripStep{}
	for _, st := range steps {
		byName[st.name] = st
	}
	cpu := handler["GET /v1/me"]
	if cpu <= 0 {
		cpu = overheadBudget
	}
	var total, requests float64
	for _, u := range usage {
		st, ok := byName[u.request]
		if !ok {
			s.err = fmt.Errorf("the round trip part measured no %q", u.request)
			return s
		}
		f, err := tpl.Function(samtemplate.LogicalID(u.folder))
		if err != nil {
			s.err = err
			return s
		}
		work := cpu + time.Duration(u.hashes*float64(hash))
		d := atSize(work, f.MemorySize) + time.Duration(st.trips)*dynamoWait + invokeOverhead
		n := u.perUser * costUsers
		per := invocationCost(f.MemorySize, d) + prices.apiRequest + st.read*prices.dynamoRead + st.write*prices.dynamoWrite
		total += n * per
		requests += n
		s.row(u.request, num(u.perUser), count(n), fmt.Sprint(f.MemorySize), fmt.Sprint(billedMS(d)),
			fmt.Sprint(round1(st.read)), fmt.Sprint(round1(st.write)), dollars(n*per))
	}

	// Mail: SES, and the mailer's invocation (a batch of one, at worst) reading the outbox
	// item and the address's mark (one BatchGetItem, two strongly consistent reads) and
	// deleting the item.
	mailer, err := tpl.Function(samtemplate.LogicalID("mailer"))
	if err != nil {
		s.err = err
		return s
	}
	mails := mailsPerUser * costUsers
	md := atSize(cpu, mailer.MemorySize) + 2*dynamoWait + mailerWait + invokeOverhead
	mailCost := mails * (prices.sesMail + invocationCost(mailer.MemorySize, md) + 2*prices.dynamoRead + prices.dynamoWrite)
	total += mailCost
	s.row("mail: SES and the mailer", num(mailsPerUser), count(mails), fmt.Sprint(mailer.MemorySize), fmt.Sprint(billedMS(md)), "2", "1", dollars(mailCost))

	// Logs: ingested, and kept for the retention the template defaults to.
	retention := 30.0
	if v, ok := tpl.Parameters["LogRetentionDays"]; ok {
		fmt.Sscan(fmt.Sprint(v.Default), &retention)
	}
	gb := requests * logBytesPerRequest / 1e9
	logCost := gb*prices.logsIngestGB + gb*retention/30*prices.logsStoreGB
	total += logCost
	s.row(fmt.Sprintf("logs: %.1f GB, kept %.0f days", gb, retention), "", "", "", "", "", "", dollars(logCost))

	// X-Ray (Tracing: Active): the default sampling rule records one request a second and
	// 5% of the rest.
	const month = 30 * 24 * 3600.0
	rate := requests / month
	traces := month * (math.Min(rate, 1) + 0.05*math.Max(rate-1, 0))
	xray := traces * prices.xrayTrace
	total += xray
	s.row(fmt.Sprintf("X-Ray: %s traces (%.1f requests/s)", count(traces), rate), "", "", "", "", "", "", dollars(xray))

	// What the stack costs whatever the traffic: metrics, alarms (each metric of an alarm),
	// the dashboard, the KMS key; and the table's storage with point-in-time recovery.
	alarmMetrics := 0
	for _, id := range tpl.ResourcesOfType("AWS::CloudWatch::Alarm") {
		n := 0
		if list, ok := tpl.Resources[id].Properties["Metrics"].([]any); ok {
			for _, m := range list {
				if _, stat := m.(map[string]any)["MetricStat"]; stat {
					n++
				}
			}
		}
		alarmMetrics += max(n, 1)
	}
	fixed := customMetrics*prices.customMetric + float64(alarmMetrics)*prices.alarmMetric + prices.dashboard + prices.kmsKey
	total += fixed
	s.row(fmt.Sprintf("%d metrics, %d alarm metrics, dashboard, KMS key", customMetrics, alarmMetrics), "", "", "", "", "", "", dollars(fixed))
	storeGB := float64(costUsers) * bytesPerUser / 1e9
	storage := storeGB * (prices.dynamoStorageGB + prices.dynamoPITRGB)
	total += storage
	s.row(fmt.Sprintf("table storage, %.1f GB with point-in-time recovery", storeGB), "", "", "", "", "", "", dollars(storage))

	s.row("TOTAL, this stack", "", count(requests)+" requests", "", "", "", "", dollars(total))
	cognito := (costUsers - prices.cognitoFreeMAU) * prices.cognitoEssentialsMAU
	s.row(fmt.Sprintf("Cognito Essentials, %s MAU (%s free)", count(costUsers), count(prices.cognitoFreeMAU)), "", "", "", "", "", "", dollars(cognito))
	s.row("per active user: this stack / Cognito Essentials", "", "", "", "", "", "",
		fmt.Sprintf("%.4f / %.4f", total/costUsers, cognito/costUsers))

	s.note("Assumptions, a month per active user: %s; %.2f mails.", assumptions(), mailsPerUser)
	s.note("Requests, round trips and request units are those measured above (section 3); handler CPU is GET /v1/me's")
	s.note("(section 5), plus %s per argon2id hash (section 8), scaled to each function's memory as in the sizing part;", ms(hash))
	s.note("each round trip waits %s, each invocation %s more. Logs: %d bytes a request. Storage: %s bytes a user.",
		dynamoWait, invokeOverhead, logBytesPerRequest, count(bytesPerUser))
	s.note("Not counted: cold starts (exec to ready in ms, section 1), KMS decrypts (one per cold start), the API's")
	s.note("other services verifying access tokens offline (no request here), avatars in S3, and free tiers (Lambda's")
	s.note("1 million requests and 400,000 GB-s a month would take a large share of the Lambda lines).")
	return s
}

func assumptions() string {
	var parts []string
	for _, u := range usage {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", num(u.perUser), strings.TrimSuffix(u.request, " (known address)"), u.why))
	}
	return strings.Join(parts, ", ")
}

func num(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(x)
}

func dollars(x float64) string { return fmt.Sprintf("%.2f", x) }

// count writes a figure rounded to a whole number, with thousands separators.
func count(x float64) string { return thousands(int64(math.Round(x))) }
