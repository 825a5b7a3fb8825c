package supervisor

import (
	"context"
	"errors"
	"fmt"
	"github.com/procpool/supervisor/internal/demo"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// The contract every backend keeps, run against both modes and, in process
// mode, every data path: what users rely on whichever they pick.

func TestContractResultsRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 2}))
		var fs []*Future[[]byte]
		for _, n := range demo.SeedPrimes {
			fs = append(fs, s.Submit(context.Background(), worker.Task{Name: "primes", Input: []byte(n)}))
		}
		for i, f := range fs {
			r := wait(t, f)
			want := demo.SeedPrimes[i] + " is prime: " + map[bool]string{true: "true", false: "false"}[i != 5]
			if r.Status != StatusOK || string(r.Output) != want {
				t.Errorf("task %d: %v %q %v, want ok %q", r.ID, r.Status, r.Output, r.Err, want)
			}
			if (b.mode == ModeThread) != (r.PID == os.Getpid()) {
				t.Errorf("task %d ran in pid %d (supervisor %d) on %s", r.ID, r.PID, os.Getpid(), b)
			}
			if r.Exec <= 0 || r.RoundTrip < r.Exec {
				t.Errorf("task %d: exec %v round trip %v", r.ID, r.Exec, r.RoundTrip)
			}
		}
	})
}

func TestContractErrorsKeepTheirIdentity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 1}))
		bad := wait(t, s.Submit(context.Background(), worker.Task{Name: "primes", Input: []byte("abc")}))
		if bad.Status != StatusFailed || !errors.Is(bad.Err, worker.ErrBadInput) {
			t.Errorf("bad input: %v %v, want failed with ErrBadInput", bad.Status, bad.Err)
		}
		unknown := wait(t, s.Submit(context.Background(), worker.Task{Name: "nope"}))
		if !errors.Is(unknown.Err, worker.ErrUnknownTask) {
			t.Errorf("unknown task: %v, want ErrUnknownTask", unknown.Err)
		}
		own := wait(t, s.Submit(context.Background(), worker.Task{Name: "fail", Input: []byte("my own failure")}))
		if own.Status != StatusFailed || own.Err.Error() != "my own failure" || own.Attempts != 1 {
			t.Errorf("task error: %v %q after %d attempts, want failed once", own.Status, own.Err, own.Attempts)
		}
	})
}

func TestContractPanicIsReported(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 1}))
		r := wait(t, s.Submit(context.Background(), worker.Task{Name: "panic", Input: []byte("boom")}))
		var p *worker.PanicError
		if r.Status != StatusPanic || !errors.As(r.Err, &p) || p.Value != "boom" || !strings.Contains(p.Stack, "panicTask") {
			t.Fatalf("got %v %#v, want a panic with its stack", r.Status, r.Err)
		}
		after := wait(t, s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("alive")}))
		if after.Status != StatusOK || after.PID != r.PID {
			t.Errorf("the worker did not survive the panic: %v pid %d then %d", after.Err, r.PID, after.PID)
		}
	})
}

func TestContractCancellationReachesTheTask(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 1}))
		ctx, cancel := context.WithCancel(context.Background())
		f := s.Submit(ctx, worker.Task{Name: "sleep", Input: []byte("1h")})
		waitBusy(t, s, 1)
		cancel()
		r := wait(t, f)
		if r.Status != StatusCanceled || !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("got %v %v, want canceled", r.Status, r.Err)
		}
		after := wait(t, s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("x")}))
		if after.PID != r.PID {
			t.Errorf("a task that honours cancellation should leave its worker alive: pid %d then %d", r.PID, after.PID)
		}
	})
}

func TestContractDeadlineReachesTheTask(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 1}))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		r := wait(t, s.Submit(ctx, worker.Task{Name: "sleep", Input: []byte("1h")}))
		if r.Status != StatusCanceled || !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Fatalf("got %v %v, want DeadlineExceeded", r.Status, r.Err)
		}
	})
}

func TestContractStopLeavesNoProcess(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 2}))
		f := s.Submit(context.Background(), worker.Task{Name: "sleep", Input: []byte("1h")})
		waitBusy(t, s, 1)
		if err := s.Stop(context.Background(), CancelQueued, CancelRunning); err != nil {
			t.Fatal(err)
		}
		r := wait(t, f)
		if r.Status != StatusCanceled || !errors.Is(r.Err, ErrStopped) {
			t.Errorf("running task: %v %v, want canceled by the stop", r.Status, r.Err)
		}
		for _, p := range s.Stats().Processes {
			if b.mode == ModeProcess && alive(p.PID) {
				t.Errorf("worker %d (pid %d) alive after Stop", p.Worker, p.PID)
			}
		}
		late := wait(t, s.Submit(context.Background(), worker.Task{Name: "echo"}))
		if !errors.Is(late.Err, ErrStopped) {
			t.Errorf("submit after stop: %v, want ErrStopped", late.Err)
		}
	})
}

// waitBusy waits until n workers are running a task.
func waitBusy(t *testing.T, s *Supervisor, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		busy := 0
		for _, w := range s.Stats().Workers {
			if w.State == StateBusy {
				busy++
			}
		}
		if busy >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("fewer than %d workers busy after 10s: %+v", n, s.Stats().Workers)
}

// A task's own sentinel errors and error types, registered, keep their
// identity across the process boundary on every data path, as they do in
// thread mode (issue 10).
func TestContractRegisteredErrorsKeepTheirIdentity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 1}))
		r := wait(t, s.Submit(context.Background(), worker.Task{Name: errorsTask, Input: []byte("sentinel")}))
		if r.Status != StatusFailed || !errors.Is(r.Err, errTestSentinel) || r.Err.Error() != "wrapped: "+errTestSentinel.Error() {
			t.Errorf("sentinel: %v %q, want failed, wrapping errTestSentinel, with its text", r.Status, r.Err)
		}
		r = wait(t, s.Submit(context.Background(), worker.Task{Name: errorsTask, Input: []byte("typed")}))
		var te *testTypedError
		if !errors.As(r.Err, &te) || te.Code != 42 || te.Detail != "deep" {
			t.Errorf("typed: %#v, want a *testTypedError{42, deep} in the chain", r.Err)
		}
		r = wait(t, s.Submit(context.Background(), worker.Task{Name: errorsTask, Input: []byte("bad")}))
		if !errors.Is(r.Err, worker.ErrBadInput) || !errors.Is(r.Err, errTestSentinel) {
			t.Errorf("both: %v, want ErrBadInput and errTestSentinel", r.Err)
		}
	})
}

// errorsTask fails with a registered sentinel, a registered error type or
// both, as its input says.
const errorsTask = "test-errors"

var errTestSentinel = errors.New("test: a sentinel of the task's own")

type testTypedError struct {
	Code   int
	Detail string
}

func (e *testTypedError) Error() string { return fmt.Sprintf("test error %d: %s", e.Code, e.Detail) }

func init() {
	worker.RegisterError(errTestSentinel)
	worker.RegisterErrorType(&testTypedError{})
	worker.Register(errorsTask, func(_ context.Context, in []byte) ([]byte, error) {
		switch string(in) {
		case "sentinel":
			return nil, fmt.Errorf("wrapped: %w", errTestSentinel)
		case "typed":
			return nil, fmt.Errorf("outer: %w", &testTypedError{Code: 42, Detail: "deep"})
		}
		return nil, fmt.Errorf("%w and %w", worker.ErrBadInput, errTestSentinel)
	})
}
