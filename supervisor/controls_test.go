package supervisor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/process"
)

// Two RemoveWorker calls at once on a pool of two never remove both
// (issue 9, finding 7: 1 in 2,000 did).
func TestConcurrentRemoveKeepsOneWorker(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 2})
	for round := range 300 {
		ids := []int{}
		for _, w := range s.Stats().Workers {
			ids = append(ids, w.ID)
		}
		if len(ids) != 2 {
			t.Fatalf("round %d: %d workers, want 2", round, len(ids))
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range ids {
			wg.Go(func() { errs[i] = s.RemoveWorker(id) })
		}
		wg.Wait()
		if errs[0] == nil && errs[1] == nil {
			t.Fatalf("round %d: both workers of a pool of two removed", round)
		}
		if _, err := s.AddWorker(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		waitWorkers(t, s, 2)
	}
}

// waitWorkers waits until s has n workers (a removed one leaves the list
// once it has ended).
func waitWorkers(t *testing.T, s *Supervisor, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Stats().Workers) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers after 10s, want %d", len(s.Stats().Workers), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Worker ids are never reused, and AddWorker after Stop fails and starts
// nothing (finding 7).
func TestWorkerIDsAreNeverReused(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 2})
	seen := map[int]bool{1: true, 2: true}
	for range 5 {
		id, err := s.AddWorker(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Fatalf("worker id %d given twice", id)
		}
		seen[id] = true
		if err := s.RemoveWorker(id); err != nil {
			t.Fatal(err)
		}
		waitWorkers(t, s, 2)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddWorker(context.Background(), ""); !errors.Is(err, ErrStopped) {
		t.Errorf("AddWorker after Stop: %v, want ErrStopped", err)
	}
	for _, w := range s.Stats().Workers {
		if w.State != StateStopped || !seen[w.ID] {
			t.Errorf("after Stop: worker %d is %v", w.ID, w.State)
		}
	}
}

// AddWorker racing Stop either fails or adds a worker that Stop then
// stops: none is left running after Stop returns.
func TestAddWorkerRacingStop(t *testing.T) {
	for round := range 50 {
		s := newTest(t, Config{Mode: ModeThread, Workers: 1})
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = s.AddWorker(context.Background(), "") })
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for _, w := range s.Stats().Workers {
			if w.State != StateStopped {
				t.Fatalf("round %d: worker %d is %v after Stop returned", round, w.ID, w.State)
			}
		}
	}
}

// A program started as a worker that calls New gets ErrInWorker instead of
// starting workers of its own (finding 13: a forgotten ServeWorker made
// 916 nested processes in 28 s).
func TestNewRefusesToRunInAWorker(t *testing.T) {
	t.Setenv(process.Handshake.MagicCookieKey, process.Handshake.MagicCookieValue)
	s, err := New(context.Background(), Config{Workers: 1, WorkerCommand: testWorkerCommand})
	if !errors.Is(err, ErrInWorker) || s != nil {
		t.Fatalf("New in a worker: %v, want ErrInWorker", err)
	}
}

// An abandoned goroutine never shares a chunk's tasks with the next chunk
// (finding 6: the race detector caught the slot reusing the slice).
func TestAbandonedChunkSharesNothing(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 1, Timeout: 20 * time.Millisecond, Grace: 20 * time.Millisecond})
	in := [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("d")}
	for range 3 {
		out := mapTest(t, s, context.Background(), "hang", in[:2], 2)
		for _, o := range out {
			if !errors.Is(o.Err, ErrTimeout) && !errors.Is(o.Err, ErrAbandoned) && !errors.Is(o.Err, context.DeadlineExceeded) {
				t.Errorf("hang: %v", o.Err)
			}
		}
		echo := mapTest(t, s, context.Background(), "echo", in, 2)
		if !slices.EqualFunc(echo, in, func(o mapOut, b []byte) bool { return string(o.Output) == string(b) }) {
			t.Errorf("echo after an abandoned chunk: %v", echo)
		}
	}
}
