package process

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/worker"
)

// Calls that share a context share the kill ladder's watch of it: when the
// context ends, only the calls in flight then are cancelled, and a worker
// with none keeps running.
func TestSharedContextWatch(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithCancel(context.Background())
		for range 3 {
			if _, err := w.Do(ctx, task("echo", "x")); err != nil {
				t.Fatal(err)
			}
		}
		time.AfterFunc(50*time.Millisecond, cancel)
		if _, err := w.Do(ctx, task("sleep", "1h")); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want Canceled", err)
		}
		// A later context, and an earlier one ending with nothing in flight.
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		if _, err := w.Do(ctx2, task("echo", "y")); err != nil {
			t.Fatal(err)
		}
		if w.Err() != nil {
			t.Fatalf("worker ended: %v", w.Err())
		}
	})
}

// A pipelined batch that is cancelled and ignores it is killed with its
// worker by the kill ladder (its loss says so); the batch behind it is
// lost with it, having never started.
func TestPipelinedKillLadder(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		hang := send(w, task("hang", ""))
		behind := send(w, task("echo", "behind"))
		w.Flush()
		w.Cancel(hang)
		got := map[uint64]backend.Answer{}
		for range 2 {
			a := keep(w.Recv())
			got[a.Ticket] = a
		}
		h, b := got[hang], got[behind]
		if h.Err == nil && errors.Is(h.Errs[0], context.Canceled) {
			// The Cancel, over gRPC, reached the worker before the batch
			// did: the hang never started, and the echo ran.
			if b.Err != nil || b.Errs[0] != nil {
				t.Errorf("the batch behind a hang that never ran: %v %v", b.Err, b.Errs)
			}
			return
		}
		var lost *LostError
		if !errors.As(h.Err, &lost) || !errors.Is(h.Err, context.Canceled) {
			t.Errorf("the hang: %v, want lost to the kill ladder", h.Err)
		}
		// On the unary path the echo may run before the hang.
		if !(ipc == IPCGRPC && b.Err == nil) && (b.Err == nil || b.Started != 0) {
			t.Errorf("the batch behind: %v (started %d), want lost before it started", b.Err, b.Started)
		}
		<-w.Done()
		var exit *ExitError
		if !errors.As(w.Err(), &exit) || exit.Signal != syscall.SIGTERM {
			t.Fatalf("exit %v, want death by SIGTERM", w.Err())
		}
	})
}

// A Cancel that names a ticket before its Send cancels it when it is sent.
func TestCancelBeforeSend(t *testing.T) {
	w := startTest(t, IPCFrame)
	ticket := tickets.Add(1)
	w.Cancel(ticket)
	w.Send(ticket, []worker.Task{task("sleep", "1h")}, time.Time{})
	w.Flush()
	a := keep(w.Recv())
	if a.Err != nil || !errors.Is(a.Errs[0], context.Canceled) {
		t.Fatalf("got %v / %v, want the task cancelled", a.Err, a.Errs)
	}
}
