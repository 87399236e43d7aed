// Package logging is the one place that builds the logger: JSON lines on stdout, at the level
// LOG_LEVEL configures. Every package logs through Logger, so that one setting governs all of
// a function's output.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

var (
	level  slog.LevelVar // info until SetLevel
	logger = New(os.Stdout, &level)
)

// New returns a JSON logger that writes to w at level. Logger is New(os.Stdout, the
// configured level); tests build their own to read the lines.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// Logger returns the process's logger.
func Logger() *slog.Logger { return logger }

// SetLevel sets the lowest level Logger writes. It also makes Logger slog's default, so that
// code logging through slog.Default or the log package writes the same JSON at that level.
func SetLevel(l slog.Level) {
	level.Set(l)
	slog.SetDefault(logger)
}

// Fatal logs err as the reason init failed and exits; Lambda reports it as an init error.
func Fatal(err error) {
	logger.Error("init", "error", fmt.Sprint(err))
	os.Exit(1)
}
