package worker

import (
	"context"
	"time"
)

// A Worker does tasks.
//
// Do runs one task and returns its result. It returns promptly once ctx is
// done, with an error for which errors.Is(err, ctx.Err()) is true, unless the
// task ignores cancellation; what happens then depends on the implementation
// (a worker process is killed, a goroutine is abandoned). Implementations in
// this project are safe for concurrent use.
type Worker interface {
	Do(ctx context.Context, t Task) (Result, error)
}

// A Task names a registered task function and carries its input.
type Task struct {
	Name  string // the registered name, see [Lookup]
	Input []byte // the argument, as given on the command line or by the caller
}

// A Result is what a task produced and where and how long it ran.
type Result struct {
	Output []byte        // the task's output; for the built-ins, one line of text
	Exec   time.Duration // how long the task function ran, measured where it ran
	PID    int           // the OS process the task ran in
}
