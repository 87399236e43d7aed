package metrics

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/logging"
)

func TestCountWritesEMF(t *testing.T) {
	var buf bytes.Buffer
	// The logger is at error level: metrics are written all the same.
	r := New(logging.New(&buf, slog.LevelError), "Userbase/test")
	r.now = func() time.Time { return time.UnixMilli(1700000000123) }
	ctx := context.Background()
	r.Count(ctx, SignIns, 1, Dim{MethodDimension, "password+otp"})
	r.Count(ctx, Locks, 2)
	r.Count(ctx, Locks, 0) // nothing

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	var got []Point
	for _, l := range lines {
		ps, err := Parse(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got = append(got, ps...)
	}
	want := []Point{
		{Namespace: "Userbase/test", Name: SignIns, Value: 1, Timestamp: 1700000000123,
			Dimensions: []map[string]string{{}, {MethodDimension: "password+otp"}}},
		{Namespace: "Userbase/test", Name: Locks, Value: 2, Timestamp: 1700000000123,
			Dimensions: []map[string]string{{}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
}

func TestNilRecorderWritesNothing(t *testing.T) {
	var r *Recorder
	r.Count(context.Background(), SignIns, 1) // must not panic
	if r.Namespace() != "" {
		t.Errorf("nil namespace %q", r.Namespace())
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name, line string
		points     int
		bad        bool
	}{
		{"plain log line", `{"msg":"request","status":200}`, 0, false},
		{"not JSON", `START RequestId: x`, 0, false},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],"Metrics":[{"Name":"A"}]}]},"A":1}`, 0, true},
		{"metric missing", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],"Metrics":[{"Name":"A"}]}]}}`, 0, true},
		{"dimension missing", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["D"]],"Metrics":[{"Name":"A"}]}]},"A":1}`, 0, true},
		{"good", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["D"]],"Metrics":[{"Name":"A"},{"Name":"B"}]}]},"A":1,"B":2.5,"D":"x"}`, 2, false},
	} {
		ps, err := Parse([]byte(tt.line))
		if (err != nil) != tt.bad || len(ps) != tt.points {
			t.Errorf("%s: %d points, error %v; want %d points, error %v", tt.name, len(ps), err, tt.points, tt.bad)
		}
	}
}

// Counting allocates a bounded, small amount: the directive is encoded once.
func TestCountAllocations(t *testing.T) {
	var buf bytes.Buffer
	r := New(logging.New(&buf, slog.LevelInfo), "n")
	ctx := context.Background()
	dim := Dim{MethodDimension, "password"}
	r.Count(ctx, SignIns, 1, dim)
	n := testing.AllocsPerRun(100, func() {
		buf.Reset()
		r.Count(ctx, SignIns, 1, dim)
	})
	if n > 10 {
		t.Errorf("%v allocations per count, want at most 10", n)
	}
}
