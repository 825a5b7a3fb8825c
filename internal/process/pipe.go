package process

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// The pipelined form of Do and DoBatch, for one goroutine that keeps
// several batches in flight on a worker: Send queues a batch and returns at
// once, Flush writes what was queued (on the frame path, a burst of batches
// leaves in one write), and Recv returns the answers as they come. Every
// batch sent gets exactly one answer from Recv, even when the worker dies:
// then each batch still in flight is answered with Do's error for a lost
// task. The same kill ladder watches each batch's context as Do's.
//
// Without pipelining, a worker sits idle for a whole round trip between
// tasks (~7 µs here), longer than a small task takes; with several batches
// in flight it always has the next one waiting.

// errNoneInFlight is Recv's error when nothing was sent that it has not
// answered: a bug in the caller.
var errNoneInFlight = errors.New("process: Recv with no batch in flight")

// A pending batch is one sent and not yet answered.
type pending struct {
	ctx     context.Context
	n       int
	watch   *watch // the kill ladder's, or nil
	refused error  // not sent: every task fails with this
}

// An Answer is the worker's reply to one batch sent with Send. Its results
// are valid until the next Recv (their outputs for good).
type Answer struct {
	Ticket uint64 // what Send returned for the batch
	// Err is the batch's error as a whole: the worker died before it
	// answered (a *LostError). The tasks' results are then unknown.
	Err error
	// Started and Finished are valid when Err != nil: how many of the
	// batch's tasks had started and finished when the worker died, in
	// order. Task index Finished was executing if Started > Finished (it is
	// the one to blame for the death); tasks from index Started on never
	// started; Started == Finished means none was executing. Both are
	// ProgressUnknown where the host cannot tell (outside Linux). The
	// worker keeps this record in memory it shares with the host, written
	// around each task, so it survives any death; see LostError.
	Started, Finished int

	w    *Worker
	ctx  context.Context
	outs []outcome
	err  error // the same error for every task (a refused batch)
}

// Len is how many tasks the batch had.
func (a *Answer) Len() int { return len(a.outs) }

// Fill sets res and errs (each Len long) to the tasks' results, as Result
// would return them, and more cheaply: a batch of a hundred no-op tasks
// spent as long returning their results one call at a time as the worker
// spent running them.
func (a *Answer) Fill(res []worker.Result, errs []error) {
	for i := range a.outs {
		o := &a.outs[i]
		if a.Err == nil && a.err == nil && o.kind == workerpb.ErrorKind_ERROR_KIND_NONE {
			res[i] = worker.Result{Output: o.output, Exec: o.exec, PID: a.w.pid}
			errs[i] = nil
			continue
		}
		res[i], errs[i] = a.Result(i)
	}
}

// Result is task i's result, as Do would return it.
func (a *Answer) Result(i int) (worker.Result, error) {
	switch {
	case a.Err != nil:
		return worker.Result{}, a.Err
	case a.err != nil:
		return worker.Result{}, a.err
	}
	return a.w.result(a.ctx, &a.outs[i])
}

// pipe is the Worker's pipelining state.
type pipe struct {
	mu      sync.Mutex
	pending map[uint64]pending // by value: no allocation per batch
	refused []uint64           // tickets of batches answered without being sent, oldest first
	broken  bool               // the transport failed: what is pending is lost
	// local is set while refused is not empty or broken is set: Recv and
	// Ready check it without the lock, which they otherwise took for
	// nothing on every answer.
	local atomic.Bool
}

// Send queues tasks as one batch and returns its ticket without waiting;
// Recv returns the answer. ctx means what it means for DoBatch. Send is for
// one goroutine at a time, the one that calls Recv. The caller may reuse
// tasks once Send returns (the inputs themselves must stay as they are
// until the answer).
func (w *Worker) Send(ctx context.Context, tasks []worker.Task) uint64 {
	b, refused := w.batch(ctx, tasks)
	if refused != nil {
		n := uint64(len(tasks))
		b.first = w.seq.Add(n) - n + 1 // a ticket all the same
	}
	p := pending{ctx: ctx, n: len(tasks), refused: refused}
	ticket := b.first
	if p.refused == nil {
		p.watch = w.watchCall(ctx, ticket)
	}
	w.pipe.mu.Lock()
	if w.pipe.pending == nil {
		w.pipe.pending = map[uint64]pending{}
	}
	w.pipe.pending[ticket] = p
	if p.refused != nil {
		w.pipe.refused = append(w.pipe.refused, ticket)
		w.pipe.local.Store(true)
	}
	w.pipe.mu.Unlock()
	if p.refused != nil {
		return ticket
	}
	// A failed send needs no handling here: the transport is broken, so
	// recv fails too, and Recv then answers this batch as lost.
	_ = w.path.send(b)
	return ticket
}

// Flush writes the batches Send queued. Recv flushes too, before it waits.
func (w *Worker) Flush() { _ = w.path.flush() }

// Ready reports whether Recv would return at once: an answer is at hand.
func (w *Worker) Ready() bool {
	return w.pipe.local.Load() || w.path.ready()
}

// Recv waits for the next answer to a batch sent with Send.
func (w *Worker) Recv() Answer {
	if a, ok := w.nextLocal(); ok {
		return a
	}
	_ = w.path.flush()
	tag, outs, err := w.path.recv()
	if err != nil {
		w.breakPipe()
		a, _ := w.nextLocal()
		return a
	}
	p, ok := w.take(tag)
	if !ok || len(outs) != p.n {
		// The worker answered what was never asked: treat the transport
		// as broken, as the frame Mux does for an unexpected tag.
		w.cfg.Logger.Error("worker answered a batch it was not sent", append(w.logAttrs(), "ticket", tag)...)
		_ = w.runner.signalGroup(syscall.SIGKILL, false)
		w.breakPipe()
		if ok {
			return w.lostAnswer(tag, p)
		}
		a, _ := w.nextLocal()
		return a
	}
	w.unwatch(p.watch, tag)
	return Answer{Ticket: tag, w: w, ctx: p.ctx, outs: outs}
}

// nextLocal answers, without the transport, a refused batch or, once the
// transport has failed, a batch lost with the worker.
func (w *Worker) nextLocal() (Answer, bool) {
	if !w.pipe.local.Load() {
		return Answer{}, false
	}
	w.pipe.mu.Lock()
	if len(w.pipe.refused) > 0 {
		ticket := w.pipe.refused[0]
		w.pipe.refused = w.pipe.refused[1:]
		w.pipe.local.Store(len(w.pipe.refused) > 0 || w.pipe.broken)
		p := w.pipe.pending[ticket]
		delete(w.pipe.pending, ticket)
		w.pipe.mu.Unlock()
		return Answer{Ticket: ticket, outs: make([]outcome, p.n), err: p.refused}, true
	}
	if !w.pipe.broken {
		w.pipe.mu.Unlock()
		return Answer{}, false
	}
	for ticket, p := range w.pipe.pending {
		delete(w.pipe.pending, ticket)
		w.pipe.mu.Unlock()
		return w.lostAnswer(ticket, p), true
	}
	w.pipe.mu.Unlock()
	return Answer{Err: errNoneInFlight}, true
}

// breakPipe records that the transport failed: what is pending is lost.
func (w *Worker) breakPipe() {
	w.pipe.mu.Lock()
	w.pipe.broken = true
	w.pipe.local.Store(true)
	w.pipe.mu.Unlock()
}

func (w *Worker) take(ticket uint64) (pending, bool) {
	w.pipe.mu.Lock()
	defer w.pipe.mu.Unlock()
	p, ok := w.pipe.pending[ticket]
	delete(w.pipe.pending, ticket)
	return p, ok
}

// lostAnswer answers a batch lost with its worker.
func (w *Worker) lostAnswer(ticket uint64, p pending) Answer {
	w.unwatch(p.watch, ticket)
	e := w.lost(p.ctx, ticket, p.n)
	return Answer{Ticket: ticket, Err: e, Started: e.Started, Finished: e.Finished, outs: make([]outcome, p.n)}
}
