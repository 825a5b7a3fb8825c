package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/procpool/supervisor/supervisor"
)

// parseLogLevel reads --log-level.
func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usagef("--log-level=%s: want debug, info, warn or error", s)
	}
	return l, nil
}

// newLogger logs to stderr; stdout carries results only.
func newLogger(stderr io.Writer, level, format string) *slog.Logger {
	l, _ := parseLogLevel(level)
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// eventPrinter reports what happens to workers and tasks on stderr, as it
// happens. Routine starts and stops are left out: the start is announced
// once, and the summary says how the run ended.
type eventPrinter struct {
	nop
	mu sync.Mutex
	w  io.Writer
}

func newEventPrinter(w io.Writer) *eventPrinter { return &eventPrinter{w: w} }

func (p *eventPrinter) event(e supervisor.Event) {
	switch e := e.(type) {
	case supervisor.TaskFinished:
		return
	case supervisor.WorkerStarted:
		if !e.Replacing {
			return
		}
	case supervisor.WorkerExited:
		if e.Cause == supervisor.CauseStopping {
			return
		}
	case supervisor.GaveUp:
		if errors.Is(e.Err, context.Canceled) { // a signal cut the start-up short, and said so
			return
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "supervisor: %s\n", e)
}
