package process

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

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

// Batches pipelined under a context that ends are cancelled; one that
// ignores it is killed with its worker, and the ones behind it are lost
// with it.
func TestPipelinedKillLadder(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		hang := w.Send(ctx, []worker.Task{task("hang", "")})
		w.Send(ctx, []worker.Task{task("echo", "behind")})
		w.Flush()
		for range 2 {
			a := w.Recv()
			res, err := a.Result(0)
			// On the unary path the echo may run before the hang.
			ranFirst := ipc == IPCGRPC && a.Ticket != hang && err == nil && string(res.Output) == "behind"
			if !errors.Is(err, context.DeadlineExceeded) && !ranFirst {
				t.Errorf("ticket %d: %v, want DeadlineExceeded", a.Ticket, err)
			}
		}
		<-w.Done()
		var exit *ExitError
		if !errors.As(w.Err(), &exit) || exit.Signal != syscall.SIGTERM {
			t.Fatalf("exit %v, want death by SIGTERM", w.Err())
		}
	})
}
