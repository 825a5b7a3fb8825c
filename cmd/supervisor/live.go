package main

import (
	"context"
	"syscall"

	"github.com/procpool/supervisor/internal/ops"
	"github.com/procpool/supervisor/supervisor"
)

// live is a running supervisor as the command's observers use it: the
// library's public API, with the few controls of internal/ops that the
// live view and the control socket need beyond it (pause, cancel a
// worker's tasks, kill with a signal of one's choice). It is what the live
// view's Pool, the control socket's Target and the metrics' Source ask for.
type live struct {
	*supervisor.Supervisor
	ops.Controls
	total int // the run's tasks, when known: they are submitted as the run goes
}

func newLive(s *supervisor.Supervisor) live { return live{Supervisor: s, Controls: ops.For(s)} }

// Workers is every worker, by id.
func (l live) Workers() []supervisor.WorkerInfo { return l.Stats().Workers }

// Submitted is how many tasks were submitted so far, or the run's whole
// workload when known: the command submits its tasks a window at a time,
// and a progress bar's total should not grow as it goes.
func (l live) Submitted() int { return max(int(l.Stats().Submitted), l.total) }

// Queued is how many tasks wait for a worker.
func (l live) Queued() int { return l.Stats().Queued }

// Kill kills worker id with sig (the view's k and t keys).
func (l live) Kill(id int, sig syscall.Signal) error { return l.Signal(id, sig) }

// CancelTask cancels the tasks worker id runs (the view's c key).
func (l live) CancelTask(id int) error { return l.CancelTasks(id) }

// AddWorker adds a worker to the named pool (the view's + key).
func (l live) AddWorker(pool string) (int, error) {
	return l.Supervisor.AddWorker(context.Background(), pool)
}

// Stop stops the run as a user's quit does: no task starts, running ones
// are cancelled, and the workers stop, by force once ctx ends.
func (l live) Stop(ctx context.Context) error {
	return l.Supervisor.Stop(ctx, supervisor.CancelQueued, supervisor.CancelRunning)
}
