package localstack

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestTimingDebug(t *testing.T) {
	if os.Getenv("TIMING") == "" {
		t.Skip()
	}
	start := time.Now()
	st, err := Start(context.Background(), Options{Dir: "/tmp/lt", DataDir: os.Getenv("TIMING_DIR"), Log: os.Stdout})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("start %s", time.Since(start))
	st.Stop()
}
