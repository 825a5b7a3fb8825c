package supervisor

import (
	"errors"

	"fmt"
	"strings"

	"github.com/procpool/supervisor/internal/inproc"
	"github.com/procpool/supervisor/internal/process"
)

var (
	// ErrStopped is the error of a task that never ran, or was cancelled,
	// because the supervisor stopped.
	ErrStopped = errors.New("supervisor stopped")

	// ErrGaveUp is wrapped by the supervisor's error when it stopped
	// itself: more than MaxRestarts unplanned restarts within the window,
	// or workers that cannot start.
	ErrGaveUp = errors.New("supervisor gave up")

	// ErrTimeout is the cause of a task's context when Config.Timeout ran
	// out; its error wraps both this and context.DeadlineExceeded.
	ErrTimeout = errors.New("task timed out")

	// ErrQuarantined is wrapped by the error of a task that has killed
	// Config.PoisonAfter workers and is not run again.
	ErrQuarantined = errors.New("quarantined")

	// ErrMemoryLimit is wrapped by the error of a task whose worker passed
	// Config.MaxWorkerRSS and was replaced.
	ErrMemoryLimit = errors.New("worker over its memory limit")

	// ErrKilled is the cause given to a task's context when its worker is
	// killed on request (Kill, chaos) in thread mode, where killing means
	// cancelling.
	ErrKilled = errors.New("worker killed on request")

	// ErrNoPool is the error of a task that no pool takes.
	ErrNoPool = errors.New("no pool takes this task")

	// ErrAbandoned is wrapped by the error of a thread-mode task that
	// ignored cancellation: its goroutine still runs and cannot be stopped.
	ErrAbandoned = inproc.ErrAbandoned
)

// A WorkerError says that the worker running a task died: which worker,
// its PID, how it ended (exit code or signal) and the last lines of its
// stderr.
type WorkerError struct {
	Worker int
	PID    int
	Code   int    // exit status, or -1 when killed by a signal
	Signal string // e.g. "SIGSEGV", or ""
	Stderr []string
	Reason string // how the supervisor explains it, e.g. "killed on request"
}

func (e *WorkerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "worker %d (pid %d) ", e.Worker, e.PID)
	if e.Signal != "" {
		fmt.Fprintf(&b, "killed by %s", e.Signal)
	} else {
		fmt.Fprintf(&b, "exited with status %d", e.Code)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, " (%s)", e.Reason)
	}
	if w := e.LastWords(); w != "" {
		fmt.Fprintf(&b, ": %s", w)
	}
	return b.String()
}

// LastWords is the most telling stderr line: the first line of a panic or
// fatal error if there is one, else the last line.
func (e *WorkerError) LastWords() string { return process.LastWords(e.Stderr) }
