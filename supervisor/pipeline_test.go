package supervisor

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/procpool/supervisor/worker"
)

// With several tasks in flight on a worker that is killed, each task still
// gets exactly one result: those in flight run again on the replacement.
func TestPipelinedTasksSurviveAKill(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		if b.mode == ModeThread {
			t.Skip("thread mode does not pipeline")
		}
		var ev finished
		var retried atomic.Int64
		s := newTest(t, b.config(Config{Workers: 1, InFlight: 8, OnEvent: func(e Event) {
			ev.event(e)
			if r, ok := e.(TaskRetried); ok && !r.Charged {
				retried.Add(1)
			}
		}}))
		var fs []*Future[[]byte]
		for range 60 {
			fs = append(fs, s.Submit(context.Background(), worker.Task{Name: "sleep", Input: []byte("2ms")}))
		}
		waitBusy(t, s, 1)
		if err := s.Kill(1); err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if r := wait(t, f); r.Err != nil {
				t.Errorf("task %d: %v", r.ID, r.Err)
			}
		}
		if retried.Load() == 0 {
			t.Error("no task was in flight when the worker was killed, or one was charged with a kill on request")
		}
		for id, rs := range ev.results() {
			if len(rs) != 1 {
				t.Errorf("task %d finished %d times", id, len(rs))
			}
		}
	})
}
