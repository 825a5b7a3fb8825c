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

// A call is one hand-off to the worker's goroutine: one task (Do), or a
// batch run one task after another (DoBatch), with their results.
type call struct {
	ctx     context.Context
	tasks   []worker.Task
	res     []worker.Result
	errs    []error
	replied chan struct{}

	// Do's storage, so that a lone task costs one allocation, not four.
	one    [1]worker.Task
	oneRes [1]worker.Result
	oneErr [1]error
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
		w.runCall(c)
		close(c.replied)
		if w.abandoned() {
			return // its caller gave up on it; a replacement does the work now
		}
	}
}

// runCall runs a call's tasks in order. Once the context has ended, the
// tasks of a batch left are not started: they end with its error.
func (w *Worker) runCall(c *call) {
	ctx := c.ctx
	if w.gil != nil {
		ctx = worker.WithGIL(ctx, w.gil)
	}
	for i, t := range c.tasks {
		if err := ctx.Err(); err != nil && i > 0 {
			c.errs[i] = err
			continue
		}
		c.res[i], c.errs[i] = worker.Run(ctx, t)
	}
}

// Do hands t to the worker's goroutine and waits for the result. If ctx
// ends first, Do waits the grace for the task to notice; past it, the
// goroutine is abandoned and Do returns an error wrapping both ctx's error
// and ErrAbandoned.
func (w *Worker) Do(ctx context.Context, t worker.Task) (worker.Result, error) {
	c := &call{ctx: ctx, one: [1]worker.Task{t}}
	c.tasks, c.res, c.errs = c.one[:], c.oneRes[:], c.oneErr[:]
	if err := w.hand(c); err != nil {
		return worker.Result{}, err
	}
	return c.res[0], c.errs[0]
}

// DoBatch hands tasks to the worker's goroutine in one go, which runs them
// one after another, and fills res and errs (each as long as tasks) with
// their results: one hand-off for the whole batch. When ctx ends, the task
// running sees it and the tasks after it are not started (they end with
// ctx's error). The error is the batch's as a whole, as Do's: the worker
// had stopped, or its goroutine was abandoned; res and errs are then not
// set.
func (w *Worker) DoBatch(ctx context.Context, tasks []worker.Task, res []worker.Result, errs []error) error {
	c := &call{ctx: ctx, tasks: tasks, res: make([]worker.Result, len(tasks)), errs: make([]error, len(tasks))}
	if err := w.hand(c); err != nil {
		return err
	}
	// Copied only now: an abandoned goroutine may still write to c's.
	copy(res, c.res)
	copy(errs, c.errs)
	return nil
}

// hand gives c to the worker's goroutine and waits until it is done, or
// until ctx has ended and the grace after it passed: then the goroutine is
// abandoned.
func (w *Worker) hand(c *call) error {
	ctx := c.ctx
	c.replied = make(chan struct{})
	select {
	case w.calls <- c:
	case <-w.stop:
		return ErrStopped
	case <-w.done:
		return ErrStopped
	}
	select {
	case <-c.replied:
		return nil
	case <-ctx.Done():
	}
	t0 := time.NewTimer(w.grace)
	defer t0.Stop()
	select {
	case <-c.replied:
		return nil
	case <-t0.C:
	}
	err := &abandonedError{cause: ctx.Err()}
	w.finish(err)
	return err
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
