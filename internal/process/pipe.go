package process

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// The pipelined way to use a worker, for the one goroutine that feeds it
// (the supervisor's slot): Send queues a batch under a ticket of the
// caller's and returns at once, Flush writes what was queued (on the frame
// path, a burst of batches leaves in one write), and Recv returns the
// answers as they come. Every batch sent gets exactly one answer from
// Recv, even when the worker dies: then each batch still in flight is
// answered as lost, saying how far it got. Cancel, from any goroutine,
// walks the kill ladder for one batch.
//
// Without pipelining, a worker sits idle for a whole round trip between
// tasks (~7 µs here), longer than a small task takes; with several batches
// in flight it always has the next one waiting.
//
// Cancellation is by ticket, not by context: the caller decides when a
// batch must end (its own timers, its callers' contexts) and says so once,
// so a batch costs no context, no timer and no watch of its own on the
// host (those cost ~0.6 µs and 10 allocations per task here).

// errNoneInFlight is Recv's error when nothing was sent that it has not
// answered: a bug in the caller.
var errNoneInFlight = errors.New("process: Recv with no batch in flight")

// A pending batch is one sent and not yet answered.
type pending struct {
	ticket   uint64 // the caller's
	first    uint64 // its tasks' first sequence number: its tag on the wire
	n        int
	refused  error         // not sent: every task fails with this
	canceled bool          // Cancel walked the kill ladder for it
	answered chan struct{} // made by Cancel; closed when it is answered
}

// pipe is the Worker's pipelining state.
type pipe struct {
	mu      sync.Mutex
	pending pendingRing         // the batches in flight, oldest first
	early   map[uint64]struct{} // tickets cancelled before they were sent
	sent    uint64              // the highest ticket sent
	refused []uint64            // tags of batches answered without being sent, oldest first
	broken  bool                // the transport failed: what is pending is lost
	// local is set while refused is not empty or broken is set: Recv and
	// Ready check it without the lock, which they otherwise took for
	// nothing on every answer.
	local atomic.Bool

	ans  backend.Answer // Recv's, reused
	res  []worker.Result
	errs []error
}

// Send queues tasks as one batch named ticket, to run one after another
// under deadline (zero for none), without waiting; Recv returns the
// answer. Tickets are the caller's, increasing from one batch to the next;
// a Cancel may name one before its Send. Send is for one goroutine at a
// time, the one that calls Recv. The caller may reuse tasks once Send
// returns (the inputs themselves must stay as they are until the answer).
// A batch the transport would refuse (over the payload limit) is not sent:
// every task is answered with the error that says so.
func (w *Worker) Send(ticket uint64, tasks []worker.Task, deadline time.Time) {
	b, refused := w.batchAt(deadline, tasks)
	if refused != nil {
		n := uint64(len(tasks))
		b.first = w.seq.Add(n) - n + 1 // a tag all the same
	}
	p := pending{ticket: ticket, first: b.first, n: len(tasks), refused: refused}
	w.pipe.mu.Lock()
	early := false
	if len(w.pipe.early) > 0 {
		_, early = w.pipe.early[ticket]
		delete(w.pipe.early, ticket)
	}
	w.pipe.pending.push(p)
	w.pipe.sent = max(w.pipe.sent, ticket)
	if refused != nil {
		w.pipe.refused = append(w.pipe.refused, b.first)
		w.pipe.local.Store(true)
	}
	w.pipe.mu.Unlock()
	if refused == nil {
		// A failed send needs no handling here: the transport is broken,
		// so recv fails too, and Recv then answers this batch as lost.
		_ = w.path.send(b)
	}
	if early {
		w.Cancel(ticket)
	}
}

// Cancel cancels the batch ticket and returns at once: the worker cancels
// the task running (the batch's context ends there, and the tasks left in
// it do not start); if the batch is not answered within the grace, the
// worker's group gets SIGTERM, and after another grace SIGKILL (the kill
// ladder). A ticket not sent yet is cancelled when it is; one already
// answered is left alone. Safe from any goroutine.
func (w *Worker) Cancel(ticket uint64) {
	w.pipe.mu.Lock()
	i, p, ok := w.pendingTicket(ticket)
	switch {
	case !ok && ticket > w.pipe.sent:
		if w.pipe.early == nil {
			w.pipe.early = map[uint64]struct{}{}
		}
		w.pipe.early[ticket] = struct{}{}
	case ok && !p.canceled && p.refused == nil:
		p.canceled, p.answered = true, make(chan struct{})
		*w.pipe.pending.at(i) = p
	default:
		ok = false
	}
	w.pipe.mu.Unlock()
	if ok {
		go w.escalate([]uint64{p.first}, []chan struct{}{p.answered})
	}
}

// pendingTicket finds the batch of ticket and its place in pending; the
// caller holds pipe.mu. A linear search: Cancel is rare, and there are a
// few batches in flight.
func (w *Worker) pendingTicket(ticket uint64) (int, pending, bool) {
	for i := range w.pipe.pending.len() {
		if p := *w.pipe.pending.at(i); p.ticket == ticket {
			return i, p, true
		}
	}
	return 0, pending{}, false
}

// pendingTag finds the batch tagged tag; the caller holds pipe.mu. It is
// first in line unless answers came out of order (the unary gRPC path's
// pipelined calls can).
func (w *Worker) pendingTag(tag uint64) (int, bool) {
	for i := range w.pipe.pending.len() {
		if w.pipe.pending.at(i).first == tag {
			return i, true
		}
	}
	return 0, false
}

// unpend removes the i-th oldest batch in flight and returns it; the
// caller holds pipe.mu.
func (w *Worker) unpend(i int) pending { return w.pipe.pending.remove(i) }

// Kill kills the worker's group at once with SIGKILL (not the kill ladder:
// its batches in flight are lost, with no task to blame for ignoring its
// context).
func (w *Worker) Kill() error {
	err := w.runner.signalGroup(syscall.SIGKILL, false)
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

// Flush writes the batches Send queued. Recv flushes too, before it waits.
func (w *Worker) Flush() { _ = w.path.flush() }

// Ready reports whether Recv would return at once: an answer is at hand.
func (w *Worker) Ready() bool {
	return w.pipe.local.Load() || w.path.ready()
}

// Recv waits for the next answer to a batch sent with Send. The answer
// and its slices are valid until the next Recv; the outputs for good.
func (w *Worker) Recv() *backend.Answer {
	if p, ok := w.nextLocal(); ok {
		return w.answerLocal(p)
	}
	_ = w.path.flush()
	tag, outs, err := w.path.recv()
	if err != nil {
		w.breakPipe()
		p, _ := w.nextLocal()
		return w.answerLocal(p)
	}
	p, ok := w.take(tag)
	if !ok || len(outs) != p.n {
		// The worker answered what was never asked: treat the transport
		// as broken, as the frame Mux does for an unexpected tag.
		w.cfg.Logger.Error("worker answered a batch it was not sent", append(w.logAttrs(), "tag", tag)...)
		_ = w.runner.signalGroup(syscall.SIGKILL, false)
		w.breakPipe()
		if !ok {
			p, _ = w.nextLocal()
		}
		return w.answerLocal(p)
	}
	return w.answer(p, outs)
}

// answer fills the reused answer with a batch's outcomes.
func (w *Worker) answer(p pending, outs []outcome) *backend.Answer {
	if cap(w.pipe.res) < p.n {
		w.pipe.res, w.pipe.errs = make([]worker.Result, p.n), make([]error, p.n)
	}
	a := &w.pipe.ans
	*a = backend.Answer{Ticket: p.ticket, Results: w.pipe.res[:p.n], Errs: w.pipe.errs[:p.n]}
	for i := range outs {
		o := &outs[i]
		if o.kind == workerpb.ErrorKind_ERROR_KIND_NONE {
			a.Results[i], a.Errs[i] = worker.Result{Output: o.output, Exec: o.exec, PID: w.pid}, nil
			continue
		}
		a.Results[i], a.Errs[i] = o.result(w.pid)
	}
	return a
}

// answerLocal answers, without the transport, a refused batch or one lost
// with the worker.
func (w *Worker) answerLocal(p pending) *backend.Answer {
	a := &w.pipe.ans
	switch {
	case p.n == 0 && p.ticket == 0:
		*a = backend.Answer{Err: errNoneInFlight, Started: backend.Unknown, Finished: backend.Unknown}
	case p.refused != nil:
		w.answer(p, nil)
		for i := range a.Errs {
			a.Results[i], a.Errs[i] = worker.Result{}, p.refused
		}
	default:
		var canceled error
		if p.canceled {
			canceled = context.Canceled
		}
		e := w.lostAs(canceled, p.first, p.n)
		*a = backend.Answer{Ticket: p.ticket, Err: e, Started: e.Started, Finished: e.Finished}
	}
	return a
}

// nextLocal takes the next batch to answer without the transport: a
// refused one or, once the transport has failed, one lost with the
// worker.
func (w *Worker) nextLocal() (pending, bool) {
	if !w.pipe.local.Load() {
		return pending{}, false
	}
	w.pipe.mu.Lock()
	defer w.pipe.mu.Unlock()
	if len(w.pipe.refused) > 0 {
		tag := w.pipe.refused[0]
		w.pipe.refused = w.pipe.refused[1:]
		w.pipe.local.Store(len(w.pipe.refused) > 0 || w.pipe.broken)
		i, _ := w.pendingTag(tag)
		return w.unpend(i), true
	}
	if !w.pipe.broken {
		return pending{}, false
	}
	if w.pipe.pending.len() > 0 {
		p := w.unpend(0)
		if p.answered != nil {
			close(p.answered)
		}
		return p, true
	}
	return pending{}, true
}

// breakPipe records that the transport failed: what is pending is lost.
func (w *Worker) breakPipe() {
	w.pipe.mu.Lock()
	w.pipe.broken = true
	w.pipe.local.Store(true)
	w.pipe.mu.Unlock()
}

// take takes the batch tagged tag off the pending list, releasing a kill
// ladder that waits for its answer.
func (w *Worker) take(tag uint64) (pending, bool) {
	w.pipe.mu.Lock()
	defer w.pipe.mu.Unlock()
	i, ok := w.pendingTag(tag)
	if !ok {
		return pending{}, false
	}
	p := w.unpend(i)
	if p.answered != nil {
		close(p.answered)
	}
	return p, true
}
