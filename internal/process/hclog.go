package process

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// hclogBridge is the hclog.Logger go-plugin gets: its messages go to
// log/slog, tagged with the worker's id and PID, and capped at DEBUG.
// They are go-plugin's business (handshake chatter, and "plugin process
// exited" at ERROR for every kill); the supervisor reports deaths itself,
// with reasons.
//
// go-plugin also forwards a worker's stderr through a Named child logger,
// guessing levels from the text. We forward those lines ourselves instead
// (see forwardStderr), with the worker's own levels, so that child is
// silenced.
type hclogBridge struct {
	l       *slog.Logger
	attrs   func() []any // worker id and PID, read at log time
	name    string
	implied []any
	silent  bool
}

func newHclogBridge(l *slog.Logger, attrs func() []any) *hclogBridge {
	return &hclogBridge{l: l, attrs: attrs}
}

var _ hclog.Logger = (*hclogBridge)(nil)

func slogLevel(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func (b *hclogBridge) Log(level hclog.Level, msg string, args ...any) {
	lvl := min(slogLevel(level), slog.LevelDebug)
	ctx := context.Background()
	if b.silent || !b.l.Enabled(ctx, lvl) {
		return
	}
	if b.name != "" {
		args = append(args, "logger", b.name)
	}
	all := append(append(b.attrs(), b.implied...), args...)
	b.l.Log(ctx, lvl, msg, all...)
}

func (b *hclogBridge) Trace(msg string, args ...any) { b.Log(hclog.Trace, msg, args...) }
func (b *hclogBridge) Debug(msg string, args ...any) { b.Log(hclog.Debug, msg, args...) }
func (b *hclogBridge) Info(msg string, args ...any)  { b.Log(hclog.Info, msg, args...) }
func (b *hclogBridge) Warn(msg string, args ...any)  { b.Log(hclog.Warn, msg, args...) }
func (b *hclogBridge) Error(msg string, args ...any) { b.Log(hclog.Error, msg, args...) }

func (b *hclogBridge) enabled(level hclog.Level) bool {
	return !b.silent && b.l.Enabled(context.Background(), min(slogLevel(level), slog.LevelDebug))
}

func (b *hclogBridge) IsTrace() bool { return b.enabled(hclog.Trace) }
func (b *hclogBridge) IsDebug() bool { return b.enabled(hclog.Debug) }
func (b *hclogBridge) IsInfo() bool  { return b.enabled(hclog.Info) }
func (b *hclogBridge) IsWarn() bool  { return b.enabled(hclog.Warn) }
func (b *hclogBridge) IsError() bool { return b.enabled(hclog.Error) }

func (b *hclogBridge) ImpliedArgs() []any { return b.implied }

func (b *hclogBridge) With(args ...any) hclog.Logger {
	c := *b
	c.implied = append(append([]any(nil), b.implied...), args...)
	return &c
}

func (b *hclogBridge) Name() string { return b.name }

// stderrLogger is the name go-plugin gives the logger it forwards a
// worker's stderr to: the runner's Name.
const stderrLogger = "worker"

func (b *hclogBridge) Named(name string) hclog.Logger {
	c := *b
	c.silent = c.silent || name == stderrLogger
	if c.name != "" {
		name = c.name + "." + name
	}
	c.name = name
	return &c
}

func (b *hclogBridge) ResetNamed(name string) hclog.Logger {
	c := *b
	c.silent = name == stderrLogger
	c.name = name
	return &c
}

// SetLevel is ignored: the slog handler owns the level.
func (b *hclogBridge) SetLevel(hclog.Level) {}

func (b *hclogBridge) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn} {
		if b.enabled(l) {
			return l
		}
	}
	return hclog.Error
}

func (b *hclogBridge) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(b.StandardWriter(opts), "", 0)
}

func (b *hclogBridge) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		b.Info(string(bytes.TrimRight(p, "\n")))
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
