package process

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/backend"
)

// When a worker dies with several batches in flight, each lost batch says
// how far it got: the one that killed it names the task that was
// executing, the ones behind it never started.
func TestLostBatchesSayWhichTaskWasExecuting(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		first := send(w, task("echo", "a"), task("echo", "b"))
		fatal := send(w, task("echo", "c"), task("exit", "4"), task("echo", "d"))
		behind := send(w, task("echo", "e"))
		w.Flush()
		got := map[uint64]backend.Answer{}
		for range 3 {
			a := keep(w.Recv())
			got[a.Ticket] = a
		}
		if a := got[fatal]; a.Err == nil || a.Started != 2 || a.Finished != 1 {
			t.Errorf("fatal batch: err %v, started %d finished %d; want lost, 2 and 1", a.Err, a.Started, a.Finished)
		}
		if a := got[first]; a.Err != nil && (a.Started != 2 || a.Finished != 2) {
			t.Errorf("first batch, lost: started %d finished %d; want 2 and 2", a.Started, a.Finished)
		}
		// The unary path runs concurrent batches in any order.
		if a := got[behind]; ipc != IPCGRPC && (a.Err == nil || a.Started != 0 || a.Finished != 0) {
			t.Errorf("batch behind: err %v, started %d finished %d; want lost, 0 and 0", a.Err, a.Started, a.Finished)
		}
	})
}

// DoBatch's error says the same.
func TestDoBatchLostProgress(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		_, _, err := doBatch(t, w, context.Background(), task("echo", "a"), task("echo", "b"), task("crash", "x"), task("echo", "c"))
		var lost *LostError
		if !errors.As(err, &lost) || lost.Started != 3 || lost.Finished != 2 {
			t.Fatalf("got %#v, want a *LostError with 3 started and 2 finished", err)
		}
	})
}

func TestProgressOf(t *testing.T) {
	cases := []struct {
		p                 progress
		first             uint64
		n                 int
		started, finished int
	}{
		{progress{}, 1, 3, ProgressUnknown, ProgressUnknown},
		{progress{known: true}, 1, 3, 0, 0},
		{progress{known: true, started: 2, finished: 1}, 1, 3, 2, 1},
		{progress{known: true, started: 2, finished: 2}, 1, 3, 2, 2},
		{progress{known: true, started: 3, finished: 2}, 1, 3, 3, 2},
		{progress{known: true, started: 4, finished: 3}, 1, 3, 3, 3},
		{progress{known: true, started: 4, finished: 3}, 5, 2, 0, 0},
		// On the unary path a later batch may have finished before an
		// earlier one started.
		{progress{known: true, started: 2, finished: 9}, 1, 3, 2, 1},
	}
	for _, c := range cases {
		s, f := c.p.of(c.first, c.n)
		if s != c.started || f != c.finished {
			t.Errorf("%+v.of(%d, %d) = %d, %d; want %d, %d", c.p, c.first, c.n, s, f, c.started, c.finished)
		}
	}
}

// A task killed by the kill ladder says so, and its error carries both the
// context's error and the worker's exit.
func TestKilledByTheLadder(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := w.Do(ctx, task("hang", ""))
		var exit *ExitError
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &exit) || exit.Sent != syscall.SIGTERM {
			t.Fatalf("got %v; want DeadlineExceeded and the exit by the SIGTERM sent", err)
		}
		var lost *LostError
		if !errors.As(err, &lost) || lost.Canceled == nil {
			t.Errorf("got %#v; want a *LostError killed by the ladder", err)
		}
	})
}

// A worker that dies by itself while the kill ladder walks is reported as
// the death it is, not as a kill for ignoring cancellation; before, its
// exit was not even in the error.
func TestDiedByItselfDuringTheLadder(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := w.Do(ctx, task("test-exit-on-cancel", ""))
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != 6 || exit.Sent != 0 {
			t.Fatalf("got %v; want the worker's own exit with status 6 in the error", err)
		}
		if errors.Is(err, context.DeadlineExceeded) || err.Error() != "worker "+itoa(w.PID())+" exited with status 6" {
			t.Errorf("error %q (is deadline: %v); want the death, not a kill by the ladder",
				err, errors.Is(err, context.DeadlineExceeded))
		}
	})
}
