package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// maxPublishing bounds the task messages published and not yet
// acknowledged by JetStream; Submit blocks beyond it.
const maxPublishing = 256

// A pending job is one published, or being published, and without its
// result yet. Its fields after published are guarded by the executor's mu.
type pending struct {
	job       *job
	submitted time.Time
	deliver   func([]Result) // hands the job's results to its future or Map call

	published chan struct{} // closed once publishing settled: seq set, or given up
	done      chan struct{} // closed once it has its result
	seq       uint64        // its stream sequence once stored
	cancelled bool          // cancel asked before it was published
	stopAfter func() bool   // stops the watch on its context; set under mu
}

// Submit publishes t as one task message and returns its future, a
// supervisor.Future like the local pool's (its Result's Agent names the
// agent that ran it). ctx, and the future's Cancel, cancel the task: while
// it is queued, it is deleted; while it runs, its agent cancels it. While
// the tasks stream is full Submit waits, until ctx ends (the future then
// ends canceled, its error wrapping ErrQueueFull). After Stop the future is
// already done, with supervisor.ErrStopped.
func (e *Executor) Submit(ctx context.Context, t worker.Task) *supervisor.Future[[]byte] {
	id := e.nextID.Add(1)
	var p *pending
	f, complete := supervisor.NewFuture(id, t, func() bool {
		live := !isClosed(p.done)
		e.cancel(p, ctlCancel)
		return live
	})
	p = e.newPending(id, t.Name, [][]byte{t.Input}, func(rs []Result) { complete(rs[0]) })
	e.start(ctx, p)
	return f
}

// Kill is a future's Cancel, except that the worker running task id, on
// whichever agent holds it, is killed at once instead of asked to stop. It
// reports whether the task was still pending.
func (e *Executor) Kill(id uint64) bool {
	e.mu.Lock()
	p, ok := e.pending[id]
	e.mu.Unlock()
	if ok {
		e.cancel(p, ctlKill)
	}
	return ok
}

func (e *Executor) newPending(id uint64, name string, inputs [][]byte, deliver func([]Result)) *pending {
	j := &job{run: e.run, id: id, name: name, inputs: inputs, retries: e.cfg.Retries,
		poison: e.cfg.PoisonAfter, timeout: e.cfg.Timeout}
	return &pending{job: j, submitted: time.Now(), deliver: deliver, published: make(chan struct{}),
		done: make(chan struct{})}
}

// answered is closed once p has its result.
func (p *pending) answered() <-chan struct{} { return p.done }

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// start registers p and publishes it; ctx's end cancels it.
func (e *Executor) start(ctx context.Context, p *pending) {
	e.mu.Lock()
	if e.stopping {
		e.mu.Unlock()
		close(p.published)
		r := e.localResults(p, supervisor.StatusCanceled, supervisor.ErrStopped)
		e.report(r)
		p.deliver(r)
		return
	}
	e.pending[p.job.id] = p
	// Set under mu: the function may run at once, and take reads it.
	p.stopAfter = context.AfterFunc(ctx, func() { e.cancel(p, ctlCancel) })
	e.mu.Unlock()
	e.publish(ctx, p)
}

// publish sends p's message asynchronously, with its ID as Nats-Msg-Id, so
// that JetStream stores it once however often it is sent. A refusal (the
// stream full) or a lost acknowledgement is retried until ctx ends.
func (e *Executor) publish(ctx context.Context, p *pending) {
	e.mu.Lock()
	cancelled := p.cancelled || ctx.Err() != nil
	e.mu.Unlock()
	if cancelled {
		e.giveUp(p, fmt.Errorf("%w before it was queued", context.Canceled))
		return
	}
	ack, err := e.js.PublishMsgAsync(p.job.msg(), e.msgID(p.job))
	e.tasks.Go(func() {
		if err == nil {
			select {
			case pa := <-ack.Ok():
				e.published(p, pa.Sequence)
				return
			case err = <-ack.Err():
			}
		}
		e.republish(ctx, p, err)
	})
}

func (e *Executor) msgID(j *job) jetstream.PublishOpt { return jetstream.WithMsgID(key(j.run, j.id)) }

// republish retries a publish that failed with err, waiting out a full
// stream, until it is stored or ctx ends.
func (e *Executor) republish(ctx context.Context, p *pending, err error) {
	retry := newBackoff(10*time.Millisecond, time.Second)
	for {
		if !isQueueFull(err) {
			e.log.Debug("publish failed; retrying", "job", p.job.id, "err", err)
		}
		if !retry.wait(ctx, e.quit) {
			break
		}
		var pa *jetstream.PubAck
		pa, err = e.js.PublishMsg(ctx, p.job.msg(), e.msgID(p.job))
		if err == nil {
			e.published(p, pa.Sequence)
			return
		}
	}
	// Given up: the message may be stored all the same (an acknowledgement
	// lost); its result, if an agent writes one, comes too late to count.
	cause := context.Cause(ctx)
	if cause == nil {
		cause = supervisor.ErrStopped // Stop began
	}
	why := fmt.Errorf("%w: %w", cause, err)
	if isQueueFull(err) {
		why = fmt.Errorf("%w: %w", ErrQueueFull, cause)
	}
	e.giveUp(p, why)
}

// giveUp ends p, never stored, as canceled with why.
func (e *Executor) giveUp(p *pending, why error) {
	e.mu.Lock()
	close(p.published)
	e.mu.Unlock()
	e.resolveLocally(p, supervisor.StatusCanceled, why)
}

// isQueueFull says whether a publish to the tasks stream was refused by its
// bound.
func isQueueFull(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jsStoreFailed
}

// published records p's stream sequence, for advisories and cancels.
func (e *Executor) published(p *pending, seq uint64) {
	e.mu.Lock()
	p.seq = seq
	if _, ok := e.pending[p.job.id]; ok {
		e.bySeq[seq] = p
	}
	close(p.published)
	e.mu.Unlock()
}

// take removes job id from the pending set: the caller then owns giving it
// its result. nil if it has one already.
func (e *Executor) take(id uint64) *pending {
	e.mu.Lock()
	p := e.pending[id]
	if p == nil {
		e.mu.Unlock()
		return nil
	}
	delete(e.pending, id)
	delete(e.bySeq, p.seq)
	close(p.done)
	if len(e.pending) == 0 {
		e.idle.Broadcast()
	}
	stop := p.stopAfter
	e.mu.Unlock()
	stop()
	return p
}

// resolveLocally ends p with st and err without a result from the cluster:
// it was never stored, or the cluster cannot be reached.
func (e *Executor) resolveLocally(p *pending, st supervisor.Status, err error) {
	if e.take(p.job.id) == nil {
		return
	}
	r := e.localResults(p, st, err)
	e.report(r)
	p.deliver(r)
}

func (e *Executor) localResults(p *pending, st supervisor.Status, err error) []Result {
	out := make([]Result, len(p.job.inputs))
	for i, in := range p.job.inputs {
		out[i].ID, out[i].Task = p.job.id+uint64(i), worker.Task{Name: p.job.name, Input: in}
		out[i].Status, out[i].Err = st, err
	}
	return out
}

func (e *Executor) report(rs []Result) {
	if e.cfg.OnResult == nil {
		return
	}
	for _, r := range rs {
		e.cfg.OnResult(r)
	}
}
