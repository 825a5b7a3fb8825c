package tui

import (
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/supervisor"
)

// Pool is what the view shows and acts on: a running supervisor, through
// an adapter the command makes, over the supervisor in this process
// (--ui=tui) or over its control socket ("supervisor top").
//
// The view calls every method from its own goroutines, never from the
// screen's event loop, so a method that blocks (AddWorker waits for the
// worker to be ready; a remote call waits for its answer) does not freeze
// the screen; it calls Snapshot again only once the previous one has
// returned.
type Pool interface {
	// Snapshot describes the run now, with the event lines numbered after
	// eventsAfter. An error means the run can no longer be watched (its
	// supervisor has gone): the view says so and stops refreshing.
	Snapshot(eventsAfter uint64) (Snapshot, error)

	// Kill sends sig, SIGKILL or SIGTERM, to worker id (k and t); in
	// thread mode it cancels the worker's task.
	Kill(id int, sig syscall.Signal) error
	// CancelTask cancels the task worker id runs (c).
	CancelTask(id int) error
	// AddWorker starts a worker in the named pool, "" for the first, and
	// returns its id once it is ready (+).
	AddWorker(pool string) (int, error)
	// RemoveWorker retires worker id once its tasks are done (-).
	RemoveWorker(id int) error
	// SetPaused stops or resumes handing out tasks (p).
	SetPaused(paused bool) error
}

// A Snapshot is the run as the view shows it.
type Snapshot struct {
	Mode      supervisor.Mode
	IPC       string    // process mode's data path; empty in thread mode
	Began     time.Time // when the run began
	Workers   []supervisor.WorkerInfo
	Submitted int
	Paused    bool
	Totals    feed.Totals
	Events    []feed.Line // numbered after the Snapshot call's eventsAfter, oldest first
}
