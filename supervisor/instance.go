package supervisor

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/inproc"
	"github.com/procpool/supervisor/internal/process"
	"github.com/procpool/supervisor/worker"
)

// An instance is one running worker, whichever the mode: the seam between
// the two. Everything else (dispatch, retries, restarts, events, stats,
// shutdown) lives once, in this package.
type instance interface {
	worker.Worker
	// DoBatch runs tasks one after another in one hand-off to the worker,
	// under one context, and fills res and errs with each task's result.
	// Its error is the batch's as a whole, as Do's error for a worker that
	// died or was abandoned; res and errs are then not set.
	DoBatch(ctx context.Context, tasks []worker.Task, res []worker.Result, errs []error) error
	// Done is closed when the worker has ended; Err then says how.
	Done() <-chan struct{}
	Err() error
	// Stop ends the worker gently, then by force when ctx ends.
	Stop(ctx context.Context) error
	PID() int
	Startup() time.Duration
}

// A pipeliner is an instance that can have several batches in flight:
// a worker process (see process.Worker.Send). Send queues a batch, Flush
// writes what was queued, Recv returns the next answer (every batch sent
// gets exactly one), and Ready says whether one is at hand.
type pipeliner interface {
	Send(ctx context.Context, tasks []worker.Task) uint64
	Flush()
	Recv() process.Answer
	Ready() bool // Recv would return at once
}

var _ pipeliner = processInstance{}

// A startFunc starts one worker of a mode.
type startFunc func(ctx context.Context, id int) (instance, error)

// processInstance is a worker process.
type processInstance struct{ *process.Worker }

func (s *Supervisor) startProcess(ctx context.Context, id int) (instance, error) {
	w, err := process.Start(ctx, process.Config{
		ID:           id,
		Command:      s.cfg.WorkerCommand,
		IPC:          process.IPC(s.cfg.IPC),
		MaxPayload:   s.cfg.MaxPayload,
		Grace:        s.cfg.Grace,
		StartTimeout: s.cfg.StartTimeout,
		Logger:       s.cfg.Logger,
		LogLevel:     s.cfg.WorkerLogLevel,
	})
	if err != nil {
		return nil, err
	}
	return processInstance{w}, nil
}

// goroutineInstance is a worker goroutine.
type goroutineInstance struct {
	*inproc.Worker
	started time.Duration
}

var selfPID = os.Getpid()

func (s *Supervisor) startGoroutine(context.Context, int) (instance, error) {
	begin := time.Now()
	cfg := inproc.Config{Grace: s.cfg.Grace}
	if s.cfg.GIL {
		cfg.GIL = &s.gil
	}
	w := inproc.Start(cfg)
	return goroutineInstance{Worker: w, started: time.Since(begin)}, nil
}

func (g goroutineInstance) PID() int               { return selfPID }
func (g goroutineInstance) Startup() time.Duration { return g.started }

// signaller is implemented by instances that can be sent a signal.
type signaller interface {
	Signal(sig syscall.Signal) error
}

// exitInfo turns an instance's end into a *WorkerError for a task's result,
// or nil when the instance did not die (a goroutine was abandoned).
func exitInfo(id int, inst instance, reason string) *WorkerError {
	var exit *process.ExitError
	if !errors.As(inst.Err(), &exit) {
		return nil
	}
	e := &WorkerError{Worker: id, PID: exit.PID, Code: exit.Code, Stderr: exit.Stderr, Reason: reason}
	if exit.Signal != 0 {
		e.Signal = process.SignalName(exit.Signal)
	}
	return e
}

// usageOf is what a worker process consumed over its life.
func usageOf(inst instance) process.Usage {
	if p, ok := inst.(processInstance); ok {
		return p.Usage()
	}
	return process.Usage{}
}
