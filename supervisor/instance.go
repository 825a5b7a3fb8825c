package supervisor

import (
	"context"
	"os"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/internal/inproc"
	"github.com/procpool/supervisor/worker"
)

// An instance is one running worker, whichever the mode: the seam between
// the two. Everything else (dispatch, retries, restarts, events, stats,
// shutdown) lives once, in this package; a backend starts a worker, runs
// the batches it is sent, and says how the worker ended.
//
// Send, Flush, Recv and Ready are for the one goroutine that feeds the
// worker (its slot's); the other methods are safe from any goroutine.
type instance interface {
	// Send queues tasks as one batch named ticket, to run one after
	// another under deadline (zero: none), without waiting. Tickets are
	// the caller's, increasing from one batch to the next; a Cancel may
	// name a ticket before its Send. The caller may reuse tasks once Send
	// returns; the inputs must stay as they are until the answer.
	Send(ticket uint64, tasks []worker.Task, deadline time.Time)
	// Flush writes what Send queued.
	Flush()
	// Recv waits for the next answer; every batch sent gets exactly one,
	// even when the worker dies (then Answer.Err is set). The answer is
	// valid until the next Recv.
	Recv() *backend.Answer
	// Ready reports whether Recv would return at once.
	Ready() bool
	// Cancel cancels the batch ticket and returns at once: the task
	// running sees its context end, and if it ignores that the kill ladder
	// follows (process mode) or the goroutine is abandoned (thread mode).
	Cancel(ticket uint64)
	// Kill ends the worker at once: SIGKILL to a worker process's group; a
	// goroutine is abandoned.
	Kill() error
	// Done is closed when the worker has ended; Err then says how.
	Done() <-chan struct{}
	Err() error
	// Stop ends the worker gently, then by force when ctx ends.
	Stop(ctx context.Context) error
	PID() int
	Startup() time.Duration
}

// A startFunc starts one worker of a mode; ctx bounds the start only.
type startFunc func(ctx context.Context, id int) (instance, error)

// goroutineInstance is a worker goroutine.
type goroutineInstance struct {
	*inproc.Worker
	started time.Duration
}

var selfPID = os.Getpid()

func (s *Supervisor) startGoroutine(context.Context, int) (instance, error) {
	begin := time.Now()
	w := inproc.Start(inproc.Config{Grace: s.cfg.Grace, Registry: s.cfg.Registry})
	return goroutineInstance{Worker: w, started: time.Since(begin)}, nil
}

func (g goroutineInstance) PID() int               { return selfPID }
func (g goroutineInstance) Startup() time.Duration { return g.started }
