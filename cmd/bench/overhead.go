//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/store/memstore"
)

// Handler overhead: overheadN timed requests per route after overheadWarm untimed ones,
// each route's loop cut short at overheadRouteTimeout; budget overheadBudget per request.
const (
	overheadN            = 2000
	overheadWarm         = 100
	overheadRouteTimeout = 20 * time.Second
	overheadBudget       = 300 * time.Microsecond
	// overheadSessions is how many sessions the account has while its lists are timed.
	overheadSessions = 5
)

// measureOverhead times the real handlers in this process over the in-memory store with a
// cheap hasher, so what is left is the handler's own work: event decoding, validation,
// the service, response encoding and the log line (written to /dev/null). It also returns
// each route's mean.
func measureOverhead(ctx context.Context) (*section, map[string]time.Duration) {
	s := &section{
		title:  fmt.Sprintf("Handler time per request beyond DynamoDB and hashing (in-memory store, %d requests each)", overheadN),
		header: []string{"request", "mean", "budget", "result"},
	}
	cfg, err := benchConfig("bench")
	if err != nil {
		s.err = err
		return s, nil
	}
	r := newRoutes(app.Service(cfg, memstore.New(), time.Now))
	load := startProbe()

	type result struct {
		name string
		n    int
		mean time.Duration
	}
	var results []result
	var runErr error
	var nSessions, nEvents int
	qerr := quietStdout(func() {
		// One account, signed in, for the authenticated routes and login.
		email := "overhead@example.com"
		resp, err := call(ctx, r.register, registerEvent(email), 201)
		if err != nil {
			runErr = err
			return
		}
		tok, err := token(resp)
		if err != nil {
			runErr = err
			return
		}
		// A few more sign-ins, so that the lists below have something in them; the timed
		// logins come after the lists, which would otherwise grow with every one of them.
		for range overheadSessions - 1 {
			if _, err := call(ctx, r.login, loginEvent(email), 200); err != nil {
				runErr = err
				return
			}
		}
		for _, c := range []struct {
			h  httpapi.Lambda
			ev events.APIGatewayProxyRequest
			n  *int
		}{{r.sessions, sessionsEvent(tok), &nSessions}, {r.events, eventsEvent(tok), &nEvents}} {
			resp, err := call(ctx, c.h, c.ev, 200)
			if err == nil {
				*c.n, err = listTotal(resp)
			}
			if err != nil {
				runErr = err
				return
			}
		}
		total := overheadWarm + overheadN
		regs := make([]events.APIGatewayProxyRequest, total)
		for i := range regs {
			regs[i] = registerEvent(fmt.Sprintf("overhead-%06d@example.com", i))
		}
		for _, c := range []struct {
			name string
			h    httpapi.Lambda
			ev   func(i int) events.APIGatewayProxyRequest
			want int
		}{
			{"GET /v1/me", r.me, func(int) events.APIGatewayProxyRequest { return meEvent(tok) }, 200},
			{"GET /v1/auth/session", r.session, func(int) events.APIGatewayProxyRequest { return sessionEvent(tok) }, 200},
			{"GET /v1/me/sessions", r.sessions, func(int) events.APIGatewayProxyRequest { return sessionsEvent(tok) }, 200},
			{"GET /v1/me/events", r.events, func(int) events.APIGatewayProxyRequest { return eventsEvent(tok) }, 200},
			{"POST /v1/auth/login", r.login, func(int) events.APIGatewayProxyRequest { return loginEvent(email) }, 200},
			{"POST /v1/auth/register", r.register, func(i int) events.APIGatewayProxyRequest { return regs[i] }, 201},
		} {
			evs := make([]events.APIGatewayProxyRequest, total)
			for i := range evs {
				evs[i] = c.ev(i)
			}
			n, mean, err := timeRoute(ctx, c.h, evs, c.want)
			if err != nil {
				runErr = errors.Join(runErr, fmt.Errorf("%s: %w", c.name, err))
				continue
			}
			results = append(results, result{c.name, n, mean})
		}
	})
	means := map[string]time.Duration{}
	for _, res := range results {
		means[res.name] = res.mean
		s.row(res.name, us(res.mean), "< "+us(overheadBudget), mark(res.mean < overheadBudget))
		if res.n < overheadN {
			s.note("%s: only %d requests within %s", res.name, res.n, overheadRouteTimeout)
		}
	}
	if nSessions > 0 {
		s.note("GET /v1/me/sessions lists %d live sessions and GET /v1/me/events %d events (the account's, before the timed logins).", nSessions, nEvents)
	}
	load.note(s)
	hash := cheapHashTime()
	weight := "large"
	switch {
	case hash < overheadBudget/10:
		weight = "negligible"
	case hash < overheadBudget/2:
		weight = "small"
	}
	s.note("Nothing is subtracted: register's figure includes one argon2id hash and login's one verification,")
	s.note("at m=%d KiB, t=%d, p=%d: %s each here (median of single hashes), %s beside the budget.",
		cheapArgon2.MemoryKiB, cheapArgon2.Iterations, cheapArgon2.Parallelism, us(hash), weight)
	s.err = errors.Join(runErr, qerr)
	return s, means
}

// timeRoute calls h with evs[:overheadWarm] untimed, then times the rest, stopping early
// when overheadRouteTimeout has passed. It returns how many were timed and their mean.
func timeRoute(ctx context.Context, h httpapi.Lambda, evs []events.APIGatewayProxyRequest, want int) (int, time.Duration, error) {
	for _, ev := range evs[:overheadWarm] {
		if _, err := call(ctx, h, ev, want); err != nil {
			return 0, 0, err
		}
	}
	timed := evs[overheadWarm:]
	bad := 0
	var lastBad events.APIGatewayProxyResponse
	start := time.Now()
	deadline := start.Add(overheadRouteTimeout)
	n := 0
	for n < len(timed) && (n%64 != 0 || time.Now().Before(deadline)) {
		resp, err := h(ctx, timed[n])
		if err != nil || resp.StatusCode != want {
			bad++
			lastBad = resp
		}
		n++
	}
	elapsed := time.Since(start)
	if bad > 0 {
		return 0, 0, fmt.Errorf("%d of %d requests failed, the last with status %d: %s", bad, n, lastBad.StatusCode, lastBad.Body)
	}
	return n, elapsed / time.Duration(n), nil
}

// cheapHashTime is the median time of one hash with cheapArgon2, over up to 201 hashes.
func cheapHashTime() time.Duration {
	h := auth.Hasher{MemoryKiB: cheapArgon2.MemoryKiB, Iterations: cheapArgon2.Iterations, Parallelism: cheapArgon2.Parallelism}
	h.Hash(benchPassword)
	var times []time.Duration
	deadline := time.Now().Add(2 * time.Second)
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		t0 := time.Now()
		h.Hash(benchPassword)
		times = append(times, time.Since(t0))
	}
	return median(times)
}

func us(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}
