package demo

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
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

// gil is the emulation's lock while it is on; see EnableGIL.
var gil atomic.Pointer[GIL]

// EnableGIL turns the emulation on for this process: from then on the
// CPU-bound built-in tasks hold g while they compute. For thread mode,
// where every worker is a goroutine of this process; a worker process never
// enables it (each would have a lock of its own, which is why Python
// reaches for processes). nil turns it off.
func EnableGIL(g *GIL) { gil.Store(g) }

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
