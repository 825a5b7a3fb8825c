package limits

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"syscall"
)

// Estimates of the threads a worker costs, measured on Linux with the
// supervisor's own worker (docs/architecture.md): a worker process runs 7
// to 8 threads, and the supervisor keeps up to 2 for each (the frame data
// path's locked reader and writer). They err high: an estimate too low
// lets the runtime die mid-start, which is what this package prevents.
const (
	ThreadsPerWorkerProcess    = 8
	SupervisorThreadsPerWorker = 2
	// Headroom is what the supervisor may still add for itself: its
	// runtime, gRPC and the tools of the run (metrics, control socket).
	Headroom = 16
)

// ErrBudget is wrapped by the error of a check that does not fit.
var ErrBudget = errors.New("not enough threads")

// A Budget is what this process may start.
type Budget struct {
	// NProc is the soft RLIMIT_NPROC, or -1 when it does not apply: no
	// limit, or root, which the kernel exempts.
	NProc int
	// InUse is how many threads the user runs now, in every process.
	InUse int
	// MaxThreads is Go's limit on this process's threads.
	MaxThreads int
	// Own is how many threads this process runs now.
	Own int
}

// Current reads the budget now.
func Current() Budget {
	b := Budget{NProc: -1, MaxThreads: maxThreads(), Own: ownThreads()}
	var rl syscall.Rlimit
	if os.Geteuid() != 0 && syscall.Getrlimit(rlimitNProc, &rl) == nil && rl.Cur < math.MaxInt32 {
		b.NProc = int(rl.Cur)
		b.InUse = userThreads(os.Getuid())
	}
	return b
}

// maxThreads reads Go's thread limit, which can only be read by setting
// it: it is raised for a moment, never lowered, so no thread started
// meanwhile can trip it.
func maxThreads() int {
	n := debug.SetMaxThreads(math.MaxInt32)
	debug.SetMaxThreads(n)
	return n
}

// CheckWorkers reports whether n workers fit the budget: n worker
// processes (workers and spares) in mode "process", n goroutines in mode
// "thread". The error, wrapping ErrBudget, is one line that names the limit.
func CheckWorkers(mode string, n int) error {
	return Current().Check(mode, n)
}

// Check is CheckWorkers against b.
func (b Budget) Check(mode string, n int) error {
	if mode == "thread" {
		// A goroutine worker costs a thread only while its task blocks in a
		// system call; Go's limit is fatal when passed, so the pool must fit
		// it even if every worker blocks at once. The user's limit counts
		// real threads only, of which the runtime needs few.
		need := b.Own + n + Headroom
		if need > b.MaxThreads {
			return &Error{What: fmt.Sprintf("%d goroutine workers", n), Need: need, Limit: b.MaxThreads, Name: "Go's thread limit of this process"}
		}
		return nil
	}
	own := b.Own + n*SupervisorThreadsPerWorker + Headroom
	if own > b.MaxThreads {
		return &Error{What: fmt.Sprintf("%d worker processes", n), Need: own, Limit: b.MaxThreads, Name: "Go's thread limit of this process"}
	}
	if b.NProc < 0 {
		return nil
	}
	need := n*(ThreadsPerWorkerProcess+SupervisorThreadsPerWorker) + Headroom
	if b.InUse+need > b.NProc {
		return &Error{What: fmt.Sprintf("%d worker processes", n), Need: need, Limit: b.NProc, InUse: b.InUse,
			Name: "this user's process limit (ulimit -u)"}
	}
	return nil
}

// An Error says which limit a pool does not fit.
type Error struct {
	What  string // e.g. "20 worker processes"
	Need  int    // threads the pool needs, by estimate
	Limit int
	InUse int // threads of the user already running, for RLIMIT_NPROC
	Name  string
}

func (e *Error) Error() string {
	if e.InUse > 0 {
		return fmt.Sprintf("%s need about %d more threads, but %s is %d and %d are in use", e.What, e.Need, e.Name, e.Limit, e.InUse)
	}
	return fmt.Sprintf("%s need about %d threads, but %s is %d", e.What, e.Need, e.Name, e.Limit)
}

// Unwrap makes the error match ErrBudget.
func (e *Error) Unwrap() error { return ErrBudget }
