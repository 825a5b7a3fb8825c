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
	done         chan struct{} // closed, under mu, when the goroutine has returned or been abandoned

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
		if !w.reply(c) {
			return // its caller gave up on it; a replacement does the work now
		}
	}
}

// next waits for the next batch sent, or for Stop. Once stopped (or
// abandoned) it takes no batch still queued: those are answered as lost.
func (w *Worker) next() *call {
	for {
		w.mu.Lock()
		if isClosed(w.stop) {
			w.mu.Unlock()
			return nil
		}
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

// reply answers c, and reports whether the goroutine may go on: not once
// it has been abandoned. Under the lock that abandoning takes, so that a
// goroutine is either abandoned while c runs (and returns after it) or
// answers c first (and is not abandoned over it).
func (w *Worker) reply(c *call) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(c.replied)
	return !errors.Is(w.err, ErrAbandoned)
}

// finish records why the worker ended and closes Done, once.
func (w *Worker) finish(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.finishLocked(err)
}

func (w *Worker) finishLocked(err error) {
	if isClosed(w.done) {
		return
	}
	w.err = err
	close(w.done)
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
	w.abandon(&abandonedError{cause: errKilled})
	return nil
}

// abandon gives up on the goroutine with err. It also tells the goroutine
// to stop: nobody calls Stop on a worker whose Done is closed, so a
// goroutine that returns from its task just as it is abandoned would
// otherwise wait for a next batch forever.
func (w *Worker) abandon(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.abandonLocked(err)
}

func (w *Worker) abandonLocked(err error) {
	w.finishLocked(err)
	w.stopped.Do(func() { close(w.stop) })
}

// abandonOver abandons the goroutine because c's task ignored its
// cancellation, unless c has been answered meanwhile (a reply and the end
// of the grace can come together); it reports whether it did.
func (w *Worker) abandonOver(c *call, err error) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if isClosed(c.replied) {
		return false
	}
	w.abandonLocked(err)
	return true
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
		w.abandon(err)
		return err
	}
}

// An abandonedError is ErrAbandoned for a task whose context ended with
// cause; errors.Is finds both, and the message says it once.
type abandonedError struct{ cause error }

func (e *abandonedError) Error() string   { return ErrAbandoned.Error() }
func (e *abandonedError) Unwrap() []error { return []error{ErrAbandoned, e.cause} }
