package cluster

import (
	"context"
	"sync"

	"github.com/procpool/supervisor/worker"
)

// A Future is the pending result of a task submitted to the cluster. Its
// methods are safe for concurrent use.
type Future struct {
	id   uint64
	task worker.Task
	e    *Executor
	p    *pending
	done chan struct{}
	res  Result
	once sync.Once
}

func newFuture(id uint64, t worker.Task, e *Executor) *Future {
	return &Future{id: id, task: t, e: e, done: make(chan struct{})}
}

// ID is the task's number in its run, in submission order from 1.
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

// Cancel asks for the task to be cancelled and returns at once. A queued
// task is deleted and ends canceled; a running one is cancelled by the agent
// that holds it, whose worker walks the kill ladder. A task that ends first
// keeps its own result: the first result written is the task's.
func (f *Future) Cancel() { f.e.cancel(f.p, ctlCancel) }

// Kill is Cancel, except that a running task's worker is killed at once.
func (f *Future) Kill() { f.e.cancel(f.p, ctlKill) }

func (f *Future) complete(r Result) {
	f.once.Do(func() {
		f.res = r
		close(f.done)
	})
}
