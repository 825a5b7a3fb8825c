//go:build unix

package supervisor

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Issue 9, finding 5: "The queue hand-off can strand a job: push removes
// the waiter, unlocks, then sends; if the waiter gives up in between, the
// job sits in a channel nobody reads (Submit racing Stop left futures that
// never complete)."

// TestStopStrandsNoHandedOffJob races Submit and Map against Stop on a pool
// of many idle goroutine workers, each waiting in the queue: every hand-off
// to a waiter that Stop wakes is a chance to strand a job. Once Stop has
// returned, every future must be done (Stop's contract) and Map must
// return.
func TestStopStrandsNoHandedOffJob(t *testing.T) {
	const maxRounds, maxTime = 5000, 20 * time.Second
	rng := rand.New(rand.NewPCG(1, 5))
	end := time.Now().Add(maxTime)
	rounds := 0
	for ; rounds < maxRounds && time.Now().Before(end); rounds++ {
		if msg := handOffRound(t, rng.IntN(20000)); msg != "" {
			t.Fatalf("round %d: %s", rounds+1, msg)
		}
	}
	t.Logf("%d rounds, no job stranded", rounds)
}

// handOffRound runs one round and says what went wrong, if anything.
func handOffRound(t *testing.T, delay int) string {
	const workers, submits, inputs = 32, 32, 64
	p, err := newTestPool(poolConfig{mode: ModeThread, workers: workers, spares: -1})
	if err != nil {
		t.Fatal(err)
	}
	in := make([][]byte, inputs)
	for i := range in {
		in[i] = []byte(strconv.Itoa(i))
	}
	mapped := make(chan struct{})
	hs := make([]*handle, submits)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range hs {
			hs[i] = submit(p, context.Background(), worker.Task{Name: "echo", Input: in[i]})
		}
	})
	go func() { _, _ = mapTasks(p, context.Background(), "echo", in, 1); close(mapped) }()
	spin(delay)
	stopped := make(chan struct{})
	go func() { _ = stopPool(p, context.Background()); close(stopped) }()
	if !within(stopped, 10*time.Second) {
		return "Stop did not return within 10s\n" + p.debugDump()
	}
	wg.Wait()
	for i, h := range hs {
		if !isDone(h.done()) {
			return "Stop returned but submitted task " + strconv.Itoa(i) + " has no result: stranded"
		}
	}
	if !within(mapped, 5*time.Second) {
		return "Stop returned but Map did not return within 5s: a chunk stranded\n" + allStacks()
	}
	return ""
}
