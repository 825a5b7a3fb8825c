package demo

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// overlap counts how many overlap tasks compute at the same moment: a
// CPU-bound task that, between GIL switch points, holds the count up while
// it works.
var overlap struct {
	now, max atomic.Int64
	seen     chan struct{}
}

func init() {
	overlap.seen = make(chan struct{}, 1)
	register(Task{
		Name: "test-overlap", Args: "DURATION", Summary: "test only: counts simultaneous computation", CPUBound: true,
		Run: func(ctx context.Context, input []byte) ([]byte, error) {
			d, _ := time.ParseDuration(string(input))
			deadline := time.Now().Add(d)
			for time.Now().Before(deadline) {
				n := overlap.now.Add(1)
				for m := overlap.max.Load(); n > m && !overlap.max.CompareAndSwap(m, n); m = overlap.max.Load() {
				}
				busy(200 * time.Microsecond)
				overlap.now.Add(-1)
				if overlap.max.Load() > 1 {
					break // two computed at once; no need to go on
				}
				Yield(ctx)
			}
			return nil, nil
		},
	})
}

func busy(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

func TestGILSerialisesComputation(t *testing.T) {
	// Not parallel: the overlap counters and the GIL switch are shared.
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprintf("gil=%v", on), func(t *testing.T) {
			overlap.max.Store(0)
			if on {
				EnableGIL(&GIL{})
				defer EnableGIL(nil)
			}
			// Under the GIL the tasks run their whole time; without it they
			// stop as soon as they see each other, so a loaded machine that
			// starts the second goroutine late only makes the test longer.
			d := "300ms"
			if !on {
				d = "5s"
			}
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if _, err := worker.Run(context.Background(), worker.Task{Name: "test-overlap", Input: []byte(d)}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			got := overlap.max.Load()
			if on && got != 1 {
				t.Errorf("under the GIL, %d tasks computed at once; want 1", got)
			}
			if !on && got < 2 {
				t.Errorf("without the GIL, tasks never computed at once (max %d): goroutines should run in parallel", got)
			}
		})
	}
}
