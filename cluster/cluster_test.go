package cluster

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

func TestTaskRunsOnAnAgent(t *testing.T) {
	srv := startServer(t)
	a := startAgent(t, srv, "a1", supervisor.Config{Mode: supervisor.ModeThread, Workers: 2}, Topology{})
	e := newExecutor(t, srv, Config{})
	r := wait(t, e.Submit(context.Background(), task("primes", "112272535095293")))
	if r.Status != supervisor.StatusOK || string(r.Output) == "" {
		t.Fatalf("result %+v, want ok with output", r)
	}
	if r.Agent != a.Name() || r.Attempts != 1 || r.Worker == 0 || r.PID == 0 {
		t.Errorf("agent %q attempts %d worker %d pid %d; want agent a1, attempt 1, a worker", r.Agent, r.Attempts, r.Worker, r.PID)
	}
}

func TestTaskErrorsAreNeverRetried(t *testing.T) {
	srv := startServer(t)
	startAgent(t, srv, "a1", supervisor.Config{Mode: supervisor.ModeThread, Workers: 2}, Topology{})
	e := newExecutor(t, srv, Config{Retries: 3, PoisonAfter: 4, Timeout: 100 * time.Millisecond})
	cases := []struct {
		task   string
		input  string
		status supervisor.Status
		is     error
	}{
		{"fail", "nope", supervisor.StatusFailed, nil},
		{"panic", "boom", supervisor.StatusPanic, nil},
		{"sleep", "10s", supervisor.StatusTimeout, supervisor.ErrTimeout},
	}
	for _, c := range cases {
		t.Run(c.task, func(t *testing.T) {
			r := wait(t, e.Submit(context.Background(), task(c.task, c.input)))
			if r.Status != c.status || r.Attempts != 1 {
				t.Fatalf("status %s after %d attempts (%v); want %s after 1", r.Status, r.Attempts, r.Err, c.status)
			}
			if c.is != nil && !errors.Is(r.Err, c.is) {
				t.Errorf("error %v does not wrap %v", r.Err, c.is)
			}
		})
	}
}

func TestQuarantineAfterDeaths(t *testing.T) {
	srv := startServer(t)
	a := startAgent(t, srv, "a1", supervisor.Config{Mode: supervisor.ModeProcess, Workers: 1}, Topology{})
	t.Run("quarantined", func(t *testing.T) {
		e := newExecutor(t, srv, Config{Retries: 5, PoisonAfter: 2})
		r := wait(t, e.Submit(context.Background(), task("exit", "3")))
		var we *supervisor.WorkerError
		if r.Status != supervisor.StatusQuarantined || r.Attempts != 2 || !errors.Is(r.Err, supervisor.ErrQuarantined) || !errors.As(r.Err, &we) {
			t.Fatalf("status %s after %d attempts: %v; want quarantined after 2, with the worker's error", r.Status, r.Attempts, r.Err)
		}
		if we.Code != 3 || r.Agent != a.Name() {
			t.Errorf("worker error %+v from agent %q; want exit status 3 from a1", we, r.Agent)
		}
	})
	t.Run("died", func(t *testing.T) {
		e := newExecutor(t, srv, Config{Retries: -1, PoisonAfter: 3})
		r := wait(t, e.Submit(context.Background(), task("segv", "")))
		var we *supervisor.WorkerError
		if r.Status != supervisor.StatusDied || r.Attempts != 1 || !errors.As(r.Err, &we) || we.Signal != syscall.SIGSEGV {
			t.Fatalf("status %s after %d attempts: %v; want died of SIGSEGV after 1", r.Status, r.Attempts, r.Err)
		}
	})
}
