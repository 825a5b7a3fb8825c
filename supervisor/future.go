package supervisor

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/procpool/supervisor/worker"
)

// A Future is the pending result of one task, as in Python's
// concurrent.futures: [Supervisor.Submit] returns a Future[[]byte], and a
// typed task ([Define]) a Future of its output type. Every future completes
// exactly once. Its methods are safe for concurrent use.
type Future[T any] struct {
	st   *futureState
	conv func(*Result) (T, error)
}

// futureState is what the typed views of one future share.
type futureState struct {
	id      uint64
	task    worker.Task
	done    chan struct{}
	res     Result
	running atomic.Bool
	cancel  func() bool // set by the executor

	mu        sync.Mutex
	completed bool
	callbacks []func()
}

func newFutureState(id uint64, t worker.Task) *futureState {
	return &futureState{id: id, task: t, done: make(chan struct{})}
}

func rawOutput(r *Result) ([]byte, error) { return r.Output, r.Err }

// NewFuture returns a pending future of task t and the function that
// completes it, for executors other than the local pool (package cluster
// builds its futures with it). cancel is what Future.Cancel calls; it
// reports whether the task was still pending. complete returns false, and
// does nothing, when the future is already complete.
func NewFuture(id uint64, t worker.Task, cancel func() bool) (*Future[[]byte], func(Result) bool) {
	st := newFutureState(id, t)
	st.cancel = cancel
	return &Future[[]byte]{st: st, conv: rawOutput}, st.complete
}

// ID is the task's number, in submission order from 1.
func (f *Future[T]) ID() uint64 { return f.st.id }

// Task is what was submitted, as it travels to the worker.
func (f *Future[T]) Task() worker.Task { return f.st.task }

// Done is closed when the result is ready.
func (f *Future[T]) Done() <-chan struct{} { return f.st.done }

// Running reports whether the task is on a worker now: sent and not done.
// Like Python's Future.running, it is a snapshot.
func (f *Future[T]) Running() bool { return f.st.running.Load() && !isDone(f.st.done) }

// Cancelled reports whether the task ended canceled: by Cancel, its
// context, or a Stop that cancelled it.
func (f *Future[T]) Cancelled() bool {
	return isDone(f.st.done) && f.st.res.Status == StatusCanceled
}

// Cancel cancels the task. A queued task ends at once, canceled; a running
// one has its context cancelled, and in process mode its worker is killed
// by the kill ladder if the task ignores that (the result then says how it
// ended: canceled, or ok if it finished first). Cancel reports whether the
// task was still pending: false once it is done. Unlike Python's, it can
// cancel a running task.
func (f *Future[T]) Cancel() bool {
	if isDone(f.st.done) || f.st.cancel == nil {
		return false
	}
	return f.st.cancel()
}

// Wait waits for the task to end and returns its output (decoded, for a
// typed task) and its error. ctx bounds the wait only: when it ends first,
// Wait returns ctx's error and the task goes on.
func (f *Future[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-f.st.done:
		return f.conv(&f.st.res)
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Result waits for the task to end and returns everything about how it
// ended: status, raw output, error, worker, PID, attempts and timings.
func (f *Future[T]) Result() Result {
	<-f.st.done
	return f.st.res
}

// Err is the task's error once it is done, nil before or when it
// succeeded.
func (f *Future[T]) Err() error {
	if !isDone(f.st.done) {
		return nil
	}
	return f.st.res.Err
}

// OnDone calls fn once the future is done: at once, on this goroutine, if
// it already is; else on the goroutine that completes it, which fn must not
// block for long.
func (f *Future[T]) OnDone(fn func(*Future[T])) { f.st.onDone(func() { fn(f) }) }

func (f *Future[T]) state() *futureState { return f.st }

// complete records the result and runs the callbacks, once; it reports
// whether it did.
func (st *futureState) complete(r Result) bool {
	st.mu.Lock()
	if st.completed {
		st.mu.Unlock()
		return false
	}
	st.completed = true
	st.res = r
	close(st.done)
	cbs := st.callbacks
	st.callbacks = nil
	st.mu.Unlock()
	for _, cb := range cbs {
		cb()
	}
	return true
}

// onDone calls cb once st is done: at once if it already is.
func (st *futureState) onDone(cb func()) {
	st.mu.Lock()
	if st.completed {
		st.mu.Unlock()
		cb()
		return
	}
	st.callbacks = append(st.callbacks, cb)
	st.mu.Unlock()
}
