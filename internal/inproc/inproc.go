// Package inproc runs workers as goroutines inside the supervisor's own
// process: thread mode. Starting one costs a goroutine; a task's result
// needs no copying; and nothing can be killed. Cancellation is cooperative,
// a task that ignores it keeps its goroutine forever (the worker is then
// reported abandoned and replaced), and a fatal fault in any task ends the
// whole process.
package inproc

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/procpool/supervisor/worker"
)

var (
	// ErrAbandoned is wrapped by the error of a worker whose task ignored
	// cancellation past the grace: its goroutine still runs, and nothing
	// can stop it.
	ErrAbandoned = errors.New("goroutine abandoned: the task ignored cancellation and cannot be killed")

	// ErrStopped is returned by Do on a worker that has been stopped.
	ErrStopped = errors.New("worker stopped")
)

// DefaultGrace is how long Do waits for a task to return after its context
// ends before abandoning the goroutine.
const DefaultGrace = 500 * time.Millisecond

// A Worker is one goroutine that does tasks one at a time. Its methods are
// safe for concurrent use.
type Worker struct {
	grace time.Duration
	gil   *worker.GIL // nil unless the GIL emulation is on

	calls    chan *call
	stop     chan struct{} // closed by Stop
	stopOnce sync.Once
	once     sync.Once
	done     chan struct{} // closed when the goroutine has returned or been abandoned
	mu       sync.Mutex
	err      error
}

type call struct {
	ctx     context.Context
	task    worker.Task
	res     worker.Result
	err     error
	replied chan struct{}
}

// Config configures a goroutine worker; the zero value is ready to use.
type Config struct {
	// Grace is how long a task may run on after its context ends before
	// the goroutine is abandoned. Default DefaultGrace.
	Grace time.Duration
	// GIL, when set, is held by CPU-bound tasks while they compute, the way
	// CPython's global interpreter lock serialises its threads; one GIL is
	// shared by all the workers of a supervisor. An emulation, for
	// comparison (see worker.GIL).
	GIL *worker.GIL
}

// Start starts a worker goroutine. It lives until Stop, or until a task
// ignores cancellation and the goroutine is abandoned.
func Start(cfg Config) *Worker {
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	w := &Worker{grace: cfg.Grace, gil: cfg.GIL,
		calls: make(chan *call), stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *Worker) loop() {
	defer w.finish(nil)
	for {
		var c *call
		select {
		case c = <-w.calls:
		case <-w.stop:
			return
		}
		c.res, c.err = w.run(c.ctx, c.task)
		close(c.replied)
		if w.abandoned() {
			return // its caller gave up on it; a replacement does the work now
		}
	}
}

func (w *Worker) run(ctx context.Context, t worker.Task) (worker.Result, error) {
	if w.gil != nil {
		ctx = worker.WithGIL(ctx, w.gil)
	}
	return worker.Run(ctx, t)
}

// Do hands t to the worker's goroutine and waits for the result. If ctx
// ends first, Do waits the grace for the task to notice; past it, the
// goroutine is abandoned and Do returns an error wrapping both ctx's error
// and ErrAbandoned.
func (w *Worker) Do(ctx context.Context, t worker.Task) (worker.Result, error) {
	c := &call{ctx: ctx, task: t, replied: make(chan struct{})}
	select {
	case w.calls <- c:
	case <-w.stop:
		return worker.Result{}, ErrStopped
	case <-w.done:
		return worker.Result{}, ErrStopped
	}
	select {
	case <-c.replied:
		return c.res, c.err
	case <-ctx.Done():
	}
	t0 := time.NewTimer(w.grace)
	defer t0.Stop()
	select {
	case <-c.replied:
		return c.res, c.err
	case <-t0.C:
	}
	err := &abandonedError{cause: ctx.Err()}
	w.finish(err)
	return worker.Result{}, err
}

func (w *Worker) abandoned() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return errors.Is(w.err, ErrAbandoned)
}

// finish records why the worker ended and closes Done, once.
func (w *Worker) finish(err error) {
	w.once.Do(func() {
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(w.done)
	})
}

// Done is closed when the worker's goroutine has returned or been
// abandoned.
func (w *Worker) Done() <-chan struct{} { return w.done }

// Err is nil for a worker that stopped normally and wraps ErrAbandoned for
// one that was abandoned.
func (w *Worker) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Stop tells the goroutine to return once its current task is done and
// waits for that, or for ctx to end. A goroutine cannot be stopped by
// force: if ctx ends first, it is abandoned.
func (w *Worker) Stop(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stop) })
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		err := &abandonedError{cause: ctx.Err()}
		w.finish(err)
		return err
	}
}

var _ worker.Worker = (*Worker)(nil)

// An abandonedError is ErrAbandoned for a task whose context ended with
// cause; errors.Is finds both, and the message says it once.
type abandonedError struct{ cause error }

func (e *abandonedError) Error() string   { return ErrAbandoned.Error() }
func (e *abandonedError) Unwrap() []error { return []error{ErrAbandoned, e.cause} }
