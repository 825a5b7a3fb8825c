package supervisor

import (
	"time"

	"github.com/procpool/supervisor/worker"
)

// Status classifies how a task ended.
type Status int

const (
	StatusOK          Status = iota // the task returned a result
	StatusFailed                    // the task returned an error of its own
	StatusPanic                     // the task panicked; the error is a *worker.PanicError
	StatusDied                      // its worker died, and retries ran out; see *WorkerError
	StatusTimeout                   // Config.Timeout ran out
	StatusCanceled                  // its context was cancelled, or the supervisor stopped
	StatusQuarantined               // it killed Config.PoisonAfter workers
	StatusMemory                    // its worker passed Config.MaxWorkerRSS
)

var statusNames = [...]string{"ok", "error", "panic", "died", "timeout", "canceled", "quarantined", "memory"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Statuses lists every status, in order.
func Statuses() []Status {
	out := make([]Status, len(statusNames))
	for i := range out {
		out[i] = Status(i)
	}
	return out
}

// A Result is how one submitted task ended. Every task gets exactly one.
type Result struct {
	ID     uint64 // the task's number, in submission order from 1
	Task   worker.Task
	Status Status
	Output []byte
	Err    error // nil exactly when Status is StatusOK

	Worker int // the worker that ran the last attempt; 0 if none did
	PID    int // its OS process (the supervisor's own in thread mode)
	// Agent is the host agent that ran it, for an executor on many hosts
	// (package cluster); empty on the local pool. Worker and PID are then
	// that agent's.
	Agent    string
	Attempts int // how many workers the task ran on (one it never started on does not count)

	// Exec is how long the task function ran, measured where it ran.
	// RoundTrip is how long the supervisor waited for it, from handing the
	// task to the worker to receiving the answer. Their difference is the
	// cost of the mode: IPC and scheduling.
	Exec      time.Duration
	RoundTrip time.Duration
	// Queued is how long the task waited for a worker, over all attempts.
	Queued time.Duration
}

// Overhead is RoundTrip minus Exec: what it cost to get the task to its
// worker and the answer back. Zero when the task never reached a worker.
func (r Result) Overhead() time.Duration {
	if r.RoundTrip <= 0 {
		return 0
	}
	return max(r.RoundTrip-r.Exec, 0)
}
