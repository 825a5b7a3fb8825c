package supervisor

import (
	"fmt"
	"time"
)

// An Event is something that happened to a worker or a task, delivered to
// Config.OnEvent as it happens. Switch on the concrete type for details.
type Event interface {
	fmt.Stringer
	event()
}

// WorkerStarted: a worker is ready for tasks.
type WorkerStarted struct {
	Worker  int
	PID     int           // the supervisor's own in thread mode
	Startup time.Duration // spawn to first reply (process) or goroutine start (thread)
	// Replacing is true when it replaced a worker that ended, and Ready is
	// then how long after that worker's end it was ready: near zero when a
	// warm spare took over.
	Replacing bool
	Ready     time.Duration
	Spare     bool // it was a warm spare
}

// WorkerExited: a worker ended. Planned is true when the supervisor ended
// it itself (stop, recycle, timeout, memory limit, kill on request).
type WorkerExited struct {
	Worker  int
	PID     int
	Reason  string // e.g. "killed by SIGKILL", "exited with status 2"
	Cause   Cause  // why the supervisor ended it; CauseNone when it died on its own
	Planned bool   // Cause != CauseNone
	TaskID  uint64 // the task it was running, or 0
	Task    string // that task's name
	Err     error
}

// WorkerStartFailed: a worker failed to start (its process died or hung
// before its first reply, say); another attempt follows unless the
// supervisor gives up.
type WorkerStartFailed struct {
	Worker  int
	Attempt int // how many starts in a row have failed
	Err     error
}

// WorkerRestarting: a dead worker will be replaced after Delay.
type WorkerRestarting struct {
	Worker   int
	Delay    time.Duration
	Restarts int // how many times this worker has been restarted
}

// TaskRetried: a task whose worker died (or was killed on request) runs
// again. Charged is true when the death counts against the task (towards
// Config.Retries and Config.PoisonAfter): it was executing when its worker
// died on its own. A task waiting behind it in a pipeline or a chunk, or
// whose answer died with the worker, runs again at no charge.
type TaskRetried struct {
	TaskID  uint64
	Task    string
	Attempt int // the attempt about to start
	Err     error
	Charged bool
}

// TaskQuarantined: a task killed Config.PoisonAfter workers and will not
// run again.
type TaskQuarantined struct {
	TaskID uint64
	Task   string
	Kills  int
}

// GoroutineAbandoned: in thread mode, a task ignored cancellation past the
// grace; its goroutine still runs and a new one takes its place.
type GoroutineAbandoned struct {
	Worker int
	TaskID uint64
	Task   string
}

// WorkerKilled: a kill was requested (Kill, chaos). In thread mode Stopped
// says whether the goroutine's task returned after its context was
// cancelled.
type WorkerKilled struct {
	Worker  int
	PID     int
	Signal  string
	Thread  bool
	Stopped bool
}

// TaskFinished: a task has its result. Emitted for every task, so keep
// the handler cheap.
type TaskFinished struct{ Result Result }

// GaveUp: the supervisor stopped itself.
type GaveUp struct{ Err error }

func (WorkerStarted) event()      {}
func (WorkerExited) event()       {}
func (WorkerRestarting) event()   {}
func (WorkerStartFailed) event()  {}
func (TaskRetried) event()        {}
func (TaskQuarantined) event()    {}
func (GoroutineAbandoned) event() {}
func (WorkerKilled) event()       {}
func (GaveUp) event()             {}
func (TaskFinished) event()       {}

func (e WorkerStarted) String() string {
	s := fmt.Sprintf("worker %d started (pid %d) in %s", e.Worker, e.PID, roundDur(e.Startup))
	if e.Replacing {
		s += fmt.Sprintf("; replacement ready %s after the old one ended", roundDur(e.Ready))
		if e.Spare {
			s += " (warm spare)"
		}
	}
	return s
}

func (e WorkerExited) String() string {
	s := fmt.Sprintf("worker %d (pid %d) %s", e.Worker, e.PID, e.Reason)
	if e.Cause != CauseNone {
		s += " (" + e.Cause.String() + ")"
	}
	if e.TaskID != 0 {
		s += fmt.Sprintf(" while running task %d (%s)", e.TaskID, e.Task)
	}
	return s
}

func (e WorkerStartFailed) String() string {
	return fmt.Sprintf("worker %d failed to start (attempt %d): %v", e.Worker, e.Attempt, e.Err)
}

func (e WorkerRestarting) String() string {
	return fmt.Sprintf("worker %d restarting in %s (restart %d)", e.Worker, roundDur(e.Delay), e.Restarts)
}

func (e TaskRetried) String() string {
	charge := "no charge"
	if e.Charged {
		charge = "charged"
	}
	return fmt.Sprintf("task %d (%s) retried (%s), attempt %d: %v", e.TaskID, e.Task, charge, e.Attempt, e.Err)
}

func (e TaskQuarantined) String() string {
	return fmt.Sprintf("task %d (%s) quarantined: it killed %d workers", e.TaskID, e.Task, e.Kills)
}

func (e GoroutineAbandoned) String() string {
	return fmt.Sprintf("worker %d abandoned: task %d (%s) ignored cancellation; its goroutine still runs and cannot be reclaimed",
		e.Worker, e.TaskID, e.Task)
}

func (e WorkerKilled) String() string {
	if e.Thread {
		if e.Stopped {
			return fmt.Sprintf("worker %d: kill requested; goroutines cannot be killed, its task was cancelled and stopped", e.Worker)
		}
		return fmt.Sprintf("worker %d: kill requested; goroutines cannot be killed, its task was cancelled but did not stop", e.Worker)
	}
	return fmt.Sprintf("worker %d (pid %d) sent %s on request", e.Worker, e.PID, e.Signal)
}

func (e GaveUp) String() string { return e.Err.Error() }

func (e TaskFinished) String() string {
	r := e.Result
	if r.Err != nil {
		return fmt.Sprintf("task %d (%s) %s: %v", r.ID, r.Task.Name, r.Status, r.Err)
	}
	return fmt.Sprintf("task %d (%s) ok", r.ID, r.Task.Name)
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(100 * time.Nanosecond)
}
