package supervisor

import (
	"context"
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
		s := newTest(t, b.config(Config{Workers: 1, InFlight: 8, OnEvent: ev.event}))
		var fs []*Future[[]byte]
		for range 60 {
			fs = append(fs, s.Submit(context.Background(), worker.Task{Name: "sleep", Input: []byte("2ms")}))
		}
		waitBusy(t, s, 1)
		if err := s.Kill(1); err != nil {
			t.Fatal(err)
		}
		retried := 0
		for _, f := range fs {
			r := wait(t, f)
			if r.Err != nil {
				t.Errorf("task %d: %v", r.ID, r.Err)
			}
			if r.Attempts > 1 {
				retried++
			}
		}
		if retried == 0 {
			t.Error("no task was in flight when the worker was killed")
		}
		for id, rs := range ev.results() {
			if len(rs) != 1 {
				t.Errorf("task %d finished %d times", id, len(rs))
			}
		}
	})
}
