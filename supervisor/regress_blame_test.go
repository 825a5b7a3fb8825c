//go:build unix

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Issue 9, finding 8: "Wrong blame. With tasks pipelined (--in-flight > 1)
// or chunked (--chunksize), every task in flight on a dying worker is
// charged with its death, so innocent tasks are quarantined. A worker that
// crashed by itself during Stop is reported as 'killed: the task ignored
// cancellation', and its own exit error is not in the error chain."

// TestPipelinedTasksBehindACrashAreNotBlamed sends a task that crashes its
// worker with seven innocent tasks pipelined behind it on the same worker.
// With PoisonAfter 1, a task charged with one death is quarantined: only
// the crash may be; the others are retried without a charge and succeed.
func TestPipelinedTasksBehindACrashAreNotBlamed(t *testing.T) {
	p := startPool(t, poolConfig{mode: ModeProcess, workers: 1, inFlight: 8, poisonAfter: 1})
	// Paused, the tasks queue up; resumed, the worker takes all eight at
	// once, the crash first.
	setPaused(p, true)
	hs := []*handle{submit(p, context.Background(), worker.Task{Name: "crash"})}
	for range 7 {
		hs = append(hs, submit(p, context.Background(), worker.Task{Name: "sleep", Input: []byte("1ms")}))
	}
	setPaused(p, false)
	for i, h := range hs {
		if !waitClosed(t, h.done(), 30*time.Second, "a pipelined task's result") {
			return
		}
		r := h.result()
		switch {
		case i == 0 && r.Status != StatusQuarantined:
			t.Errorf("the crash: %v %v, want quarantined", r.Status, r.Err)
		case i > 0 && r.Status != StatusOK:
			t.Errorf("innocent task %d, pipelined behind the crash: %v %v after %d attempts, want ok", r.ID, r.Status, r.Err, r.Attempts)
		}
	}
}

// TestChunkedTasksBesideACrashAreNotBlamed maps a chunk of five inputs of
// which one makes its worker exit: only that input is charged with the
// death (quarantined, with PoisonAfter 1); the others, before and after it
// in the chunk, end with their own results (here a bad-input error).
func TestChunkedTasksBesideACrashAreNotBlamed(t *testing.T) {
	p := startPool(t, poolConfig{mode: ModeProcess, workers: 1, poisonAfter: 1})
	in := [][]byte{[]byte("x"), []byte("x"), []byte("3"), []byte("x"), []byte("x")}
	out, err := mapTasks(p, context.Background(), "exit", in, len(in))
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		switch {
		case i == 2 && !errors.Is(o.Err, ErrQuarantined):
			t.Errorf("input %d (exit 3): %v, want quarantined", i, o.Err)
		case i != 2 && !errors.Is(o.Err, worker.ErrBadInput):
			t.Errorf("input %d (bad input, beside the exit in its chunk): %v, want its own ErrBadInput", i, o.Err)
		}
	}
}

// TestWorkerCrashDuringCancellationIsReportedAsACrash cancels a task that
// ignores cancellation, by Stop or by its context, and then makes its
// worker crash by itself (SIGABRT: a Go runtime abort, exit status 2)
// long before the kill ladder's grace is up. The task's error must carry
// the worker's own exit, and nothing may say the kill ladder killed it.
func TestWorkerCrashDuringCancellationIsReportedAsACrash(t *testing.T) {
	for _, how := range []string{"stop", "cancel"} {
		t.Run(how, func(t *testing.T) {
			var mu sync.Mutex
			var exits []WorkerExited
			onEvent := func(e Event) {
				if x, ok := e.(WorkerExited); ok {
					mu.Lock()
					exits = append(exits, x)
					mu.Unlock()
				}
			}
			started := make(chan struct{}, 1)
			p := startPool(t, poolConfig{mode: ModeProcess, workers: 1, spares: -1, grace: 20 * time.Second, onEvent: onEvent,
				logger: slog.New(lineWatcher{announced, started})})
			h := submit(p, context.Background(), worker.Task{Name: announcedHang})
			defer h.release()
			// Running is not enough: the task must be executing in the
			// worker, or the cancellation reaches it first and it never
			// starts (and its worker's crash then hits no task).
			if !waitClosed(t, started, 10*time.Second, "the task's announcement") {
				return
			}
			pid := workerPIDs(p)[1]
			cancelRun(t, p, h, how)
			if err := syscall.Kill(pid, syscall.SIGABRT); err != nil {
				t.Fatal(err)
			}
			if !waitClosed(t, h.done(), 10*time.Second, "the result of a task whose worker crashed") {
				killAll([]int{pid})
				return
			}
			r := h.result()
			var we *WorkerError
			if !errors.As(r.Err, &we) || we.PID != pid || we.Code != 2 {
				t.Errorf("result %v %q: want its worker's own exit (pid %d, status 2) in the error chain", r.Status, r.Err, pid)
			}
			if how == "stop" {
				waitClosed(t, poolDone(p), 10*time.Second, "Stop")
			}
			mu.Lock()
			defer mu.Unlock()
			for _, x := range exits {
				if x.PID == pid && (x.Cause == CauseKillLadder || x.Cause == CauseAbandoned) {
					t.Errorf("worker exit reported as %q: it crashed by itself", x.Cause)
				}
			}
		})
	}
}

// cancelRun cancels h's running task: by its context, or by stopping the
// pool (returning once the stop has begun).
func cancelRun(t *testing.T, p *Supervisor, h *handle, how string) {
	t.Helper()
	if how == "cancel" {
		cancelFuture(h)
		return
	}
	go func() { _ = stopPool(p, context.Background()) }()
	// Stop has begun once a task submitted now is refused.
	end := time.Now().Add(10 * time.Second)
	for {
		probe := submit(p, context.Background(), worker.Task{Name: "echo"})
		probe.release()
		if isDone(probe.done()) && errors.Is(probe.result().Err, ErrStopped) {
			return
		}
		if time.Now().After(end) {
			t.Fatal("Stop had not begun after 10s")
		}
		time.Sleep(time.Millisecond) // polling: Stop's beginning has no event
	}
}

// announcedHang ignores cancellation, as "hang" does, once it has printed
// announced: a test that must cancel it while it executes waits for that
// line in the worker's output.
const announcedHang, announced = "test-announced-hang", "announced hang: executing"

func init() {
	worker.Register(announcedHang, func(context.Context, []byte) ([]byte, error) {
		fmt.Println(announced)
		select {}
	})
}

// lineWatcher is a slog handler that signals ch (once) when a record's
// message contains line; it drops everything else.
type lineWatcher struct {
	line string
	ch   chan struct{}
}

func (w lineWatcher) Enabled(context.Context, slog.Level) bool { return true }
func (w lineWatcher) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w lineWatcher) WithGroup(string) slog.Handler            { return w }

func (w lineWatcher) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, w.line) {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
	return nil
}
