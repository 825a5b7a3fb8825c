package main

import (
	"context"
	"fmt"
	"syscall"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/internal/ops"
	"github.com/procpool/supervisor/internal/tui"
	"github.com/procpool/supervisor/supervisor"
)

// live is a running supervisor as the command's observers use it: the
// library's public API, with the few controls of internal/ops that the
// live view and the control socket need beyond it (pause, cancel a
// worker's tasks, kill with a signal of one's choice), and the run's feed
// of event lines and counts. It is what the live view's Pool, the control
// socket's Target and the metrics' Source ask for.
//
// Actions taken on request (cancel, add, retire, pause) leave a line in
// the feed: the supervisor reports none of them itself, and whoever
// watches the run, here or through "supervisor top", should see them.
type live struct {
	*supervisor.Supervisor
	ops.Controls
	feed  *feed.Feed
	total int // the run's tasks, when known: they are submitted as the run goes
}

func newLive(s *supervisor.Supervisor, f *feed.Feed) live {
	return live{Supervisor: s, Controls: ops.For(s), feed: f}
}

var _ tui.Pool = live{}

// Workers is every worker, by id.
func (l live) Workers() []supervisor.WorkerInfo { return l.Stats().Workers }

// Submitted is how many tasks were submitted so far, or the run's whole
// workload when known: the command submits its tasks a window at a time,
// and a progress bar's total should not grow as it goes.
func (l live) Submitted() int { return max(int(l.Stats().Submitted), l.total) }

// Queued is how many tasks wait for a worker.
func (l live) Queued() int { return l.Stats().Queued }

// Snapshot is the run as the live view shows it.
func (l live) Snapshot(eventsAfter uint64) (tui.Snapshot, error) {
	st, cfg := l.Stats(), l.Config()
	snap := tui.Snapshot{Mode: cfg.Mode, Began: l.feed.Began(), Workers: st.Workers, Submitted: int(st.Submitted),
		Paused: st.Paused, Totals: l.feed.Totals(), Events: l.feed.After(eventsAfter)}
	if cfg.Mode == supervisor.ModeProcess {
		snap.IPC = string(cfg.IPC)
	}
	return snap, nil
}

// Kill kills worker id with sig (the view's k and t keys).
func (l live) Kill(id int, sig syscall.Signal) error { return l.Signal(id, sig) }

// CancelTask cancels the tasks worker id runs (the view's c key).
func (l live) CancelTask(id int) error {
	what := "its task"
	for _, w := range l.Workers() {
		if w.ID == id && w.TaskID != 0 {
			what = fmt.Sprintf("task %d (%s)", w.TaskID, w.Task)
		}
	}
	if err := l.CancelTasks(id); err != nil {
		return err
	}
	l.feed.Note(fmt.Sprintf("worker %d: %s cancelled on request", id, what))
	return nil
}

// AddWorker adds a worker to the named pool (the view's + key).
func (l live) AddWorker(pool string) (int, error) {
	id, err := l.Supervisor.AddWorker(context.Background(), pool)
	if err == nil {
		l.feed.Note(fmt.Sprintf("worker %d added on request", id))
	}
	return id, err
}

// RemoveWorker retires worker id once its tasks are done (the view's -
// key).
func (l live) RemoveWorker(id int) error {
	if err := l.Supervisor.RemoveWorker(id); err != nil {
		return err
	}
	l.feed.Note(fmt.Sprintf("worker %d retiring on request: it takes no new task and stops once its tasks are done", id))
	return nil
}

// SetPaused pauses or resumes dispatch (the view's p key).
func (l live) SetPaused(paused bool) error {
	l.Controls.SetPaused(paused)
	if paused {
		l.feed.Note("paused on request: no new task starts; running ones carry on")
	} else {
		l.feed.Note("resumed on request")
	}
	return nil
}

// Stop stops the run as a user's quit does: no task starts, running ones
// are cancelled, and the workers stop, by force once ctx ends.
func (l live) Stop(ctx context.Context) error {
	return l.Supervisor.Stop(ctx, supervisor.CancelQueued, supervisor.CancelRunning)
}

// feedObserver records the run's events in its feed. It comes first among
// the observers, so that the start-up's events are in the feed.
type feedObserver struct {
	nop
	feed *feed.Feed
}

func (f feedObserver) event(e supervisor.Event) { f.feed.Event(e) }
