package cluster

import (
	"context"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// A Pool is what an agent needs of the local pool that runs its tasks on
// this host. NewLocalPool adapts package supervisor's pool to it.
type Pool interface {
	// Run runs t on one of the pool's workers and returns how it ended. It
	// blocks until then. Cancelling ctx cancels the task, walking the kill
	// ladder if it ignores that; a cause wrapping ErrKill kills its worker
	// at once instead. A deadline on ctx whose cause wraps
	// supervisor.ErrTimeout ends the task as timed out. The pool never runs
	// a task again on its own: a death is the agent's to answer.
	Run(ctx context.Context, t worker.Task) Outcome
	// Size is how many tasks the pool runs at once.
	Size() int
	// Done is closed when the pool has stopped: after Stop, or when it
	// gave up (Err then says why).
	Done() <-chan struct{}
	// Err is why the pool stopped itself (it gave up), or nil.
	Err() error
	// Stop stops the pool: gently, then by force once ctx ends.
	Stop(ctx context.Context) error
}

// An Outcome is how one task ended on a local pool.
type Outcome struct {
	// Status is one of ok, error (the task's own), panic, died (its
	// worker died; Err wraps a *supervisor.WorkerError), timeout, canceled,
	// quarantined or memory (its worker passed its memory limit).
	Status supervisor.Status
	Output []byte
	Err    error
	Worker int // the worker that ran it, 0 if none did
	PID    int
	Exec   time.Duration
}
