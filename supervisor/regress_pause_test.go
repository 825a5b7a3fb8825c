package supervisor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Found verifying issue 9: a task handed to an idle slot just before
// dispatch was paused stayed on that slot, unsent, until the resume: a
// Cancel did not end it (against "cancelling a queued task completes its
// future at once"), and Stop(CancelQueued, CancelRunning), what the
// command's quit does, waited for its context to end.

// TestCancelJustAfterPauseEndsAtOnce submits to an idle worker and pauses
// at once (the worker has not taken the task yet, most rounds), then
// cancels: the task ends canceled without a resume.
func TestCancelJustAfterPauseEndsAtOnce(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 1})
	for round := range 20 {
		f := s.Submit(context.Background(), worker.Task{Name: "sleep", Input: []byte("1h")})
		s.setPaused(true)
		f.Cancel()
		select {
		case <-f.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: cancelled while paused, no result 10s later", round)
		}
		if r := f.Result(); r.Status != StatusCanceled {
			t.Fatalf("round %d: %v %v, want canceled", round, r.Status, r.Err)
		}
		s.setPaused(false)
	}
}

// TestStopWhilePausedCancelsTheHandedTask: Stop with both cancel options
// right after a pause returns without its context having to end.
func TestStopWhilePausedCancelsTheHandedTask(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 1})
	f := s.Submit(context.Background(), worker.Task{Name: "sleep", Input: []byte("1h")})
	s.setPaused(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(ctx, CancelQueued, CancelRunning) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		cancel() // force it, so the test ends
		<-stopped
		t.Fatal("Stop(CancelQueued, CancelRunning) while paused: not back 10s later")
	}
	if r := wait(t, f); r.Status != StatusCanceled || !errors.Is(r.Err, ErrStopped) {
		t.Errorf("the paused task: %v %v, want canceled by the stop", r.Status, r.Err)
	}
}
