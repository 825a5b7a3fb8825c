package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

func TestCancelQueuedTask(t *testing.T) {
	srv := startServer(t)
	e := newExecutor(t, srv, Config{})
	f := e.Submit(context.Background(), task("echo", "x")) // no agent: it stays queued
	f.Cancel()
	r := wait(t, f)
	if r.Status != supervisor.StatusCanceled || !errors.Is(r.Err, context.Canceled) || r.Agent != "" {
		t.Fatalf("status %s from %q: %v; want canceled by nobody", r.Status, r.Agent, r.Err)
	}
	// Deleted, so no agent ever sees it.
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread}, Topology{})
	if r := wait(t, e.Submit(context.Background(), task("echo", "y"))); r.Status != supervisor.StatusOK {
		t.Fatalf("next task: %+v", r)
	}
	for len(a.events) > 0 {
		if ev := <-a.events; ev.job == f.ID() {
			t.Errorf("the agent saw the cancelled task: %+v", ev)
		}
	}
}

func TestCancelRunningTask(t *testing.T) {
	srv := startServer(t)
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeProcess, Grace: 100 * time.Millisecond}, Topology{})
	e := newExecutor(t, srv, Config{})
	for _, c := range []struct {
		name  string
		task  string
		input string
		stop  func(*supervisor.Future[[]byte])
	}{
		{"cancel", "sleep", "1h", func(f *supervisor.Future[[]byte]) { f.Cancel() }},
		{"cancel-ignored", "hang", "", func(f *supervisor.Future[[]byte]) { f.Cancel() }}, // the kill ladder kills its worker
		{"kill", "hang", "", func(f *supervisor.Future[[]byte]) { e.Kill(f.ID()) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := e.Submit(ctx, task(c.task, c.input))
			if ev := a.next(t, "held"); ev.job != f.ID() {
				t.Fatalf("agent took %+v", ev)
			}
			c.stop(f)
			r := wait(t, f)
			if r.Status != supervisor.StatusCanceled || r.Agent != a.Name() || r.Attempts != 1 {
				t.Fatalf("status %s from %q after %d attempts: %v; want canceled by its agent after 1",
					r.Status, r.Agent, r.Attempts, r.Err)
			}
		})
	}
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		f := e.Submit(ctx, task("sleep", "1h"))
		a.next(t, "held")
		cancel()
		if r := wait(t, f); r.Status != supervisor.StatusCanceled {
			t.Fatalf("status %s: %v; want canceled", r.Status, r.Err)
		}
	})
}

func TestBackpressureAtTheBound(t *testing.T) {
	srv := startServer(t)
	topo := Topology{MaxQueued: 3}
	e := newExecutor(t, srv, Config{}, topo)
	var fs []*supervisor.Future[[]byte]
	for i := range 3 {
		fs = append(fs, e.Submit(context.Background(), task("echo", string(rune('a'+i)))))
	}
	full, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	refused := e.Submit(full, task("echo", "refused"))
	r := wait(t, refused)
	if r.Status != supervisor.StatusCanceled || !errors.Is(r.Err, ErrQueueFull) {
		t.Fatalf("fourth task: status %s: %v; want canceled, queue full", r.Status, r.Err)
	}
	// A submit without a deadline waits for room, and gets in once an agent
	// drains the queue.
	waiting := e.Submit(context.Background(), task("echo", "waiting"))
	startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread}, topo)
	for _, f := range append(fs, waiting) {
		if r := wait(t, f); r.Status != supervisor.StatusOK || string(r.Output) != string(f.Task().Input) {
			t.Errorf("task %s: %+v", f.Task().Input, r)
		}
	}
}

func TestStopCancelsWhatIsLeft(t *testing.T) {
	srv := startServer(t)
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread}, Topology{})
	e := newExecutor(t, srv, Config{})
	running := e.Submit(context.Background(), task("sleep", "1h"))
	a.next(t, "held")
	queued := e.Submit(context.Background(), task("sleep", "1h"))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := e.Stop(ctx, supervisor.CancelQueued, supervisor.CancelRunning); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for _, f := range []*supervisor.Future[[]byte]{running, queued} {
		if r := wait(t, f); r.Status != supervisor.StatusCanceled {
			t.Errorf("task %d: status %s: %v; want canceled", f.ID(), r.Status, r.Err)
		}
	}
	if r := wait(t, e.Submit(context.Background(), task("echo", "late"))); !errors.Is(r.Err, supervisor.ErrStopped) {
		t.Errorf("submit after Stop: %v; want ErrStopped", r.Err)
	}
}

// Stop does not wait for a submit that waits for room: it gives up at once.
// (The first version kept retrying until Stop's cancels made room, then
// published the task only to cancel it; with no room made, Stop waited for
// the submit's context, forever under Background.)
func TestStopEndsSubmitsWaitingForRoom(t *testing.T) {
	srv := startServer(t)
	e := newExecutor(t, srv, Config{}, Topology{MaxQueued: 1})
	queued := e.Submit(context.Background(), task("echo", "a"))
	waiting := e.Submit(context.Background(), task("echo", "b"))
	stopped := make(chan error, 1)
	go func() { stopped <- e.Stop(context.Background(), supervisor.CancelQueued) }()
	select {
	case <-stopped:
	case <-time.After(testTimeout):
		t.Fatal("Stop waits for a submit that waits for room")
	}
	if r := wait(t, waiting); r.Status != supervisor.StatusCanceled || !errors.Is(r.Err, ErrQueueFull) || !errors.Is(r.Err, supervisor.ErrStopped) {
		t.Errorf("waiting submit: %s: %v; want canceled, stopped while the queue was full", r.Status, r.Err)
	}
	if r := wait(t, queued); r.Status != supervisor.StatusCanceled {
		t.Errorf("queued task: %s: %v; want canceled", r.Status, r.Err)
	}
}
