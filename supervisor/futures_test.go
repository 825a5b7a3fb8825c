package supervisor

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// The behaviours of Python's concurrent.futures that users carry over,
// each in both modes (issue 10): cancel of a queued and of a running task,
// as_completed with a deadline, the three wait modes, map with several
// chunksizes and a bad one, shutdown with and without cancelling queued
// work, and max tasks per child.

func sleepTask(d string) worker.Task { return worker.Task{Name: "sleep", Input: []byte(d)} }

// hold occupies every worker of s with a task that runs until cancelled,
// and returns their futures once all are running.
func hold(t *testing.T, s *Supervisor, n int) []*Future[[]byte] {
	t.Helper()
	var fs []*Future[[]byte]
	for range n {
		fs = append(fs, s.Submit(context.Background(), sleepTask("1h")))
	}
	waitBusy(t, s, n)
	return fs
}

func TestFutureCancelQueuedEndsAtOnce(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1})
		busy := hold(t, s, 1)
		queued := s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("x")})
		if queued.Running() {
			t.Error("a queued task reports Running")
		}
		if !queued.Cancel() {
			t.Fatal("Cancel of a queued task returned false")
		}
		select {
		case <-queued.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a cancelled queued task is not done at once: it waits behind a busy worker")
		}
		r := queued.Result()
		if !queued.Cancelled() || r.Status != StatusCanceled || !errors.Is(r.Err, context.Canceled) || r.Attempts != 0 {
			t.Errorf("cancelled queued task: %v %v after %d attempts", r.Status, r.Err, r.Attempts)
		}
		if queued.Cancel() {
			t.Error("a second Cancel of a done task returned true")
		}
		busy[0].Cancel()
		wait(t, busy[0])
	})
}

func TestFutureCancelRunning(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1})
		f := hold(t, s, 1)[0]
		if !f.Running() {
			t.Error("a running task does not report Running")
		}
		if !f.Cancel() {
			t.Fatal("Cancel of a running task returned false")
		}
		r := wait(t, f)
		if r.Status != StatusCanceled || !errors.Is(r.Err, ErrCanceled) || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("cancelled running task: %v %v", r.Status, r.Err)
		}
		after := wait(t, s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("x")}))
		if after.Err != nil || after.PID != r.PID {
			t.Errorf("a task that honours cancellation keeps its worker: pid %d then %d (%v)", r.PID, after.PID, after.Err)
		}
	})
}

func TestSubmitContextEndsAQueuedTaskAtOnce(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1})
		busy := hold(t, s, 1)
		ctx, cancel := context.WithCancel(context.Background())
		queued := s.Submit(ctx, worker.Task{Name: "echo"})
		cancel()
		select {
		case <-queued.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a queued task whose context ended is not done: it waits for a worker (issue 9, finding 9)")
		}
		if r := queued.Result(); r.Status != StatusCanceled || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("got %v %v", r.Status, r.Err)
		}
		busy[0].Cancel()
	})
}

func TestAsCompletedStopsAtItsDeadline(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 2})
		quick := s.Submit(context.Background(), sleepTask("1ms"))
		slow := s.Submit(context.Background(), sleepTask("1h"))
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		var got []*Future[[]byte]
		var last error
		for f, err := range AsCompleted(ctx, quick, slow) {
			if err != nil {
				last = err
				break
			}
			got = append(got, f)
		}
		if len(got) != 1 || got[0] != quick || !errors.Is(last, context.DeadlineExceeded) {
			t.Errorf("got %d futures and %v; want the quick one, then DeadlineExceeded", len(got), last)
		}
		if isDone(slow.Done()) {
			t.Error("the deadline of AsCompleted ended the slow task: it should go on")
		}
		slow.Cancel()
	})
}

func TestWaitModes(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 3})
		ctx := context.Background()
		ok := s.Submit(ctx, sleepTask("1ms"))
		bad := s.Submit(ctx, worker.Task{Name: "fail", Input: []byte("mine")})
		slow := s.Submit(ctx, sleepTask("1h"))
		all := []*Future[[]byte]{ok, bad, slow}

		done, pending, err := Wait(ctx, all, FirstCompleted)
		if err != nil || len(done) == 0 || !slices.Contains(pending, slow) {
			t.Errorf("FirstCompleted: %d done, %d pending, %v", len(done), len(pending), err)
		}
		done, pending, err = Wait(ctx, all, FirstError)
		if err != nil || !slices.Contains(done, bad) || !slices.Contains(pending, slow) {
			t.Errorf("FirstError: %d done, pending %v, %v", len(done), pending, err)
		}
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		done, pending, err = Wait(short, all, AllCompleted)
		if !errors.Is(err, context.DeadlineExceeded) || len(done) != 2 || len(pending) != 1 {
			t.Errorf("AllCompleted under a deadline: %d done, %d pending, %v", len(done), len(pending), err)
		}
		slow.Cancel()
		done, pending, err = Wait(ctx, all, AllCompleted)
		if err != nil || len(done) != 3 || len(pending) != 0 {
			t.Errorf("AllCompleted: %d done, %d pending, %v", len(done), len(pending), err)
		}
	})
}

func TestMapChunksizes(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 2})
		in := inputs(120, func(i int) string { return strconv.Itoa(i) })
		for _, size := range []int{1, 6, 50, len(in)} {
			out := mapTest(t, s, context.Background(), "echo", in, size)
			for i, o := range out {
				if o.Err != nil || string(o.Output) != string(in[i]) {
					t.Fatalf("chunksize %d, input %d: %q %v", size, i, o.Output, o.Err)
				}
			}
		}
		for _, err := range s.Map(context.Background(), "echo", slices.Values(in), 0) {
			if !errors.Is(err, ErrChunksize) {
				t.Errorf("chunksize 0: %v, want ErrChunksize", err)
			}
		}
	})
}

func TestStopFinishesQueuedWorkByDefault(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1})
		var fs []*Future[[]byte]
		for range 5 {
			fs = append(fs, s.Submit(context.Background(), sleepTask("20ms")))
		}
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if r := f.Result(); r.Status != StatusOK {
				t.Errorf("task %d: %v %v; Stop without options runs what was queued", r.ID, r.Status, r.Err)
			}
		}
		if r := wait(t, s.Submit(context.Background(), worker.Task{Name: "echo"})); !errors.Is(r.Err, ErrStopped) {
			t.Errorf("submit after Stop: %v, want ErrStopped", r.Err)
		}
	})
}

func TestStopCancelQueued(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1})
		running := s.Submit(context.Background(), sleepTask("300ms"))
		waitBusy(t, s, 1)
		var queued []*Future[[]byte]
		for range 5 {
			queued = append(queued, s.Submit(context.Background(), sleepTask("1h")))
		}
		if err := s.Stop(context.Background(), CancelQueued); err != nil {
			t.Fatal(err)
		}
		if r := running.Result(); r.Status != StatusOK {
			t.Errorf("running task: %v %v; CancelQueued lets it finish", r.Status, r.Err)
		}
		for _, f := range queued {
			if r := f.Result(); r.Status != StatusCanceled || !errors.Is(r.Err, ErrStopped) || r.Attempts != 0 {
				t.Errorf("queued task: %v %v after %d attempts", r.Status, r.Err, r.Attempts)
			}
		}
	})
}

// Stop returns within its context, and a context already done is a
// kill-all: every task ends at once with ErrStopped.
func TestStopWithAContextDoneForcesEverythingDown(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 2, Grace: 5 * time.Second})
		stubborn := s.Submit(context.Background(), worker.Task{Name: "hang"})
		waitBusy(t, s, 1)
		queued := s.Submit(context.Background(), worker.Task{Name: "hang"})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		begin := time.Now()
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(begin); took > 3*time.Second {
			t.Errorf("Stop with a done context took %v: it should not wait out the 5s grace", took)
		}
		for _, f := range []*Future[[]byte]{stubborn, queued} {
			if r := f.Result(); r.Status != StatusCanceled || !errors.Is(r.Err, ErrStopped) {
				t.Errorf("task %d: %v %v, want canceled by the stop", r.ID, r.Status, r.Err)
			}
		}
	})
}

func TestMaxTasksPerWorkerRecycles(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1, MaxTasksPerWorker: 3, InFlight: 4})
		rs := submitN(t, s, 10, worker.Task{Name: "counter"})
		lives := len(s.Stats().Processes)
		if lives != 4 {
			t.Errorf("%d worker lives for 10 tasks at 3 per worker, want 4", lives)
		}
		if mode == ModeProcess {
			for _, r := range rs {
				if n, _ := strconv.Atoi(string(r.Output)); n > 3 {
					t.Errorf("a worker process counted to %d: it ran more than 3 tasks", n)
				}
			}
		}
	})
}

func TestTrySubmitAndMaxQueued(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Workers: 1, MaxQueued: 2})
		busy := hold(t, s, 1)
		for range 2 {
			if _, err := s.TrySubmit(context.Background(), worker.Task{Name: "echo"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.TrySubmit(context.Background(), worker.Task{Name: "echo"}); !errors.Is(err, ErrQueueFull) {
			t.Errorf("TrySubmit on a full queue: %v, want ErrQueueFull", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		waited := s.Submit(ctx, worker.Task{Name: "echo"})
		if r := wait(t, waited); r.Status != StatusCanceled || !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Errorf("Submit waiting for room past its deadline: %v %v", r.Status, r.Err)
		}
		room := make(chan *Future[[]byte])
		go func() { room <- s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("late")}) }()
		busy[0].Cancel()
		if r := wait(t, <-room); r.Err != nil || string(r.Output) != "late" {
			t.Errorf("Submit that waited for room: %q %v", r.Output, r.Err)
		}
	})
}
