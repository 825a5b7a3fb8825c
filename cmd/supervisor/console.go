package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// A console is stderr in the run's log format. As text it passes writes
// through. As JSON (--log-format=json) every line becomes a JSON object,
// so that stderr is one format a log collector can parse: lines that are
// JSON already (the logger's) pass through whole, and any other line, such
// as "supervisor: control socket ...", is logged as a message at info
// level (issue #13).
type console struct {
	w    io.Writer
	json *slog.Logger // nil for text

	mu      sync.Mutex
	partial []byte // the start of a line not yet ended
}

func newConsole(w io.Writer, asJSON bool) *console {
	c := &console{w: w}
	if asJSON {
		c.json = slog.New(slog.NewJSONHandler(w, nil))
	}
	return c
}

// out is where the run's own output to stderr goes: the terminal itself
// for text, so that the views can tell it is one.
func (c *console) out() io.Writer {
	if c.json == nil {
		return c.w
	}
	return c
}

// Write converts whole lines; a partial line waits for its end.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		c.line(c.partial[:i+1])
		c.partial = c.partial[i+1:]
	}
	if len(c.partial) == 0 {
		c.partial = nil
	}
	return len(p), nil
}

// line writes one line in the console's format; mu is held.
func (c *console) line(l []byte) {
	if bytes.HasPrefix(l, []byte("{")) {
		_, _ = c.w.Write(l)
		return
	}
	msg := strings.TrimPrefix(strings.TrimRight(string(l), "\r\n"), "supervisor: ")
	c.json.Log(context.Background(), slog.LevelInfo, msg)
}

// errorf reports an error in one line, at error level in JSON.
func (c *console) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if c.json == nil {
		fmt.Fprintf(c.w, "supervisor: %s\n", msg)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.json.Error(msg)
}

// report prints err, unless it was told already, and returns the error
// that carries its exit code without printing it again.
func (c *console) report(err error) error {
	if err == nil {
		return nil
	}
	code := codeOf(err)
	var told *exitStatus
	if !errors.As(err, &told) {
		c.errorf("%v", err)
	}
	return &exitStatus{code: code}
}
