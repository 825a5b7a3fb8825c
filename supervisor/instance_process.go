package supervisor

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/procpool/supervisor/internal/process"
	"github.com/procpool/supervisor/internal/rundir"
)

// This file is process mode's side of the seam: the one place in package
// supervisor that knows worker processes.

var _ instance = (*process.Worker)(nil)

// processBackend is what process mode holds for the whole supervisor: the
// private directory for the workers' sockets, and the guard that kills
// their groups should this process die.
type processBackend struct {
	dir   *rundir.Dir
	guard *process.Guard
}

// openProcessBackend makes the directory and starts the guard.
func openProcessBackend(cfg Config) (*processBackend, error) {
	if err := process.CheckMaxPayload(process.IPC(cfg.IPC), cfg.MaxPayload); err != nil {
		return nil, fmt.Errorf("%w: MaxPayload: %w", ErrConfig, err)
	}
	dir, err := rundir.Create("")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGaveUp, err)
	}
	guard, err := process.StartGuard(cfg.WorkerCommand)
	if err != nil {
		_ = dir.Remove()
		return nil, fmt.Errorf("%w: %w", ErrGaveUp, err)
	}
	return &processBackend{dir: dir, guard: guard}, nil
}

// close stops the guard and removes the directory, once every worker is
// gone.
func (b *processBackend) close() {
	if b == nil {
		return
	}
	_ = b.guard.Close()
	_ = b.dir.Remove()
}

func (s *Supervisor) startProcess(ctx context.Context, id int) (instance, error) {
	return process.Start(ctx, process.Config{
		ID:           id,
		Command:      s.cfg.WorkerCommand,
		IPC:          process.IPC(s.cfg.IPC),
		MaxPayload:   s.cfg.MaxPayload,
		Grace:        s.cfg.Grace,
		StartTimeout: s.cfg.StartTimeout,
		Logger:       s.cfg.Logger,
		LogLevel:     s.cfg.WorkerLogLevel,
		SocketDir:    s.backend.dir.Path(),
		Guard:        s.backend.guard,
	})
}

func signalName(sig syscall.Signal) string { return process.SignalName(sig) }

// workerError is the error of a task whose worker died under it, death
// being the backend's error for the lost batch: a *WorkerError for a
// worker process, with how it ended and why; for a goroutine, which cannot
// die, death itself (it was abandoned).
func (sl *slot) workerError(l *life, death error) error {
	var exit *process.ExitError
	if !errors.As(l.inst.Err(), &exit) {
		return death
	}
	return &WorkerError{Worker: sl.id, PID: exit.PID, Code: exit.Code, Signal: exit.Signal,
		Output: exit.Stderr, Cause: l.plannedCause(), err: death}
}

// killedFromOutside reports whether err, a worker's failed start, says a
// signal from outside ended the worker: a SIGKILL or SIGTERM the supervisor
// did not send (kill(1), the OOM killer). Like ownDeath for a task, unlike
// an exit or a crash, that says nothing against the worker's command.
func killedFromOutside(err error) bool {
	var exit *process.ExitError
	return errors.As(err, &exit) && exit.Sent == 0 &&
		(exit.Signal == syscall.SIGKILL || exit.Signal == syscall.SIGTERM)
}

// ladderKilled reports whether death, a lost batch's error, says the kill
// ladder's signal ended its worker: a task ignored its cancellation.
func ladderKilled(death error) bool {
	var lost *process.LostError
	return errors.As(death, &lost) && lost.Canceled != nil
}

// usageOf is what a worker process consumed over its life.
func usageOf(inst instance) process.Usage {
	if p, ok := inst.(*process.Worker); ok {
		return p.Usage()
	}
	return process.Usage{}
}

// sampleMemory reads a worker process's peak memory, so that its record
// has it when it dies.
func sampleMemory(inst instance) {
	if p, ok := inst.(*process.Worker); ok {
		p.SampleMemory()
	}
}

// inWorker reports whether this process was started as a worker (or as a
// worker's guard): then New must not start workers of its own, or every
// worker would start more (a program whose main forgets ServeWorker).
func inWorker() bool { return process.InWorker() }

// serveProcess is a worker process's main (see ServeWorker).
func serveProcess() error { return process.Serve() }

// allowedCPUs lists the CPUs this process may run on, for CPUAffinity.
func allowedCPUs() ([]int, error) { return process.AllowedCPUs() }
