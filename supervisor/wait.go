package supervisor

import (
	"context"
	"iter"
)

// Awaitable is any future, whatever its output type: what AsCompleted and
// Wait take.
type Awaitable interface {
	Done() <-chan struct{}
	Err() error
	state() *futureState
}

var _ Awaitable = (*Future[[]byte])(nil)

// AsCompleted yields the futures as they complete, like Python's
// as_completed, with a nil error. If ctx ends before they all have, it
// yields one last pair, a zero F and ctx's error, and stops: the
// futures left go on. Stopping the iteration early is safe.
func AsCompleted[F Awaitable](ctx context.Context, fs ...F) iter.Seq2[F, error] {
	return func(yield func(F, error) bool) {
		ch := make(chan int, len(fs))
		for i, f := range fs {
			f.state().onDone(func() { ch <- i })
		}
		for range fs {
			select {
			case i := <-ch:
				if !yield(fs[i], nil) {
					return
				}
			case <-ctx.Done():
				var zero F
				yield(zero, ctx.Err())
				return
			}
		}
	}
}

// A WaitMode says when Wait returns, as return_when does in Python's
// concurrent.futures.wait.
type WaitMode int

const (
	// AllCompleted returns when every future is done.
	AllCompleted WaitMode = iota
	// FirstCompleted returns when any future is done.
	FirstCompleted
	// FirstError returns when any future is done with an error, or when
	// every future is done.
	FirstError
)

// Wait waits for the futures as mode says and returns those done and those
// not, each in the order given. If ctx ends first, it returns the same two
// sets as they are then, and ctx's error.
func Wait[F Awaitable](ctx context.Context, fs []F, mode WaitMode) (done, pending []F, err error) {
	for f, werr := range AsCompleted(ctx, fs...) {
		if werr != nil {
			err = werr
			break
		}
		if mode == FirstCompleted || (mode == FirstError && f.Err() != nil) {
			break
		}
	}
	for _, f := range fs {
		if isDone(f.Done()) {
			done = append(done, f)
		} else {
			pending = append(pending, f)
		}
	}
	return done, pending, err
}
