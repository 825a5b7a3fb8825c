package worker

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// SwitchInterval is how long a task holding the GIL computes before it
// offers the lock to others, like CPython's sys.getswitchinterval()
// (5 ms).
const SwitchInterval = 5 * time.Millisecond

// A GIL emulates CPython's global interpreter lock for thread mode: a task
// marked CPU-bound holds it while it computes and offers it to the others
// every SwitchInterval; tasks that wait on I/O or time (sleep, fetch) do
// not take it, as CPython releases the GIL around blocking calls. It is an
// emulation for comparison: Go has no such lock.
type GIL struct {
	mu    sync.Mutex
	since time.Time // when the current holder took it
}

func (g *GIL) lock() {
	g.mu.Lock()
	g.since = time.Now()
}

func (g *GIL) unlock() { g.mu.Unlock() }

type gilKey struct{}

// WithGIL returns a context under which CPU-bound tasks hold g while they
// compute.
func WithGIL(ctx context.Context, g *GIL) context.Context {
	return context.WithValue(ctx, gilKey{}, g)
}

func gilFrom(ctx context.Context) *GIL {
	g, _ := ctx.Value(gilKey{}).(*GIL)
	return g
}

// Yield is called by CPU-bound tasks between chunks of work. Under the GIL
// emulation, once the task has held the lock for SwitchInterval, it lets
// another task take it; otherwise it does nothing.
func Yield(ctx context.Context) {
	g := gilFrom(ctx)
	if g == nil || time.Since(g.since) < SwitchInterval {
		return
	}
	g.unlock()
	runtime.Gosched()
	g.lock()
}
