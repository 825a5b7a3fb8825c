package supervisor

import (
	"context"
	"iter"
	"sync"

	"github.com/procpool/supervisor/worker"
)

// A Future is the pending result of a submitted task, as in Python's
// concurrent.futures. Its methods are safe for concurrent use.
type Future struct {
	id   uint64
	task worker.Task
	done chan struct{}
	res  Result

	mu        sync.Mutex
	callbacks []func(*Future)
}

func newFuture(id uint64, t worker.Task) *Future {
	return &Future{id: id, task: t, done: make(chan struct{})}
}

// ID is the task's number, in submission order from 1.
func (f *Future) ID() uint64 { return f.id }

// Task is what was submitted.
func (f *Future) Task() worker.Task { return f.task }

// Done is closed when the result is ready.
func (f *Future) Done() <-chan struct{} { return f.done }

// Result waits for the task to end and returns how it ended.
func (f *Future) Result() Result {
	<-f.done
	return f.res
}

// Wait is Result bounded by ctx; it returns ctx's error if ctx ends first.
// The task is not affected.
func (f *Future) Wait(ctx context.Context) (Result, error) {
	select {
	case <-f.done:
		return f.res, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// complete records the result and runs the callbacks. The supervisor calls
// it exactly once per task; a second call would be a bug, and panics.
func (f *Future) complete(r Result) {
	f.mu.Lock()
	select {
	case <-f.done:
		f.mu.Unlock()
		panic("supervisor: a task completed twice")
	default:
	}
	f.res = r
	close(f.done)
	cbs := f.callbacks
	f.callbacks = nil
	f.mu.Unlock()
	for _, cb := range cbs {
		cb(f)
	}
}

// onDone calls cb once f is done: at once if it already is.
func (f *Future) onDone(cb func(*Future)) {
	f.mu.Lock()
	select {
	case <-f.done:
		f.mu.Unlock()
		cb(f)
		return
	default:
	}
	f.callbacks = append(f.callbacks, cb)
	f.mu.Unlock()
}

// AsCompleted yields the futures as they complete, like Python's
// as_completed. Stopping the iteration early is safe.
func AsCompleted(fs ...*Future) iter.Seq[*Future] {
	return func(yield func(*Future) bool) {
		ch := make(chan *Future, len(fs))
		for _, f := range fs {
			f.onDone(func(f *Future) { ch <- f })
		}
		for range fs {
			if !yield(<-ch) {
				return
			}
		}
	}
}
