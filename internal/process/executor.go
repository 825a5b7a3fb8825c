package process

import (
	"context"
	"sync"
	"time"

	"github.com/procpool/supervisor/worker"
)

// A request is one task as a worker process receives it.
type request struct {
	seq      uint64
	task     worker.Task
	deadline time.Time // zero for none
}

// maxEarlyCancels bounds the memory kept for cancels that arrive before
// their task starts (or after it ended, which looks the same from here).
const maxEarlyCancels = 4096

// An executor runs batches of tasks inside a worker process and lets Cancel
// reach them, whichever data path delivered them. It is safe for concurrent
// use, and runs one batch at a time (Config.InFlight promises that a worker
// runs its tasks one after another; the unary gRPC path would otherwise run
// concurrent calls side by side).
//
// A batch runs under one context, whatever its length: the host sends a
// batch's tasks consecutive sequence numbers and one deadline, and a Cancel
// naming any of them cancels the batch. So a batch of 100 pays for one
// context and one registration, not 100 (a context with its cancel costs
// ~130 ns and two allocations here, a map entry under the lock ~50 ns).
type executor struct {
	maxPayload int
	batchLimit int             // bytes of output one batch's reply may carry
	progress   *progressRecord // shared with the host, see progress.go

	run sync.Mutex // held while a batch runs

	mu      sync.Mutex
	running []span              // batches running: one at most, but kept as a list for Cancel
	early   map[uint64]struct{} // cancelled before they started
}

// A span is a batch in progress: sequence numbers lo to hi.
type span struct {
	lo, hi uint64
	cancel context.CancelFunc
}

func newExecutor(maxPayload int, prog *progressRecord) *executor {
	return &executor{
		maxPayload: maxPayload,
		progress:   prog,
		batchLimit: messageLimit(maxPayload) - envelopeSlack,
		early:      map[uint64]struct{}{},
	}
}

// envelopeSlack is what a reply keeps free for its framing and for the
// error messages of outcomes that do not fit (see fit).
const envelopeSlack = 64 << 10

// runBatch runs reqs one after another as one batch (see begin) and
// appends their outcomes to outs, in order.
func (e *executor) runBatch(parent context.Context, reqs []request, outs []outcome) []outcome {
	if len(reqs) == 0 {
		return outs
	}
	var b batchRun
	e.begin(&b, parent, reqs[0].seq, len(reqs), reqs[0].deadline)
	defer b.end()
	for i := range reqs {
		var o outcome
		b.run(reqs[i].seq, reqs[i].task, &o)
		outs = append(outs, o)
	}
	return outs
}

// A batchRun is one batch running: its context, which parent, the batch's
// deadline and Cancel can all end, and what its tasks have used of the
// reply so far. Tasks left when the context ends are not started: they end
// with the context's error. Outputs over the payload limit, or that would
// make the batch's reply too large for the transport, become ErrTooLarge.
type batchRun struct {
	e              *executor
	ctx            context.Context
	lo             uint64
	left           int // tasks not yet run
	used           int // bytes of the reply so far
	cancel, expire context.CancelFunc
	tasks          taskRunner
}

// begin starts b, a batch of n tasks numbered from lo, once no other batch
// runs; b.end must follow.
func (e *executor) begin(b *batchRun, parent context.Context, lo uint64, n int, deadline time.Time) {
	e.run.Lock()
	*b = batchRun{e: e, lo: lo, left: n, tasks: taskRunner{progress: e.progress}}
	b.ctx, b.cancel = context.WithCancel(parent)
	if !deadline.IsZero() {
		b.ctx, b.expire = context.WithDeadline(b.ctx, deadline)
	}
	e.started(lo, lo+uint64(n)-1, b.cancel)
}

// run runs the batch's next task, seq, and sets o to its outcome.
func (b *batchRun) run(seq uint64, t worker.Task, o *outcome) {
	b.left--
	b.tasks.run(b.ctx, seq, t, b.e.maxPayload, o)
	b.used = b.e.fit(o, b.used, b.left)
}

func (b *batchRun) end() {
	b.e.finished(b.lo)
	if b.expire != nil {
		b.expire()
	}
	b.cancel()
	b.e.run.Unlock()
}

// fit keeps a batch's reply within what the transport carries: an output
// that would push the reply past the limit is replaced by ErrTooLarge,
// leaving room for the short outcomes of the left tasks still to come. It
// returns the bytes used so far.
func (e *executor) fit(o *outcome, used, left int) int {
	n := outcomeSize(o)
	if used+n+left*maxShortOutcome > e.batchLimit && len(o.output) > 0 {
		err := tooLarge("the batch's output", used+len(o.output), e.batchLimit)
		o.output = nil
		o.kind, o.msg, o.stack = encodeError(err)
		o.sentinels, o.values = nil, nil
		n = outcomeSize(o)
	}
	return used + n
}

// maxShortOutcome bounds the encoded size of an outcome with no output and
// an error message of ours.
const maxShortOutcome = 512

func (e *executor) started(lo, hi uint64, cancel context.CancelFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.early) > 0 {
		for seq := lo; seq <= hi; seq++ {
			if _, ok := e.early[seq]; ok {
				delete(e.early, seq)
				cancel()
			}
		}
	}
	e.running = append(e.running, span{lo: lo, hi: hi, cancel: cancel})
}

func (e *executor) finished(lo uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.running {
		if r.lo == lo {
			e.running = append(e.running[:i], e.running[i+1:]...)
			return
		}
	}
}

// cancel cancels the batches that hold any of seqs and remembers the other
// seqs in case their batch has not started yet.
func (e *executor) cancel(seqs []uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
next:
	for _, seq := range seqs {
		for _, r := range e.running {
			if r.lo <= seq && seq <= r.hi {
				r.cancel()
				continue next
			}
		}
		if len(e.early) >= maxEarlyCancels {
			clear(e.early)
		}
		e.early[seq] = struct{}{}
	}
}

// cancelAll cancels every running batch: the worker is going away.
func (e *executor) cancelAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.running {
		r.cancel()
	}
}
