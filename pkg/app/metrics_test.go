package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/logging"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/user"
)

// The service's writes are counted from their security events: a sign-up, sign-ins by
// method, failures of known and unknown logins and the locks they lead to; nothing for a
// write that fails.
func TestCountingStoreCountsTheEvents(t *testing.T) {
	var buf bytes.Buffer
	rec := metrics.New(logging.New(&buf, slog.LevelError), "test")
	cfg := config.Defaults("t")
	cfg.Argon2 = config.Argon2{MemoryKiB: 8, Iterations: 1, Parallelism: 1}
	cfg.LoginMaxFailures = 2
	svc := service(cfg, countingStore{memstore.New(), rec}, time.Now, nil, nil, nil, nil, nil)
	ctx := context.Background()
	c := user.Client{IP: "192.0.2.1"}
	const password = "correct horse battery staple"

	if _, err := svc.Register(ctx, user.Registration{Email: "ann@example.com", Password: password, Client: c}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Register(ctx, user.Registration{Email: "ann@example.com", Password: password, Client: c}); !errors.Is(err, user.ErrEmailTaken) {
		t.Fatalf("second sign-up: %v, want email taken", err) // a failed write: not counted
	}
	if _, err := svc.Login(ctx, user.LoginInput{Login: "ann@example.com", Password: password, Client: c}); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"ann@example.com", "ann@example.com", "nobody@example.com", "nobody@example.com"} {
		if _, err := svc.Login(ctx, user.LoginInput{Login: login, Password: "wrong password!", Client: c}); err == nil {
			t.Fatalf("login %s with a wrong password succeeded", login)
		}
	}

	counts := map[string]float64{}
	methods := map[string]float64{}
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		ps, err := metrics.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			counts[p.Name] += p.Value
			if m := p.Dimensions[len(p.Dimensions)-1][metrics.MethodDimension]; m != "" {
				methods[m] += p.Value
			}
		}
	}
	want := map[string]float64{metrics.Registrations: 1, metrics.SignIns: 1, metrics.SignInFailures: 4, metrics.Locks: 2}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{user.MethodPassword: 1}, methods); diff != "" {
		t.Errorf("sign-ins by method (-want +got):\n%s", diff)
	}
}

func TestCountTxOfOtherEvents(t *testing.T) {
	var buf bytes.Buffer
	rec := metrics.New(logging.New(&buf, slog.LevelError), "test")
	now := time.Now()
	countTx(context.Background(), rec, &user.Tx{Now: now, Events: []*user.Event{
		{Type: user.EventReauthenticated},
		{Type: user.EventAccountCreated, Detail: map[string]string{"by": "admin-id"}}, // not a sign-up
		{Type: user.EventLoginSucceeded, Detail: map[string]string{"method": "pwd+otp"}},
		{Type: user.EventPasswordChanged},
	}})
	var names []string
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		ps, _ := metrics.Parse(line)
		for _, p := range ps {
			names = append(names, p.Name+"/"+p.Dimensions[len(p.Dimensions)-1][metrics.MethodDimension])
		}
	}
	if diff := cmp.Diff([]string{metrics.Reauthentications + "/", metrics.SignIns + "/pwd+otp"}, names); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}
