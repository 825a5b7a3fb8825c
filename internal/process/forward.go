package process

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// forwardStderr logs one line of a worker's stderr in the supervisor's log,
// tagged with the worker's id and PID. A worker logs hclog JSON, whose level
// and fields are kept; anything else (a Go panic's trace, a runtime fatal
// error) is logged at DEBUG, because the death report that follows carries
// its telling lines.
func (w *Worker) forwardStderr(line []byte) {
	ctx := context.Background()
	entry, ok := parseHclogJSON(line)
	if !ok {
		if w.cfg.Logger.Enabled(ctx, slog.LevelDebug) {
			w.cfg.Logger.Log(ctx, slog.LevelDebug, string(line), append(w.logAttrs(), "stream", "stderr")...)
		}
		return
	}
	lvl := slogLevel(hclog.LevelFromString(entry.level))
	if !w.cfg.Logger.Enabled(ctx, lvl) {
		return
	}
	w.cfg.Logger.Log(ctx, lvl, entry.msg, append(w.logAttrs(), entry.fields...)...)
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
	if r := w.runner; r != nil && r.cmd.Process != nil {
		pid = r.cmd.Process.Pid
	}
	return []any{"worker", w.id.Load(), "pid", pid}
}
