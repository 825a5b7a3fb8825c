package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/procpool/supervisor/internal/inproc"
)

var (
	// ErrStopped is the error of a task that never ran, or was cancelled,
	// because the supervisor stopped.
	ErrStopped = errors.New("supervisor stopped")

	// ErrGaveUp is wrapped by the supervisor's error when it stopped
	// itself: more than Config.MaxRestarts unplanned restarts within
	// Config.RestartWindow, or a worker that failed to start too many times
	// in a row.
	ErrGaveUp = errors.New("supervisor gave up")

	// ErrCanceled is the error of a task ended by Future.Cancel. It wraps
	// context.Canceled.
	ErrCanceled = fmt.Errorf("task cancelled by Future.Cancel: %w", context.Canceled)

	// ErrTimeout is wrapped by the error of a task whose attempt ran past
	// Config.Timeout; the error also wraps what the task returned (for a
	// task that honours its context, context.DeadlineExceeded).
	ErrTimeout = errors.New("task timed out")

	// ErrQuarantined is wrapped by the error of a task that has killed
	// Config.PoisonAfter workers and is not run again.
	ErrQuarantined = errors.New("quarantined")

	// ErrMemoryLimit is wrapped by the error of a task whose worker passed
	// Config.MaxWorkerRSS and was replaced.
	ErrMemoryLimit = errors.New("worker over its memory limit")

	// ErrKilled is the cause given to the tasks of a worker killed on
	// request in thread mode, where killing means cancelling; they run
	// again.
	ErrKilled = errors.New("worker killed on request")

	// ErrNoPool is the error of a task that no pool takes.
	ErrNoPool = errors.New("no pool takes this task")

	// ErrNoWorker is returned by the runtime controls for a worker id that
	// does not exist.
	ErrNoWorker = errors.New("no such worker")

	// ErrQueueFull is returned by TrySubmit when Config.MaxQueued tasks
	// already wait.
	ErrQueueFull = errors.New("queue full")

	// ErrInWorker is returned by New in a process started as a worker: its
	// main must call ServeWorker first (see ServeWorker), or every worker
	// would start workers of its own.
	ErrInWorker = errors.New("supervisor.New called in a worker process: call supervisor.ServeWorker at the top of main (and of TestMain) before anything else")

	// ErrAbandoned is wrapped by the error of a thread-mode task that
	// ignored cancellation: its goroutine still runs and cannot be stopped.
	ErrAbandoned = inproc.ErrAbandoned
)

// A WorkerError says that the worker running a task died: which worker,
// its PID, how it ended (exit code or signal), why the supervisor ended it
// if it did, and the last lines it wrote (its stderr and what its tasks
// printed). errors.As finds it in the error of a task whose worker died.
type WorkerError struct {
	Worker int
	PID    int
	Code   int            // exit status, or -1 when a signal killed it
	Signal syscall.Signal // the signal that killed it, or 0
	Output []string       // its last lines of output, oldest first
	Cause  Cause          // why the supervisor ended it; CauseNone when it died on its own
	err    error          // the backend's own account, for errors.Is
}

func (e *WorkerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "worker %d (pid %d) ", e.Worker, e.PID)
	if e.Signal != 0 {
		fmt.Fprintf(&b, "killed by %s", signalName(e.Signal))
	} else {
		fmt.Fprintf(&b, "exited with status %d", e.Code)
	}
	if e.Cause != CauseNone {
		fmt.Fprintf(&b, " (%s)", e.Cause)
	}
	if w := e.LastWords(); w != "" {
		fmt.Fprintf(&b, ": %s", w)
	}
	return b.String()
}

// Unwrap gives the backend's account of the death, which wraps the
// context's error when the kill ladder ended a cancelled task.
func (e *WorkerError) Unwrap() error { return e.err }

// LastWords is the most telling output line: the first line of a panic or
// fatal error if there is one, else the last line.
func (e *WorkerError) LastWords() string {
	for _, l := range e.Output {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return l
		}
	}
	if len(e.Output) == 0 {
		return ""
	}
	return e.Output[len(e.Output)-1]
}
