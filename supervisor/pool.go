package supervisor

import (
	"context"
	"errors"
	"sync"
)

// A pool is a group of slots that take the same tasks, with their queue.
//
// Its lock guards every move of a job between owners: into the queue, from
// the queue to a slot, back to the queue for a retry, and to its result; and
// every cancellation, whether the job is queued or running. So a job has
// exactly one owner at any moment (its jobState says which), and Stop,
// Future.Cancel and a slot that gives up on its worker all see the same
// picture: a job is either in the queue, or on one slot's list, or done.
type pool struct {
	Pool
	s *Supervisor

	mu       sync.Mutex
	q        deque   // jobs waiting, oldest first; some may be done (cancelled), see pop
	waiting  int     // jobs in q that are not done
	running  int     // jobs on the slots' lists
	idle     []*slot // slots waiting for work, the one idle most recently last
	slots    []*slot
	closed   bool          // Stop began: no more submissions
	forced   bool          // Stop's context ended, or the supervisor gave up: cancel everything
	paused   bool          // take nothing from the queue
	space    chan struct{} // closed when a queued job leaves, for Submit waiting under MaxQueued
	maxQueue int
	groups   map[<-chan struct{}]*watchGroup // the contexts watched, see watch.go
}

func newPool(s *Supervisor, p Pool) *pool {
	return &pool{Pool: p, s: s, maxQueue: s.cfg.MaxQueued, space: make(chan struct{})}
}

// errFull is offer's answer when the queue is at Config.MaxQueued.
type offerResult int

const (
	offered offerResult = iota
	offerFull
	offerClosed
)

// offer places j: straight on the slot idle most recently, or at the back
// of the queue. With full, a queue at its bound refuses it.
func (p *pool) offer(j *job, bounded bool) (offerResult, <-chan struct{}) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return offerClosed, nil
	}
	if !p.paused && len(p.idle) > 0 {
		sl := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		p.hand(sl, j)
		p.watch(j)
		p.mu.Unlock()
		sl.nudge()
		return offered, nil
	}
	if bounded && p.maxQueue > 0 && p.waiting >= p.maxQueue {
		space := p.space
		p.mu.Unlock()
		return offerFull, space
	}
	j.state = jobQueued
	p.q.pushBack(j)
	p.waiting++
	p.watch(j)
	p.mu.Unlock()
	return offered, nil
}

// submit places j, waiting under ctx while the queue is full. It reports
// false when j was not placed: the pool is closed, or ctx ended first.
func (p *pool) submit(ctx context.Context, j *job) offerResult {
	for {
		res, space := p.offer(j, true)
		if res != offerFull {
			return res
		}
		select {
		case <-space:
		case <-ctx.Done():
			return offerFull
		}
	}
}

// handOff gives queued jobs to idle slots, the slot idle most recently
// first, while there are both; the caller holds p.mu. A job requeued by a
// slot whose worker died must not wait for that slot's replacement while
// others wait for work.
func (p *pool) handOff() {
	for !p.paused && len(p.idle) > 0 && p.waiting > 0 {
		j := p.pop()
		if j == nil {
			return
		}
		sl := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		p.hand(sl, j)
		sl.nudge()
	}
}

// hand gives j to sl, which is waiting: it becomes sl's, unsent; the
// caller holds p.mu and wakes sl.
func (p *pool) hand(sl *slot, j *job) {
	sl.inbox = append(sl.inbox, j)
	p.run(sl, j)
}

// run puts j on sl's list; the caller holds p.mu.
func (p *pool) run(sl *slot, j *job) {
	j.state, j.slot, j.ticket = jobRunning, sl, 0 // its ticket comes when it is taken
	j.gen++
	j.cause.reset()
	j.index = len(sl.running)
	sl.running = append(sl.running, j)
	p.running++
}

// unrun takes j off its slot's list; the caller holds p.mu.
func (p *pool) unrun(j *job) {
	sl := j.slot
	last := sl.running[len(sl.running)-1]
	sl.running[j.index], last.index = last, j.index
	sl.running[len(sl.running)-1] = nil
	sl.running = sl.running[:len(sl.running)-1]
	j.slot = nil
	p.running--
}

// pop takes the oldest live job from the queue; the caller holds p.mu.
func (p *pool) pop() *job {
	for {
		j := p.q.popFront()
		if j == nil || j.state == jobQueued {
			if j != nil {
				p.waiting--
				p.roomFreed()
			}
			return j
		}
	}
}

// roomFreed wakes Submits waiting for room under MaxQueued; the caller
// holds p.mu.
func (p *pool) roomFreed() {
	if p.maxQueue > 0 && p.waiting == p.maxQueue-1 {
		close(p.space)
		p.space = make(chan struct{})
	}
}

// cancel ends j with cause: at once if it is queued; if it runs, by
// cancelling its attempt (its slot then settles it). A done job is left
// alone. It reports whether j was still pending.
func (p *pool) cancel(j *job, cause error) bool {
	p.mu.Lock()
	switch j.state {
	case jobQueued:
		j.state = jobDone
		p.waiting--
		p.roomFreed()
		p.settled(j)
		if p.drained() {
			p.wakeIdle()
		}
		p.mu.Unlock()
		p.s.finish(j, canceledResult(cause))
		return true
	case jobRunning:
		var ticket uint64
		inst := j.slot.inst
		if j.cause.set(cause) {
			ticket = j.ticket
		}
		p.mu.Unlock()
		if ticket != 0 && inst != nil {
			inst.Cancel(ticket)
		}
		return true
	}
	p.mu.Unlock()
	return false
}

// settled releases what a job held while pending; the caller holds p.mu
// and has just marked it done.
func (p *pool) settled(j *job) {
	p.unwatch(j)
}

// cancelRunning cancels every job running on sl (sl nil: on every slot)
// with cause, and reports how many there were.
func (p *pool) cancelRunning(sl *slot, cause error) int {
	type cancellation struct {
		inst   instance
		ticket uint64
	}
	var cs []cancellation
	n := 0
	p.mu.Lock()
	for _, x := range p.slots {
		if sl != nil && x != sl {
			continue
		}
		for _, j := range x.running {
			if j.ticket == 0 && errors.Is(cause, ErrKilled) {
				continue // handed over, not sent: the kill does not reach it, it runs as it is
			}
			n++
			if j.cause.set(cause) {
				if j.ticket != 0 && x.inst != nil {
					cs = append(cs, cancellation{x.inst, j.ticket})
				}
			}
		}
	}
	p.mu.Unlock()
	for _, c := range cs {
		c.inst.Cancel(c.ticket)
	}
	return n
}

// close stops the pool taking submissions; with cancelQueued the jobs still
// queued end at once, canceled by the stop. It wakes every idle slot so that
// one with nothing left to do can leave.
func (p *pool) close(cancelQueued bool) {
	p.mu.Lock()
	p.closed = true
	var dropped []*job
	if cancelQueued {
		dropped = p.dropQueued()
	}
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	p.s.finishAll(dropped, stoppedResult(p.s))
	for _, sl := range idle {
		sl.nudge()
	}
}

// force cancels everything: what is queued ends at once, and every worker
// is killed (its jobs then end canceled by the stop, see slot.settle).
func (p *pool) force() {
	p.mu.Lock()
	p.closed, p.forced = true, true
	dropped := p.dropQueued()
	var insts []instance
	for _, sl := range p.slots {
		for _, j := range sl.running {
			j.cause.set(ErrStopped)
		}
		if sl.inst != nil {
			insts = append(insts, sl.inst)
			if l := sl.life.Load(); l != nil {
				l.plan(CauseStopping)
			}
		}
	}
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	p.s.finishAll(dropped, stoppedResult(p.s))
	for _, inst := range insts {
		_ = inst.Kill()
	}
	for _, sl := range idle {
		sl.nudge()
	}
}

// dropQueued empties the queue and marks its live jobs done; the caller
// holds p.mu and completes them.
func (p *pool) dropQueued() []*job {
	var out []*job
	for _, j := range p.q.drain() {
		if j.state == jobQueued {
			j.state = jobDone
			p.settled(j)
			out = append(out, j)
		}
	}
	p.waiting = 0
	close(p.space)
	p.space = make(chan struct{})
	return out
}

// drained reports whether a closed pool has nothing left to run; the
// caller holds p.mu.
func (p *pool) drained() bool {
	return p.closed && p.waiting == 0 && p.running == 0
}

// setPaused stops or resumes taking jobs from the queue.
func (p *pool) setPaused(paused bool) {
	p.mu.Lock()
	p.paused = paused
	idle := p.idle
	if !paused {
		p.idle = nil
	}
	p.mu.Unlock()
	if !paused {
		for _, sl := range idle {
			sl.nudge()
		}
	}
}

// expire cancels j's attempt gen when its timeout passes, unless it has
// ended meanwhile.
func (p *pool) expire(j *job, gen uint32) {
	p.mu.Lock()
	if j.state != jobRunning || j.gen != gen || !j.cause.set(ErrTimeout) {
		p.mu.Unlock()
		return
	}
	ticket, inst := j.ticket, j.slot.inst
	p.mu.Unlock()
	if ticket != 0 && inst != nil {
		inst.Cancel(ticket)
	}
}

// wakeIdle wakes every waiting slot, so that they see the pool is drained
// and leave; the caller holds p.mu.
func (p *pool) wakeIdle() {
	for _, sl := range p.idle {
		sl.nudge()
	}
	clear(p.idle)
	p.idle = p.idle[:0]
}
