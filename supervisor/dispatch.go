package supervisor

import (
	"context"
	"errors"
	"time"
)

// A round is what a slot does under its pool's lock between two exchanges
// with its worker: it moves the jobs its worker answered to their results
// or back to the queue, and takes the next jobs, each with the ticket it
// will be sent under (so that a cancellation can reach it from then on).
// One lock per round, not per job: with tasks pipelined, a round handles a
// burst of answers and of sends.
type round struct {
	settled []outcome // what the last answers decided
	// Filled under the lock, acted on after it.
	taken    []*job     // to send
	finished []delivery // done: their results to deliver
}

// A delivery is a job's result, on its way to its future (or, for a chunk
// job, to its inputs: with written, they already hold their own).
type delivery struct {
	job     *job
	result  Result
	written bool
}

// An outcome is what settling one answered (or lost) job decided: its
// result, or another attempt.
type outcome struct {
	job     *job
	result  Result
	requeue bool // back to the front of the queue
	written bool // a chunk job whose inputs hold their results
	retired bool // a chunk job split up: new jobs carry its inputs on
}

func (r *round) reset() {
	clear(r.settled)
	clear(r.taken)
	clear(r.finished)
	r.settled, r.taken, r.finished = r.settled[:0], r.taken[:0], r.finished[:0]
}

// serve feeds l tasks until its worker dies or leaves, or the pool has
// nothing left to run. Everything it does to a job under the pool's lock
// happens in lockedRound; the rest (sending, receiving, deciding what an
// answer means) needs no lock, because while a job runs its slot owns it.
func (sl *slot) serve(l *life) {
	var r round
	for {
		idle, stop := sl.lockedRound(l, &r)
		sl.deliver(&r)
		if stop {
			return
		}
		if idle {
			sl.setState(StateIdle)
			select {
			case <-sl.wake:
			case <-l.quit:
			}
			r.reset()
			continue
		}
		sl.send(l, &r)
		r.reset()
		sl.receive(l, &r)
	}
}

// lockedRound does a round's work under the pool's lock. It reports idle
// when the slot has nothing to do and has registered as waiting, and stop
// when it should leave serve: its worker is gone, or its pool is done.
func (sl *slot) lockedRound(l *life, r *round) (idle, stop bool) {
	p := sl.p
	p.mu.Lock()
	defer p.mu.Unlock()
	sl.applyOutcomes(r)
	leaving := l.leaving() || isDone(l.inst.Done()) || p.forced || sl.removed
	if leaving || p.paused {
		// Paused: a job handed over just before the pause goes back to the
		// queue, where a Cancel or a Stop(CancelQueued) ends it at once,
		// instead of waiting on this slot for the resume.
		sl.giveBack(r)
	} else {
		sl.take(l, r)
	}
	if p.drained() {
		p.wakeIdle() // the last job is done: the idle slots leave too
	}
	if len(sl.flights) > 0 || len(r.taken) > 0 {
		return false, false
	}
	if leaving || p.drained() {
		sl.withdraw()
		return false, true
	}
	if !sl.waiting() {
		p.idle = append(p.idle, sl)
	}
	// What take took may all have ended (its context, a cancel) and been
	// dropped, with live jobs still queued behind: a slot idle beside them
	// would wait for a hand-off that only a later submission makes (Map
	// calls were stranded so). Hand them over, to this slot first.
	p.handOff()
	return true, false
}

// applyOutcomes moves answered jobs to their results or back to the front
// of the queue. A job cannot go back once the pool is being forced down,
// nor when it was cancelled meanwhile: it ends canceled instead.
func (sl *slot) applyOutcomes(r *round) {
	p := sl.p
	for i := len(r.settled) - 1; i >= 0; i-- { // backwards: requeued jobs keep their order at the front
		o := &r.settled[i]
		j := o.job
		if j.state == jobRunning {
			p.unrun(j)
		}
		if o.retired {
			j.state = jobDone
			p.settled(j)
			continue
		}
		if o.requeue && !p.forced && runsAgain(j.cause.get()) {
			j.state, j.queuedAt = jobQueued, time.Now()
			p.q.pushFront(j)
			p.waiting++
			p.watch(j) // a job split from a chunk is new
			continue
		}
		res := o.result
		if o.requeue {
			res = canceledResult(j.cause.get())
			if p.forced {
				res = stoppedResult(p.s)
			}
		}
		j.state = jobDone
		p.settled(j)
		r.finished = append(r.finished, delivery{job: j, result: res, written: o.written && !o.requeue})
	}
	p.handOff()
}

// runsAgain reports whether a job whose attempt ended while cancelled with
// cause may go back to the queue: nobody cancelled it, or only a kill on
// request did (thread mode's Kill cancels a worker's tasks with ErrKilled,
// and they run again; see Supervisor.Kill).
func runsAgain(cause error) bool {
	return cause == nil || errors.Is(cause, ErrKilled)
}

// take moves up to the slot's room in jobs to it: first those handed to it
// while it waited, then from the queue. A job whose context has ended, or
// that was cancelled while handed over, ends at once without being sent.
func (sl *slot) take(l *life, r *round) {
	p := sl.p
	room := sl.room()
	if limit := int64(sl.s.cfg.MaxTasksPerWorker); limit > 0 {
		room = min(room, int(max(limit-l.tasks.Load(), 0)))
	}
	for _, j := range sl.inbox {
		r.taken = append(r.taken, j)
	}
	clear(sl.inbox)
	sl.inbox = sl.inbox[:0]
	for len(r.taken) < room {
		j := p.pop()
		if j == nil {
			break
		}
		p.run(sl, j)
		r.taken = append(r.taken, j)
	}
	kept := r.taken[:0]
	now := time.Now()
	for _, j := range r.taken {
		sl.ticket++
		j.ticket = sl.ticket
		j.queued += now.Sub(j.queuedAt)
		j.began = now
	}
	for _, j := range r.taken {
		cause := j.cause.get()
		if cause == nil && j.ctx.Err() != nil {
			cause = context.Cause(j.ctx)
		}
		if cause == nil {
			kept = append(kept, j)
			continue
		}
		p.unrun(j)
		j.state = jobDone
		p.settled(j)
		r.finished = append(r.finished, delivery{job: j, result: canceledResult(cause)})
	}
	r.taken = kept
}

// giveBack returns the jobs handed to the slot but not sent to the front
// of the queue: its worker is leaving, or the pool is paused. The caller
// holds p.mu.
func (sl *slot) giveBack(r *round) {
	sl.withdraw()
	p := sl.p
	for i := len(sl.inbox) - 1; i >= 0; i-- {
		j := sl.inbox[i]
		p.unrun(j)
		if cause := j.cause.get(); cause != nil || p.forced {
			j.state = jobDone
			p.settled(j)
			r.finished = append(r.finished, delivery{job: j, result: canceledResult(cause)})
			continue
		}
		j.state, j.queuedAt = jobQueued, time.Now()
		p.q.pushFront(j)
		p.waiting++
	}
	clear(sl.inbox)
	sl.inbox = sl.inbox[:0]
	p.handOff()
}

// waiting reports whether the slot is on its pool's idle list; withdraw
// takes it off. The caller holds p.mu.
func (sl *slot) waiting() bool {
	for _, x := range sl.p.idle {
		if x == sl {
			return true
		}
	}
	return false
}

func (sl *slot) withdraw() {
	p := sl.p
	for i, x := range p.idle {
		if x == sl {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return
		}
	}
}

// deliver gives the finished jobs their results, outside the lock: a
// future's callbacks and the events run the caller's code.
func (sl *slot) deliver(r *round) {
	for _, d := range r.finished {
		sl.tally(d)
		if d.written {
			sl.s.finishWritten(d.job, d.result)
			continue
		}
		sl.s.finish(d.job, d.result)
	}
}

// send sends the jobs taken this round to the worker, each as one batch,
// and writes them out together.
func (sl *slot) send(l *life, r *round) {
	inst := l.inst
	for _, j := range r.taken {
		sl.scratch = j.tasks(sl.scratch[:0])
		j.attempts++
		deadline := sl.s.deadline(j, j.began)
		if j.fut != nil {
			j.fut.running.Store(true)
		}
		inst.Send(j.ticket, sl.scratch, deadline)
		sl.flights = append(sl.flights, flight{ticket: j.ticket, job: j})
		sl.armTimeout(j, deadline)
		l.tasks.Add(int64(j.size()))
	}
	inst.Flush()
	sl.setState(StateBusy)
}

// receive waits for the next answer, then takes every other answer already
// at hand, and settles each.
func (sl *slot) receive(l *life, r *round) {
	if len(sl.flights) == 0 {
		return
	}
	for first := true; len(sl.flights) > 0 && (first || l.inst.Ready()); first = false {
		ans := l.inst.Recv()
		sl.adapt(ans)
		j := sl.land(ans.Ticket)
		sl.settle(l, j, ans, r)
	}
	sl.recycle(l)
}

// land takes the flight of ticket off the list and returns its job.
func (sl *slot) land(ticket uint64) *job {
	for i, f := range sl.flights {
		if f.ticket == ticket {
			copy(sl.flights[i:], sl.flights[i+1:])
			sl.flights[len(sl.flights)-1] = flight{}
			sl.flights = sl.flights[:len(sl.flights)-1]
			return f.job
		}
	}
	panic("supervisor: a worker's answer matches no batch in flight")
}

// tally counts a delivered result in the slot's figures.
func (sl *slot) tally(d delivery) {
	j := d.job
	if !d.written {
		if d.result.Worker != sl.id {
			return // never ran here
		}
		if d.result.Status == StatusOK {
			sl.done.Add(int64(j.size()))
		} else {
			sl.failed.Add(int64(j.size()))
		}
		return
	}
	ok := int64(0)
	for i := j.lo; i < j.hi; i++ {
		if j.chunk.out[i].status == StatusOK {
			ok++
		}
	}
	sl.done.Add(ok)
	sl.failed.Add(int64(j.size()) - ok)
}
