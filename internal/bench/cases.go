package bench

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/procpool/supervisor/internal/demo"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// A Case is one column of the comparison: a mode and, in process mode, a
// data path; thread mode optionally under the GIL emulation.
type Case struct {
	Mode supervisor.Mode
	IPC  supervisor.IPC // empty in thread mode
	GIL  bool
}

func (c Case) String() string {
	switch {
	case c.Mode == supervisor.ModeProcess:
		return "process/" + string(c.IPC)
	case c.GIL:
		return "thread+gil"
	}
	return "thread"
}

// caseFields is a Case as JSON carries it, embedded in each result.
type caseFields struct {
	Case string `json:"case"`
	Mode string `json:"mode"`
	IPC  string `json:"ipc,omitempty"`
	GIL  bool   `json:"gil,omitempty"`
}

func fieldsOf(c Case) caseFields {
	return caseFields{Case: c.String(), Mode: c.Mode.String(), IPC: string(c.IPC), GIL: c.GIL}
}

// cases are the process data paths to measure, then thread mode.
func (o Options) cases() []Case {
	var out []Case
	for _, p := range o.IPCs {
		out = append(out, Case{Mode: supervisor.ModeProcess, IPC: p})
	}
	return append(out, Case{Mode: supervisor.ModeThread})
}

// newPool starts a supervisor for one measurement. Warm spares are off
// unless cfg asks for them: a spare starting in the background would
// compete for the CPUs with what is being measured.
func (o Options) newPool(c Case, cfg supervisor.Config) (*supervisor.Supervisor, error) {
	cfg.Mode, cfg.IPC = c.Mode, c.IPC
	if c.Mode == supervisor.ModeThread {
		cfg.IPC = ""
	}
	if c.GIL { // the emulation is the demo tasks', for this process: on until stop
		demo.EnableGIL(&demo.GIL{})
	}
	cfg.WorkerCommand = o.WorkerCommand
	cfg.MaxPayload = o.MaxPayload
	if cfg.Spares == 0 {
		cfg.Spares = -1
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	s, err := supervisor.New(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	return s, nil
}

// stop stops a measurement's supervisor, by force after a few seconds.
func stop(s *supervisor.Supervisor) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.Stop(ctx, supervisor.CancelQueued, supervisor.CancelRunning)
	demo.EnableGIL(nil)
}

// timed is the context the timed calls run under: one that cannot be
// cancelled, as Python's calls and the library's own benchmarks have. A
// cancellable context costs the supervisor a watch on every call (see the
// throughput's cancellable-context row); the loops look at the caller's
// ctx between calls instead, so an interrupt still stops the run.
func timed(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// noop is the no-op task: echo of one byte.
var noop = worker.Task{Name: "echo", Input: []byte("x")}

// warm runs n no-op tasks, so that what follows is measured on running
// workers with warm caches, as Python's micro.py does.
func warm(ctx context.Context, s *supervisor.Supervisor, n int) error {
	fs := make([]*supervisor.Future[[]byte], n)
	for i := range fs {
		fs[i] = s.Submit(ctx, noop)
	}
	for _, f := range fs {
		if r := f.Result(); r.Err != nil {
			return fmt.Errorf("warm-up: %w", r.Err)
		}
	}
	return nil
}
