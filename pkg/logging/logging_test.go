package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestSetLevel(t *testing.T) {
	defer SetLevel(slog.LevelInfo)
	ctx := context.Background()
	for _, tt := range []struct {
		level           slog.Level
		debug, info, er bool
	}{
		{slog.LevelDebug, true, true, true},
		{slog.LevelInfo, false, true, true},
		{slog.LevelError, false, false, true},
	} {
		SetLevel(tt.level)
		got := [3]bool{Logger().Enabled(ctx, slog.LevelDebug), Logger().Enabled(ctx, slog.LevelInfo), Logger().Enabled(ctx, slog.LevelError)}
		if got != [3]bool{tt.debug, tt.info, tt.er} {
			t.Errorf("SetLevel(%v): debug, info, error enabled %v", tt.level, got)
		}
		if slog.Default() != Logger() {
			t.Errorf("SetLevel(%v): slog.Default is not Logger", tt.level)
		}
	}
}

func TestNewWritesJSON(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, slog.LevelWarn).Info("dropped")
	New(&buf, slog.LevelWarn).Warn("kept", "k", "v")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("output %q: want one JSON line: %v", buf.String(), err)
	}
	if line["msg"] != "kept" || line["k"] != "v" || line["level"] != "WARN" {
		t.Errorf("got %v", line)
	}
}
