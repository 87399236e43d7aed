//go:build linux

package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"golang.org/x/sys/unix"

	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/store"
)

// KMS list prices (us-east-1, checked 2026-12-02; docs/keys.md): symmetric requests
// (Decrypt, GenerateDataKey) and asymmetric RSA Sign, per 10,000 requests.
const (
	kmsSymmetricPer10k = 0.03
	kmsRSASignPer10k   = 0.15
)

// Runs of the token part: sign is slow (an RSA private-key operation), verify fast.
const (
	signRuns         = 200
	verifyRuns       = 2000
	warmSignIns      = 1000
	tokensTimeout    = 90 * time.Second
	signInsPerCold   = 100 // a pessimistic cold start rate for the cost figure
	verifyBudget     = 100 * time.Microsecond
	benchTokenTTL    = 15 * time.Minute
	benchTokenIssuer = "https://bench.example.com/prod"
)

// countingKMS counts the KMS requests the ring makes.
type countingKMS struct {
	kmsclient.API
	n atomic.Int64
}

func (c *countingKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	c.n.Add(1)
	return c.API.GenerateDataKey(ctx, in, o...)
}

func (c *countingKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	c.n.Add(1)
	return c.API.Decrypt(ctx, in, o...)
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuPerOp is the median CPU time of op over runs batches of batch calls each, measured on
// one locked thread (CPU, not wall, time: the machine may be busy with other work).
func cpuPerOp(runs, batch int, op func() error) (time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	per := make([]time.Duration, 0, runs)
	for i := 0; i < runs; i++ {
		t0 := threadCPU()
		for j := 0; j < batch; j++ {
			if err := op(); err != nil {
				return 0, err
			}
		}
		per = append(per, (threadCPU()-t0)/time.Duration(batch))
	}
	sort.Slice(per, func(i, j int) bool { return per[i] < per[j] })
	return per[len(per)/2], nil
}

// measureTokens signs and verifies access tokens with the real key ring on DynamoDB Local
// and local-kms, both started here: CPU per token, the calls a warm process makes (none
// expected), and what a million sign-ins' tokens cost in KMS requests.
func measureTokens(ctx context.Context, root string) *section {
	s := &section{
		title:  "Access tokens: RS256 with the key ring (DynamoDB Local, local-kms in process)",
		header: []string{"measure", "value", "budget", "result"},
	}
	ctx, cancel := context.WithTimeout(ctx, tokensTimeout)
	defer cancel()
	stop, _, db, err := startDynamo(ctx, root)
	if err != nil {
		s.err = err
		return s
	}
	defer stop()
	table := fmt.Sprintf("userbase-bench-keys-%d", time.Now().UnixNano())
	if _, err := createTable(ctx, db, filepath.Join(root, "template.yaml"), table); err != nil {
		s.err = err
		return s
	}
	kmsServer, err := localstack.StartKMS(0, "", nil)
	if err != nil {
		s.err = err
		return s
	}
	defer kmsServer.Close()
	keyARN, err := kmsServer.EnsureKey(localstack.LocalKeyID("SecretsKey"), "bench")
	if err != nil {
		s.err = err
		return s
	}
	api := &countingKMS{API: kms.NewFromConfig(aws.Config{Region: samtemplate.LocalRegion,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", "")},
		func(o *kms.Options) { o.BaseEndpoint = aws.String(kmsServer.URL()) })}
	st := store.New(db, table)
	// The KeyRing custom resource's work, then a fresh process.
	if err := keys.New(keys.Options{Store: st, KMS: kmsclient.NewDataKeys(api, keyARN)}).Ensure(ctx, benchTokenTTL); err != nil {
		s.err = err
		return s
	}
	ring := keys.New(keys.Options{Store: st, KMS: kmsclient.NewDataKeys(api, keyARN)})
	toks := keys.NewTokens(ring, "userbase", benchTokenTTL)
	claims := jwt.Claims{Issuer: benchTokenIssuer, Subject: "01hzy3k7d8q1v2c3b4n5m6p7q8", SessionID: "s", Role: "member",
		Email: "ann@example.com", EmailVerified: true, AMR: []string{"pwd"}}

	trips0, kms0 := st.RoundTrips(), api.n.Load()
	t0 := time.Now()
	tok, _, err := toks.Mint(ctx, claims)
	if err != nil {
		s.err = err
		return s
	}
	first := time.Since(t0)
	s.row("first sign-in of a process: DynamoDB calls, KMS calls", fmt.Sprintf("%d, %d (%s)", st.RoundTrips()-trips0, api.n.Load()-kms0, ms(first)),
		"once per process", "-")

	trips0, kms0 = st.RoundTrips(), api.n.Load()
	for i := 0; i < warmSignIns; i++ {
		if tok, _, err = toks.Mint(ctx, claims); err == nil {
			_, err = toks.Verify(ctx, tok, benchTokenIssuer)
		}
		if err != nil {
			s.err = err
			return s
		}
	}
	trips, calls := st.RoundTrips()-trips0, api.n.Load()-kms0
	s.row(fmt.Sprintf("%d warm sign-ins (mint + verify): DynamoDB calls, KMS calls", warmSignIns), fmt.Sprintf("%d, %d", trips, calls), "0, 0", mark(trips == 0 && calls == 0))

	sign, err := cpuPerOp(signRuns/10, 10, func() error { _, _, err := toks.Mint(ctx, claims); return err })
	if err != nil {
		s.err = err
		return s
	}
	s.row("RS256 sign (mint), CPU per token", us(sign), "-", "-")
	verify, err := cpuPerOp(verifyRuns/100, 100, func() error { _, err := toks.Verify(ctx, tok, benchTokenIssuer); return err })
	if err != nil {
		s.err = err
		return s
	}
	s.row("RS256 verify, CPU per token", us(verify), "< "+us(verifyBudget), mark(verify < verifyBudget))

	envelope := float64(1_000_000/signInsPerCold) / 10_000 * kmsSymmetricPer10k
	perToken := 1_000_000.0 / 10_000 * kmsRSASignPer10k
	s.row("KMS requests for 1M sign-ins' tokens, envelope (chosen)", fmt.Sprintf("$%.2f", envelope), "-", "-")
	s.row("KMS requests for 1M sign-ins' tokens, kms:Sign per token", fmt.Sprintf("$%.2f", perToken), "-", "-")
	s.note("Envelope: one kms:Decrypt per new process that signs (counted above as the first sign-in's KMS call), priced for a")
	s.note("cold start every %d sign-ins (pessimistic) at $%.2f per 10,000; kms:Sign: one RSA Sign per token at $%.2f per 10,000", signInsPerCold, kmsSymmetricPer10k, kmsRSASignPer10k)
	s.note("(list prices, us-east-1, checked 2026-12-02). Token refreshes cost the same again per token under kms:Sign. docs/keys.md.")
	s.note("CPU is this thread's user+system time, the median of batches; Lambda's CPU share follows memory (1,769 MB is one vCPU).")
	return s
}
