package process

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// A LostError is the error of a task, or of a whole batch, whose worker
// died before it answered. errors.As finds the worker's *ExitError in it,
// always; errors.Is finds the context's error only when the task was
// killed for ignoring its context's end (see Canceled).
type LostError struct {
	PID  int
	Exit *ExitError // how the worker ended
	// Canceled is the context's error when the task's context had ended
	// and the kill ladder's signal is what ended the worker: the task
	// ignored cancellation. It is nil when the worker died of anything
	// else (it crashed, exited, or was killed on request or from outside),
	// even while the ladder was walking.
	Canceled error
	// Started and Finished are how many of the batch's tasks had started
	// and finished when the worker died, in order: task index Finished was
	// executing if Started > Finished, and tasks from index Started on never
	// started. Both are ProgressUnknown where the host cannot tell (see
	// Answer).
	Started, Finished int
}

func (e *LostError) Error() string {
	if e.Canceled != nil {
		return fmt.Sprintf("worker %d killed by the kill ladder (%s): the task ignored cancellation",
			e.PID, SignalName(e.Exit.Signal))
	}
	return fmt.Sprintf("worker %d %s", e.PID, e.Exit.Error())
}

// Unwrap gives the worker's exit and, for a task killed by the kill ladder,
// its context's error.
func (e *LostError) Unwrap() []error {
	if e.Canceled != nil {
		return []error{e.Canceled, e.Exit}
	}
	return []error{e.Exit}
}

// ProgressUnknown is LostError's and Answer's Started and Finished when
// the host cannot tell how far the batch got: outside Linux, where there
// is no shared progress record (memfd), or when the record could not be
// made.
const ProgressUnknown = -1

// lost is the error of a batch of n tasks numbered from first whose
// transport failed: the worker is dying or dead. It waits for the exit to
// be recorded (killing the worker if it lingers with a broken connection),
// so the caller sees Done closed.
func (w *Worker) lost(ctx context.Context, first uint64, n int) *LostError {
	return w.lostAs(ctx.Err(), first, n)
}

// lostAs is lost for a batch whose cancellation, if any, was canceled.
func (w *Worker) lostAs(canceled error, first uint64, n int) *LostError {
	select {
	case <-w.done:
	case <-time.After(w.cfg.Grace):
		_ = w.runner.signalGroup(syscall.SIGKILL, false)
		<-w.done
	}
	e := &LostError{PID: w.pid, Exit: w.exitErr}
	e.Started, e.Finished = w.final.of(first, n)
	if canceled != nil && w.exitErr.ladder {
		e.Canceled = canceled
	}
	return e
}

// progress is what the worker's progress record said when it died: the
// sequence numbers of the task it started last and of the one it finished
// last.
type progress struct {
	known             bool
	started, finished uint64
}

// of is how many of the n tasks numbered from first had started and
// finished. A worker runs one task at a time, so the task numbered
// started was executing if finished differs from it, and the batch that
// holds it is told exactly. Another batch was not executing: it counts as
// done whole if numbered below started, else as never started, which is
// exact where batches run in the order sent (the frame and stream paths;
// on the unary path concurrent batches may run in any order, so a batch
// below may have been waiting, one above may have run).
func (p progress) of(first uint64, n int) (started, finished int) {
	if !p.known || n <= 0 {
		return ProgressUnknown, ProgressUnknown
	}
	last := first + uint64(n) - 1
	switch {
	case p.started < first:
		return 0, 0
	case p.started > last:
		return n, n
	}
	started = int(p.started-first) + 1
	if p.finished != p.started {
		return started, started - 1
	}
	return started, started
}
