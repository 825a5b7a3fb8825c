//go:build unix

package supervisor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Issue 9, finding 9: "Cancel of a queued task does nothing until a worker
// dequeues it — behind a hung worker, never."

// TestCancelOfAQueuedTaskCompletesAtOnce queues a task behind one that
// holds the only worker, cancels it, and expects its result (canceled)
// while the worker is still busy.
func TestCancelOfAQueuedTaskCompletesAtOnce(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		p := startPool(t, poolConfig{mode: mode, workers: 1})
		// In process mode a hung worker; in thread mode a task that
		// honours cancellation, so that no goroutine outlives the test.
		blocker := worker.Task{Name: "hang"}
		if mode == ModeThread {
			blocker = worker.Task{Name: "sleep", Input: []byte("1h")}
		}
		b := submit(p, context.Background(), blocker)
		defer b.release()
		waitBusy(t, p, 1)
		h := submit(p, context.Background(), worker.Task{Name: "echo", Input: []byte("queued")})
		cancelFuture(h)
		if !within(h.done(), 10*time.Second) {
			t.Fatalf("a cancelled queued task has no result 10s later, its worker still busy")
		}
		if r := h.result(); r.Status != StatusCanceled || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("cancelled queued task: %v %v, want canceled", r.Status, r.Err)
		}
	})
}
