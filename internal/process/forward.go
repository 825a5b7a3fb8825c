package process

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// forwardOutput logs one line of a worker's output in the supervisor's
// log, tagged with the worker's id and PID and the stream it came on. The
// worker's own logger writes hclog JSON to stderr, whose level and fields
// are kept. Anything else is what tasks wrote (fmt.Println, os.Stderr, the
// log package, a child process sharing the worker's stdout or stderr),
// logged at INFO, until a Go crash begins (a panic's or a runtime fatal
// error's first line): its trace is logged at DEBUG, because the death
// report that follows carries its telling lines.
func (w *Worker) forwardOutput(stream string, line []byte) {
	ctx := context.Background()
	if stream == streamStderr {
		if entry, ok := parseHclogJSON(line); ok {
			lvl := slogLevel(hclog.LevelFromString(entry.level))
			if w.cfg.Logger.Enabled(ctx, lvl) {
				w.cfg.Logger.Log(ctx, lvl, entry.msg, append(w.logAttrs(), entry.fields...)...)
			}
			return
		}
	}
	lvl := slog.LevelInfo
	if w.crashing.Load() || stream == streamStderr && crashBegins(line) {
		w.crashing.Store(true)
		lvl = slog.LevelDebug
	}
	if w.cfg.Logger.Enabled(ctx, lvl) {
		w.cfg.Logger.Log(ctx, lvl, string(line), append(w.logAttrs(), "stream", stream)...)
	}
}

// crashBegins reports whether line is the first of a Go panic or fatal
// error, as the runtime writes them to stderr.
func crashBegins(line []byte) bool {
	return bytes.HasPrefix(line, []byte("panic: ")) || bytes.HasPrefix(line, []byte("fatal error: "))
}

type hclogEntry struct {
	level, msg string
	fields     []any
}

// parseHclogJSON reads one of hclog's JSON lines: "@level", "@message" and
// the fields; "@timestamp" and "@module" are left out (slog adds its own
// time, and the worker tag says where it came from).
func parseHclogJSON(line []byte) (hclogEntry, bool) {
	if len(line) == 0 || line[0] != '{' {
		return hclogEntry{}, false
	}
	var m map[string]any
	if json.Unmarshal(line, &m) != nil {
		return hclogEntry{}, false
	}
	level, _ := m["@level"].(string)
	msg, _ := m["@message"].(string)
	if level == "" {
		return hclogEntry{}, false
	}
	e := hclogEntry{level: level, msg: msg}
	for k, v := range m {
		if !strings.HasPrefix(k, "@") {
			e.fields = append(e.fields, k, v)
		}
	}
	return e, true
}

// logAttrs tags a log line with the worker's id and PID as they are now: a
// spare takes its id when put to work, and the PID is known only after the
// spawn.
func (w *Worker) logAttrs() []any {
	pid := 0
	if r := w.runner; r != nil {
		pid = r.PID()
	}
	return []any{"worker", w.id.Load(), "pid", pid}
}
