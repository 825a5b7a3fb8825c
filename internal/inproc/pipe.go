package inproc

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/worker"
)

// A call is one batch handed to the worker's goroutine, with its results.
type call struct {
	ticket  uint64
	ctx     context.Context
	cancel  context.CancelFunc
	tasks   []worker.Task // a copy: the sender may reuse its slice at once
	res     []worker.Result
	errs    []error
	replied chan struct{}
	// started and finished count the tasks begun and ended, for the
	// answer of a batch lost with its goroutine.
	started, finished atomic.Int32
}

func (c *call) progress(i int, ended bool) {
	if ended {
		c.finished.Store(int32(i + 1))
	} else {
		c.started.Store(int32(i + 1))
	}
}

// Send hands tasks to the goroutine as one batch named ticket, to run one
// after another under deadline (zero for none), without waiting; Recv
// answers it. The caller may reuse tasks once Send returns.
func (w *Worker) Send(ticket uint64, tasks []worker.Task, deadline time.Time) {
	c := &call{ticket: ticket, tasks: append([]worker.Task(nil), tasks...), replied: make(chan struct{}),
		res: make([]worker.Result, len(tasks)), errs: make([]error, len(tasks))}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if !deadline.IsZero() {
		c.ctx, c.cancel = withDeadline(c.ctx, c.cancel, deadline)
	}
	w.mu.Lock()
	if _, ok := w.early[ticket]; ok {
		delete(w.early, ticket)
		c.cancel()
	}
	w.pending = append(w.pending, c)
	w.queue = append(w.queue, c)
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func withDeadline(ctx context.Context, cancel context.CancelFunc, d time.Time) (context.Context, context.CancelFunc) {
	ctx, stop := context.WithDeadline(ctx, d)
	return ctx, func() { stop(); cancel() }
}

// Flush does nothing: Send hands each batch over at once.
func (w *Worker) Flush() {}

// Ready reports whether Recv would return at once.
func (w *Worker) Ready() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return false
	}
	return isClosed(w.pending[0].replied) || isClosed(w.done)
}

// Cancel cancels the batch ticket: its context ends. If its task does not
// return within the grace, Recv abandons the goroutine. A ticket not sent
// yet is cancelled as it is sent.
func (w *Worker) Cancel(ticket uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.pending {
		if c.ticket == ticket {
			c.cancel()
			return
		}
	}
	if ticket > w.lastAnswered {
		if w.early == nil {
			w.early = map[uint64]struct{}{}
		}
		w.early[ticket] = struct{}{}
	}
}

// Recv waits for the answer to the oldest batch sent. If the batch's
// context ends and its task does not return within the grace, the
// goroutine is abandoned and every batch not answered is answered as lost.
func (w *Worker) Recv() *backend.Answer {
	w.mu.Lock()
	c := w.pending[0]
	w.mu.Unlock()
	if w.await(c) {
		w.pop()
		w.ans = backend.Answer{Ticket: c.ticket, Results: c.res, Errs: c.errs}
		c.cancel()
		return &w.ans
	}
	w.pop()
	c.cancel()
	started, finished := int(c.started.Load()), int(c.finished.Load())
	if isClosed(c.replied) { // it answered as it was abandoned: take the answer
		w.ans = backend.Answer{Ticket: c.ticket, Results: c.res, Errs: c.errs}
		return &w.ans
	}
	w.ans = backend.Answer{Ticket: c.ticket, Err: w.Err(), Started: started, Finished: finished}
	if w.ans.Err == nil {
		w.ans.Err = ErrStopped
	}
	return &w.ans
}

// await waits for c's reply. It reports false when the worker ended
// first, or when c's context ended and the grace after it passed with no
// reply: then it abandons the goroutine.
func (w *Worker) await(c *call) bool {
	select {
	case <-c.replied:
		return true
	case <-w.done:
		return isClosed(c.replied)
	case <-c.ctx.Done():
	}
	t := time.NewTimer(w.grace)
	defer t.Stop()
	select {
	case <-c.replied:
		return true
	case <-w.done:
		return isClosed(c.replied)
	case <-t.C:
	}
	return !w.abandonOver(c, &abandonedError{cause: c.ctx.Err()})
}

func (w *Worker) pop() {
	w.mu.Lock()
	w.lastAnswered = max(w.lastAnswered, w.pending[0].ticket)
	w.pending[0] = nil
	w.pending = w.pending[1:]
	w.mu.Unlock()
}

// Do runs t on the worker and waits for its result; when ctx ends first,
// the task is cancelled, and abandoned after the grace if it goes on.
func (w *Worker) Do(ctx context.Context, t worker.Task) (worker.Result, error) {
	d, _ := ctx.Deadline()
	ticket := w.nextTicket()
	w.Send(ticket, []worker.Task{t}, d)
	stop := w.cancelOnEnd(ctx, ticket)
	defer stop()
	a := w.Recv()
	if a.Err != nil {
		return worker.Result{}, callerErr(ctx, a.Err)
	}
	return a.Results[0], a.Errs[0]
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// DoBatch runs tasks on the worker as one batch and fills res and errs
// (each as long as tasks) with their results; when ctx ends first, the
// batch is cancelled, and the goroutine abandoned after the grace if a task
// goes on. Its error is the batch's as a whole: the worker had stopped, or
// was abandoned; res and errs are then not set.
func (w *Worker) DoBatch(ctx context.Context, tasks []worker.Task, res []worker.Result, errs []error) error {
	d, _ := ctx.Deadline()
	ticket := w.nextTicket()
	w.Send(ticket, tasks, d)
	stop := w.cancelOnEnd(ctx, ticket)
	defer stop()
	a := w.Recv()
	if a.Err != nil {
		return callerErr(ctx, a.Err)
	}
	copy(res, a.Results)
	copy(errs, a.Errs)
	return nil
}

// cancelOnEnd cancels batch ticket when ctx is cancelled. Not when ctx's
// deadline passes: the batch has that deadline already (Send), and a
// Cancel racing it would make the task see context.Canceled instead of
// context.DeadlineExceeded, at random.
func (w *Worker) cancelOnEnd(ctx context.Context, ticket uint64) func() bool {
	return context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			w.Cancel(ticket)
		}
	})
}

// nextTicket numbers the batches of Do and DoBatch.
func (w *Worker) nextTicket() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return w.seq
}

// callerErr is the error of a Do or DoBatch whose batch was lost: the
// worker's, naming the caller's context's error as the cause of an
// abandonment (the batch's own context may have ended either way first).
func callerErr(ctx context.Context, err error) error {
	if errors.Is(err, ErrAbandoned) && ctx.Err() != nil {
		return &abandonedError{cause: ctx.Err()}
	}
	return err
}
