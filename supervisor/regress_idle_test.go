package supervisor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// TestSlotDoesNotIdleBesideQueuedJobs: a worker that takes a queued job
// whose context has just ended drops it, canceled, without sending it. It
// then had nothing to send, went idle, and left the jobs queued behind the
// dropped one waiting for a hand-off that only a later submission would
// make: the stress suite found Map calls stranded that way when another
// call's context ended mid-iteration. The job's context here runs its
// AfterFunc callbacks only when told, so the worker surely takes the job
// before the pool's watch of that context cancels it.
func TestSlotDoesNotIdleBesideQueuedJobs(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 1})
	s.setPaused(true)
	inner, cancel := context.WithCancel(context.Background())
	ended := &lateContext{Context: inner}
	defer ended.release()
	dropped := s.Submit(ended, worker.Task{Name: "echo", Input: []byte("dropped")})
	behind := s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("behind")})
	cancel()
	s.setPaused(false)
	select {
	case <-behind.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the job queued behind one whose context ended never ran: its worker sat idle")
	}
	if r := behind.Result(); r.Err != nil || string(r.Output) != "behind" {
		t.Errorf("the job behind: %q %v", r.Output, r.Err)
	}
	if r := wait(t, dropped); !errors.Is(r.Err, context.Canceled) {
		t.Errorf("the job whose context ended: %v, want canceled", r.Err)
	}
}

// A lateContext runs the functions given to its AfterFunc method only when
// released. A context may schedule them as it likes (context.AfterFunc
// calls the method of a context that has one); this one stands for a
// cancellation on its way but not yet run.
type lateContext struct {
	context.Context
	mu    sync.Mutex
	funcs []*lateFunc
}

type lateFunc struct {
	f       func()
	stopped bool
}

// Value hides the inner context's cancellation from the context package,
// which would otherwise register with it directly.
func (c *lateContext) Value(any) any { return nil }

func (c *lateContext) AfterFunc(f func()) func() bool {
	lf := &lateFunc{f: f}
	c.mu.Lock()
	c.funcs = append(c.funcs, lf)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := lf.stopped
		lf.stopped = true
		return !was
	}
}

// release runs the functions not stopped.
func (c *lateContext) release() {
	c.mu.Lock()
	var run []func()
	for _, lf := range c.funcs {
		if !lf.stopped {
			lf.stopped = true
			run = append(run, lf.f)
		}
	}
	c.funcs = nil
	c.mu.Unlock()
	for _, f := range run {
		f()
	}
}
