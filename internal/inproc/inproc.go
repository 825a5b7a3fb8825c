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

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/worker"
)

var (
	// ErrAbandoned is wrapped by the error of a worker whose task ignored
	// cancellation past the grace: its goroutine still runs, and nothing
	// can stop it.
	ErrAbandoned = errors.New("goroutine abandoned: the task ignored cancellation and cannot be killed")

	// ErrStopped is the error of a batch sent to a worker that has been
	// stopped.
	ErrStopped = errors.New("worker stopped")
)

// DefaultGrace is how long a task may run on after its context ends before
// the goroutine is abandoned.
const DefaultGrace = 500 * time.Millisecond

// Config configures a goroutine worker; the zero value is ready to use.
type Config struct {
	// Grace is how long a task may run on after its context ends before
	// the goroutine is abandoned. Default DefaultGrace.
	Grace time.Duration
	// Registry is where the worker finds its tasks. Default
	// worker.Default.
	Registry *worker.Registry
}

// A Worker is one goroutine that runs batches of tasks one at a time, in
// the order they were sent. Send and Recv are for one goroutine at a time;
// the other methods are safe for concurrent use.
type Worker struct {
	grace time.Duration
	reg   *worker.Registry

	mu      sync.Mutex
	queue   []*call             // sent, not yet taken by the goroutine
	pending []*call             // sent, not yet answered by Recv
	seq     uint64              // Do's and DoBatch's tickets
	early   map[uint64]struct{} // tickets cancelled before they were sent
	// lastAnswered is the highest ticket answered: a Cancel of one at or
	// below it is late, not early.
	lastAnswered uint64
	err          error
	kick         chan struct{} // the goroutine has work, or should look at stop
	stop         chan struct{} // closed by Stop
	stopped      sync.Once
	done         chan struct{} // closed when the goroutine has returned or been abandoned
	ended        sync.Once

	ans   backend.Answer // Recv's, reused
	start time.Time
}

// Start starts a worker goroutine. It lives until Stop, or until a task
// ignores cancellation and the goroutine is abandoned.
func Start(cfg Config) *Worker {
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Registry == nil {
		cfg.Registry = worker.Default
	}
	w := &Worker{grace: cfg.Grace, reg: cfg.Registry, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}), start: time.Now()}
	go w.loop()
	return w
}

func (w *Worker) loop() {
	defer w.finish(nil)
	for {
		c := w.next()
		if c == nil {
			return
		}
		w.run(c)
		close(c.replied)
		if w.abandoned() {
			return // its caller gave up on it; a replacement does the work now
		}
	}
}

// next waits for the next batch sent, or for Stop.
func (w *Worker) next() *call {
	for {
		w.mu.Lock()
		if len(w.queue) > 0 {
			c := w.queue[0]
			w.queue[0] = nil
			w.queue = w.queue[1:]
			w.mu.Unlock()
			return c
		}
		w.mu.Unlock()
		select {
		case <-w.kick:
		case <-w.stop:
			return nil
		}
	}
}

// run runs a batch's tasks in order. Once its context has ended, the tasks
// left are not started: they end with its error.
func (w *Worker) run(c *call) {
	ctx := c.ctx
	for i, t := range c.tasks {
		if err := ctx.Err(); err != nil && i > 0 {
			c.errs[i] = err
			continue
		}
		c.progress(i, false)
		c.res[i], c.errs[i] = w.reg.Run(ctx, t)
		c.progress(i, true)
	}
}

func (w *Worker) abandoned() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return errors.Is(w.err, ErrAbandoned)
}

// finish records why the worker ended and closes Done, once.
func (w *Worker) finish(err error) {
	w.ended.Do(func() {
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

// Kill abandons the worker at once, as a kill ladder would end a process:
// a goroutine cannot be stopped, so it runs on unwatched, and every batch
// not answered yet is answered as lost.
func (w *Worker) Kill() error {
	w.finish(&abandonedError{cause: errKilled})
	w.stopped.Do(func() { close(w.stop) }) // an idle goroutine returns at once
	return nil
}

var errKilled = errors.New("killed on request")

// Stop tells the goroutine to return once its current task is done and
// waits for that, or for ctx to end. A goroutine cannot be stopped by
// force: if ctx ends first, it is abandoned.
func (w *Worker) Stop(ctx context.Context) error {
	w.stopped.Do(func() { close(w.stop) })
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		err := &abandonedError{cause: ctx.Err()}
		w.finish(err)
		return err
	}
}

// An abandonedError is ErrAbandoned for a task whose context ended with
// cause; errors.Is finds both, and the message says it once.
type abandonedError struct{ cause error }

func (e *abandonedError) Error() string   { return ErrAbandoned.Error() }
func (e *abandonedError) Unwrap() []error { return []error{ErrAbandoned, e.cause} }
