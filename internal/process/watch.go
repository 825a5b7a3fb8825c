package process

import (
	"context"
	"sync"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/workerpb"
)

// The kill ladder's watch of the contexts that calls run under. A call in
// flight (Do, DoBatch, or a batch sent with Send) under a context that can
// end is registered with the watch of that context; when the context ends,
// the watch walks the kill ladder for every call still registered: it
// cancels them over gRPC, and if one has not been answered after the grace,
// sends SIGTERM to the worker's process group, then SIGKILL.
//
// Calls share a watch when they share a context, as the supervisor's calls
// do (its attempts share the slot's context unless theirs can end by
// themselves). The watch of the context used last is kept between calls, so
// a call under it costs a map entry under a lock (~60 ns here) instead of a
// context.AfterFunc of its own and a channel (~300 ns and 5 allocations per
// call, measured; ~0.6 µs and 10 allocations with the derived context the
// supervisor used to make per task).

// A watch is the kill ladder's watch of one context.
type watch struct {
	ctx  context.Context
	stop func() bool // stops the context.AfterFunc
	// calls are those in flight under ctx, by first sequence number, each
	// with the channel the ladder waits on: made when the ladder starts,
	// closed when the call ends.
	calls map[uint64]chan struct{}
	fired bool // the context ended; the ladder has been walked or is being walked
}

// watches are a Worker's.
type watches struct {
	mu   sync.Mutex
	last *watch // the watch of the context used last, kept while not fired
}

// watchCall registers the call whose first sequence number is seq under
// ctx's watch, and returns that watch for unwatch; nil when ctx cannot end.
func (w *Worker) watchCall(ctx context.Context, seq uint64) *watch {
	if ctx.Done() == nil {
		return nil
	}
	ws := &w.watches
	ws.mu.Lock()
	defer ws.mu.Unlock()
	wt := ws.last
	if wt == nil || wt.ctx != ctx || wt.fired {
		if old := ws.last; old != nil && len(old.calls) == 0 {
			old.stop() // nobody left under it: drop its AfterFunc
		}
		wt = &watch{ctx: ctx, calls: map[uint64]chan struct{}{}}
		ws.last = wt
		// Registered under ws.mu: if ctx has already ended, the function
		// runs on its own goroutine and waits for the lock.
		wt.stop = context.AfterFunc(ctx, func() { w.fire(wt) })
	}
	wt.calls[seq] = nil
	return wt
}

// unwatch ends the watch of a call that got its answer (or was lost).
func (w *Worker) unwatch(wt *watch, seq uint64) {
	if wt == nil {
		return
	}
	ws := &w.watches
	ws.mu.Lock()
	answered := wt.calls[seq]
	delete(wt.calls, seq)
	if len(wt.calls) == 0 && wt != ws.last {
		wt.stop()
	}
	ws.mu.Unlock()
	if answered != nil {
		close(answered)
	}
}

// fire walks the kill ladder for the calls in flight under wt, whose
// context has ended.
func (w *Worker) fire(wt *watch) {
	ws := &w.watches
	ws.mu.Lock()
	wt.fired = true
	if ws.last == wt {
		ws.last = nil
	}
	seqs := make([]uint64, 0, len(wt.calls))
	answered := make([]chan struct{}, 0, len(wt.calls))
	for seq := range wt.calls {
		a := make(chan struct{})
		wt.calls[seq] = a
		seqs = append(seqs, seq)
		answered = append(answered, a)
	}
	ws.mu.Unlock()
	if len(seqs) > 0 {
		w.escalate(seqs, answered)
	}
}

// escalate is the kill ladder for calls in flight: seqs name one task of
// each (a Cancel naming any task of a batch cancels the batch), and each
// call's answered channel is closed when it ends.
func (w *Worker) escalate(seqs []uint64, answered []chan struct{}) {
	cctx, cancel := context.WithTimeout(w.life, w.cfg.Grace)
	_, _ = w.rpc.Cancel(cctx, cancelRequest(seqs))
	cancel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		if w.allAnswered(answered, w.cfg.Grace) {
			return
		}
		w.cfg.Logger.Warn("task ignored cancellation; signalling the worker's process group",
			append(w.logAttrs(), "signal", SignalName(sig))...)
		_ = w.runner.signalGroup(sig, true)
	}
}

// allAnswered waits up to d for every call to end, or for the worker to.
func (w *Worker) allAnswered(answered []chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for _, a := range answered {
		select {
		case <-a:
		case <-w.done:
			return true
		case <-t.C:
			return false
		}
	}
	return true
}

func cancelRequest(seqs []uint64) *workerpb.CancelRequest {
	return &workerpb.CancelRequest{Seqs: seqs}
}
