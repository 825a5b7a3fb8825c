package supervisor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Found verifying issue 9: in thread mode, Kill cancels a worker's tasks
// with ErrKilled so that they run again, but the new core ended such a
// task canceled ("worker killed on request") instead of running it again,
// against Kill's contract and docs/isolation.md.

// TestThreadKillRunsTheTaskAgain kills a goroutine worker running a task
// that honours cancellation: the task runs again, uncharged, and ends ok.
func TestThreadKillRunsTheTaskAgain(t *testing.T) {
	var mu sync.Mutex
	var retried []TaskRetried
	s := newTest(t, Config{Mode: ModeThread, Workers: 1, OnEvent: func(e Event) {
		if r, ok := e.(TaskRetried); ok {
			mu.Lock()
			retried = append(retried, r)
			mu.Unlock()
		}
	}})
	f := s.Submit(context.Background(), worker.Task{Name: "sleep", Input: []byte("300ms")})
	waitRunning(t, f)
	if err := s.Kill(1); err != nil {
		t.Fatal(err)
	}
	r := wait(t, f)
	if r.Status != StatusOK || r.Attempts != 2 {
		t.Fatalf("killed on request: %v %v after %d attempts; want ok after 2", r.Status, r.Err, r.Attempts)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retried) != 1 || !errors.Is(retried[0].Err, ErrKilled) || retried[0].Charged {
		t.Errorf("retry events %+v; want one, uncharged, for the kill", retried)
	}
}

// TestCancelAfterThreadKillEnds: a Cancel that follows a kill on request
// still ends the task, canceled by the Cancel, rather than letting the
// kill's "run it again" win. The task ignores cancellation, so it is
// abandoned after the grace either way.
func TestCancelAfterThreadKillEnds(t *testing.T) {
	// The grace is what keeps the task on its worker, cancelled by the
	// kill, while the test looks: it is abandoned, and settled, only then.
	s := newTest(t, Config{Mode: ModeThread, Workers: 1, Grace: 2 * time.Second})
	f := s.Submit(context.Background(), worker.Task{Name: "spin", Input: []byte("10s")})
	waitRunning(t, f)
	if err := s.Kill(1); err != nil {
		t.Fatal(err)
	}
	waitCause(t, s.slotByID(1), ErrKilled) // the kill's cancellation goes first
	if !f.Cancel() {
		t.Fatal("Cancel of a running task reported it done")
	}
	r := wait(t, f)
	if r.Status != StatusCanceled || !errors.Is(r.Err, ErrCanceled) {
		t.Fatalf("killed, then cancelled: %v %v; want canceled by the Cancel", r.Status, r.Err)
	}
}

// waitRunning waits until f's task has been sent to a worker.
func waitRunning(t *testing.T, f *Future[[]byte]) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f.Running() {
		if time.Now().After(deadline) {
			t.Fatalf("task %d not running after 10s", f.ID())
		}
		time.Sleep(time.Millisecond)
	}
}

// waitCause waits until a job on sl is being cancelled with cause.
func waitCause(t *testing.T, sl *slot, cause error) {
	t.Helper()
	has := func() bool {
		sl.p.mu.Lock()
		defer sl.p.mu.Unlock()
		for _, j := range sl.running {
			if errors.Is(j.cause.get(), cause) {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(10 * time.Second)
	for !has() {
		if time.Now().After(deadline) {
			t.Fatalf("no task of worker %d cancelled with %v after 10s", sl.id, cause)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestThreadKillSparesATaskNotSentYet: a task handed to a goroutine worker
// but not yet sent to it when Kill cancels the worker's tasks is not one
// of them: it runs, ok (half of the rounds ended canceled before).
func TestThreadKillSparesATaskNotSentYet(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 1})
	for round := range 200 {
		f := s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("x")})
		if err := s.Kill(1); err != nil {
			t.Fatal(err)
		}
		if r := wait(t, f); r.Status != StatusOK {
			t.Fatalf("round %d: a task submitted just before Kill ended %v: %v", round, r.Status, r.Err)
		}
	}
}
