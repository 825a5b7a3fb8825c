package inproc

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/procpool/supervisor/worker"
)

// Found verifying issue 9 (the stress suite's goroutine leak, 2 runs in
// 516): a worker abandoned just as its task returned kept its goroutine
// forever, waiting for a next batch, because nothing stops a worker whose
// Done is closed. Here the grace is a nanosecond, so the reply and the
// abandonment race in every round; a worker that answered is stopped as
// the supervisor does, an abandoned one is left alone, as the supervisor
// does too. No goroutine of theirs may be left.
func TestAbandonedWorkerLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	abandoned := 0
	for range 300 {
		w := Start(Config{Grace: time.Nanosecond})
		w.Send(1, []worker.Task{{Name: "sleep", Input: []byte("1h")}}, time.Time{})
		w.Cancel(1)
		w.Recv()
		if isClosed(w.Done()) {
			abandoned++
			continue
		}
		if err := w.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of 300 workers abandoned", abandoned)
}

// TestAbandonedWorkerRunsNoQueuedBatch: once abandoned, a goroutine that
// is free again takes no batch queued behind the one it was abandoned
// over: that batch is answered as lost and runs elsewhere, so running it
// here too would run it twice.
func TestAbandonedWorkerRunsNoQueuedBatch(t *testing.T) {
	for round := range 300 {
		w := Start(Config{Grace: time.Nanosecond})
		w.Send(1, []worker.Task{{Name: "sleep", Input: []byte("1h")}}, time.Time{})
		w.Send(2, []worker.Task{{Name: "counter"}}, time.Time{})
		w.Cancel(1)
		w.Recv()
		if !isClosed(w.Done()) {
			_ = w.Stop(context.Background())
			continue
		}
		a := w.Recv()
		if a.Err == nil {
			t.Fatalf("round %d: the batch queued behind an abandonment ran on the abandoned goroutine", round)
		}
	}
}
