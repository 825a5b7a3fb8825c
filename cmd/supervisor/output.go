package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/procpool/supervisor/internal/clitext"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// newPrinter returns the observer that prints results on stdout as they
// complete, then the summary: JSON Lines or text.
func newPrinter(asJSON bool, w io.Writer) observer {
	if asJSON {
		out := newLateWriter(w)
		return &jsonPrinter{out: out, enc: json.NewEncoder(out)}
	}
	return &textPrinter{w: w}
}

// taskLine is one task in the JSON Lines output. Empty fields are
// omitted. Input and output are strings when they are UTF-8, else base64
// with input_encoding or output_encoding set to "base64" (issue #13:
// binary data used to be forced into strings, and lost).
type taskLine struct {
	Type           string    `json:"type"`
	ID             uint64    `json:"id"`
	Task           string    `json:"task"`
	Input          string    `json:"input,omitempty"`
	InputEncoding  string    `json:"input_encoding,omitempty"`
	Status         string    `json:"status"`
	Output         string    `json:"output,omitempty"`
	OutputEncoding string    `json:"output_encoding,omitempty"`
	Error          string    `json:"error,omitempty"`
	Worker         int       `json:"worker,omitempty"`
	PID            int       `json:"pid,omitempty"`
	Attempts       int       `json:"attempts,omitempty"`
	ExecNs         int64     `json:"exec_ns,omitempty"`
	OverheadNs     int64     `json:"overhead_ns,omitempty"`
	RoundTrip      int64     `json:"round_trip_ns,omitempty"`
	QueuedNs       int64     `json:"queued_ns,omitempty"`
	Start          time.Time `json:"start,omitzero"` // handed to its worker: End minus the round trip
	End            time.Time `json:"end,omitzero"`   // its result arrived
}

// newTaskLine describes r, whose result arrived at end.
func newTaskLine(r supervisor.Result, end time.Time) taskLine {
	l := taskLine{Type: "task", ID: r.ID, Task: r.Task.Name, Status: r.Status.String(), Worker: r.Worker, PID: r.PID,
		Attempts: r.Attempts, ExecNs: int64(r.Exec), OverheadNs: int64(r.Overhead()),
		RoundTrip: int64(r.RoundTrip), QueuedNs: int64(r.Queued), End: end.UTC()}
	l.Input, l.InputEncoding = textOrBase64(r.Task.Input)
	l.Output, l.OutputEncoding = textOrBase64(r.Output)
	if r.RoundTrip > 0 {
		l.Start = l.End.Add(-r.RoundTrip)
	}
	if r.Err != nil {
		l.Error = clitext.Err(r.Err)
	}
	return l
}

// textOrBase64 keeps b as text when it is UTF-8, else encodes it.
func textOrBase64(b []byte) (string, string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

// output is the task's output as it was, decoded if need be.
func (l taskLine) output() string {
	if l.OutputEncoding == "base64" {
		b, _ := base64.StdEncoding.DecodeString(l.Output)
		return string(b)
	}
	return l.Output
}

type jsonPrinter struct {
	nop
	out *lateWriter
	enc *json.Encoder
}

func (p *jsonPrinter) result(r supervisor.Result) {
	_ = p.enc.Encode(newTaskLine(r, time.Now()))
}

func (p *jsonPrinter) detach(s summary) {
	_ = p.enc.Encode(s)
	_ = p.out.Flush()
}

type textPrinter struct {
	nop
	w       io.Writer
	started bool
}

func (p *textPrinter) result(r supervisor.Result) {
	if !p.started {
		fmt.Fprintf(p.w, "%5s  %-9s %-7s %-8s %s\n", "TASK", "TIME", "WORKER", "PID", "RESULT")
		p.started = true
	}
	result := string(r.Output)
	if r.Err != nil {
		result = firstLine(clitext.Err(r.Err))
		if !strings.HasPrefix(result, r.Status.String()) {
			result = r.Status.String() + ": " + result
		}
	}
	if r.Attempts > 1 {
		result += fmt.Sprintf("  (attempt %d)", r.Attempts)
	}
	fmt.Fprintf(p.w, "%5d  %-9s %-7d %-8d %s\n", r.ID, units.Duration(r.RoundTrip), r.Worker, r.PID, result)
}

func (p *textPrinter) detach(s summary) {
	w := p.w
	fmt.Fprintln(w)
	mode := s.Mode
	if s.IPC != "" {
		mode += " (data path " + s.IPC + ")"
	}
	fmt.Fprintf(w, "%-14s %s\n", "mode", mode)
	fmt.Fprintf(w, "%-14s %d: %d ok, %d failed%s\n", "tasks", s.Tasks, s.OK, s.Failed, statusDetail(s.Statuses))
	fmt.Fprintf(w, "%-14s %s\n", "workers", workerList(s))
	fmt.Fprintf(w, "%-14s %s\n", "wall", units.Duration(time.Duration(s.WallNs)))
	cpu := "supervisor " + units.Duration(time.Duration(s.CPU.SupervisorNs))
	if s.Mode == "process" {
		cpu += ", workers " + units.Duration(time.Duration(s.CPU.WorkersNs))
	} else {
		cpu += " (the workers are goroutines in it)"
	}
	fmt.Fprintf(w, "%-14s %s\n", "cpu", cpu)
	fmt.Fprintf(w, "%-14s all %d ready in %s; each %s p50, %s max\n", "start-up", s.Workers,
		units.Duration(time.Duration(s.Startup.AllNs)), units.Duration(time.Duration(s.Startup.P50Ns)), units.Duration(time.Duration(s.Startup.MaxNs)))
	fmt.Fprintf(w, "%-14s p50 %s, p99 %s per task (round trip minus time in the worker)\n", "ipc overhead",
		units.Duration(time.Duration(s.Overhead.P50Ns)), units.Duration(time.Duration(s.Overhead.P99Ns)))
	rss := "supervisor " + units.MiB(s.PeakRSS.SupervisorBytes)
	if s.Mode == "process" {
		rss += ", largest worker " + units.MiB(s.PeakRSS.WorkerMaxBytes)
	}
	fmt.Fprintf(w, "%-14s %s\n", "peak rss", rss)
}

func workerList(s summary) string {
	if s.Mode == "thread" {
		return fmt.Sprintf("%d goroutines in the supervisor (pid %d)", s.Workers, s.PIDs[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d; pids", s.Workers)
	for _, p := range s.Processes {
		fmt.Fprintf(&b, " %d", p.PID)
		if p.Worker == 0 {
			b.WriteString(" (spare)")
		}
	}
	if s.Restarts > 0 {
		fmt.Fprintf(&b, "; %d %s", s.Restarts, plural(s.Restarts, "restart", "restarts"))
	}
	return b.String()
}

func statusDetail(m map[string]int) string {
	var parts []string
	for _, st := range supervisor.Statuses()[1:] {
		if n := m[st.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
