//go:build unix

package supervisor

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Issue 9, finding 4: "Stop can miss a task: a task dispatched between the
// stopping check and its attempt being registered is never cancelled, so
// Stop waits forever on a long task. Stop also ignores its own ctx for
// returning."

// TestStopCancelsATaskDispatchedAsItBegins submits a long task and stops
// the pool at once, round after round, with a random delay between the two
// so that the dispatch of the task sweeps across Stop's start. Every round,
// Stop must cancel the task and return. Thread mode, where a round costs
// microseconds.
func TestStopCancelsATaskDispatchedAsItBegins(t *testing.T) {
	const maxRounds, maxTime = 50000, 20 * time.Second
	rng := rand.New(rand.NewPCG(1, 4))
	end := time.Now().Add(maxTime)
	rounds := 0
	for ; rounds < maxRounds && time.Now().Before(end); rounds++ {
		if !stopRound(t, rng.IntN(2000)) {
			t.Fatalf("round %d: Stop did not cancel a task dispatched as it began", rounds+1)
		}
	}
	t.Logf("%d rounds, every task cancelled by Stop", rounds)
}

// stopRound runs one round: a pool of one goroutine worker, a task that
// sleeps until cancelled, then Stop after spinning delay times. It reports
// whether Stop returned; if not, it cancels the task itself so that the
// pool can end.
func stopRound(t *testing.T, delay int) bool {
	p, err := newTestPool(poolConfig{mode: ModeThread, workers: 1, spares: -1, grace: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h := submit(p, context.Background(), worker.Task{Name: "sleep", Input: []byte("1h")})
	defer h.release()
	spin(delay)
	stopped := make(chan struct{})
	go func() { _ = stopPool(p, context.Background()); close(stopped) }()
	if within(stopped, 5*time.Second) {
		return true
	}
	t.Logf("Stop hung after a spin of %d:\n%s", delay, allStacks())
	cancelFuture(h) // the attempt Stop missed ends with its own context
	waitClosed(t, stopped, 10*time.Second, "Stop, once the missed task was cancelled")
	return false
}

// spin burns a little time without yielding the thread: a delay finer than
// a timer's.
func spin(n int) {
	x := uint64(n)
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
	}
	sink.Store(x)
}

// TestStopReturnsWhenItsContextEnds stops a pool whose task ignores
// cancellation, with a kill ladder far longer than Stop's context: once
// the context ends, Stop must stop the workers by force (process mode) or
// abandon them (thread mode) and return, not wait out the ladder.
func TestStopReturnsWhenItsContextEnds(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		const grace, budget = 30 * time.Second, 100 * time.Millisecond
		// A task that ignores cancellation: in thread mode one that ends
		// by itself (spin), so that no goroutine outlives the test.
		task := worker.Task{Name: "hang"}
		if mode == ModeThread {
			task = worker.Task{Name: "spin", Input: []byte("6s")}
		}
		p, err := newTestPool(poolConfig{mode: mode, workers: 1, spares: -1, grace: grace})
		if err != nil {
			t.Fatal(err)
		}
		h := submit(p, context.Background(), task)
		defer h.release()
		waitBusy(t, p, 1)
		ctx, cancel := context.WithTimeout(context.Background(), budget)
		defer cancel()
		stopped := make(chan struct{})
		go func() { _ = stopPool(p, ctx); close(stopped) }()
		// The bound: the budget plus a slack for a forced stop on a busy
		// machine, far below the 30 s ladder.
		if !within(stopped, budget+3*time.Second) {
			t.Errorf("Stop(ctx with %v) still waiting %v after the ctx ended (grace %v)", budget, 3*time.Second, grace)
			killAll(workerPIDsEver(p))
			waitClosed(t, stopped, 30*time.Second, "Stop, once its workers were killed")
		}
	})
}
