package supervisor

import (
	"time"

	"github.com/procpool/supervisor/internal/process"
)

// pipeline feeds l tasks with up to Config.InFlight of them in flight at
// once, until it dies or leaves. One goroutine does it all: it takes the
// jobs waiting in the queue (waiting for one only when nothing is in
// flight), sends them, and settles each answer as it comes; the frame path
// writes a burst of sends in one system call and reads a burst of answers
// in one. So the slot hands nothing to another goroutine per task, where
// InFlight dispatch goroutines sharing the worker paid a wake-up on each
// answer and a write(2) per task (~140 k tasks/s over 2 workers, against
// the transport's 4-5 M messages/s; see docs/perf-notes.md).
//
// A job that arrives while answers are awaited waits for the next answer
// before it is sent: the worker runs its tasks one after another, so it is
// not idle meanwhile.
func (sl *slot) pipeline(l *life, p pipeliner) {
	s := sl.s
	w := newWaiter()
	flights := make(map[uint64]*attempt, s.cfg.InFlight)
	var next []*job
	taking := true
	for {
		for taking && len(flights) < s.cfg.InFlight {
			next = next[:0]
			if len(flights) == 0 {
				j := sl.pool.q.get(w, s.stopping, l.quit)
				if j == nil {
					taking = false
					break
				}
				next = append(next, j)
			}
			next = sl.pool.q.tryGet(next, s.cfg.InFlight-len(flights)-len(next))
			if len(next) == 0 {
				break
			}
			taking = sl.launch(l, p, flights, next)
		}
		if len(flights) == 0 {
			return
		}
		// Settle every answer at hand before sending again: a burst of
		// answers read in one read(2) is then followed by one burst of
		// requests in one write(2), instead of a write per answer.
		for first := true; len(flights) > 0 && (first || p.Ready()); first = false {
			sl.receive(l, p, flights)
		}
		if isDone(l.inst.Done()) {
			taking = false // the rest in flight are answered as lost
		}
	}
}

// launch sends jobs, just taken from the queue, to l's worker, and reports
// whether l takes more. Jobs it cannot run (the supervisor is stopping, the
// worker leaving) get what admit gives them.
func (sl *slot) launch(l *life, p pipeliner, flights map[uint64]*attempt, jobs []*job) bool {
	for i, j := range jobs {
		run, more := sl.admit(l, j)
		if run {
			a := sl.start(j)
			sl.tasks = j.tasks(sl.tasks[:0])
			flights[p.Send(a.ctx, sl.tasks)] = a
		}
		if !more {
			// The same reason holds for the rest: back to the front of
			// the queue, last first so that they keep their order, or
			// their results if the supervisor stops.
			for k := len(jobs) - 1; k > i; k-- {
				sl.admit(l, jobs[k])
			}
			return false
		}
	}
	return true
}

// receive settles the next answer.
func (sl *slot) receive(l *life, p pipeliner, flights map[uint64]*attempt) {
	ans := p.Recv()
	a := flights[ans.Ticket]
	if a == nil {
		panic("supervisor: a worker's answer matches no task in flight")
	}
	delete(flights, ans.Ticket)
	sl.land(l, a, &ans)
	if !isDone(l.inst.Done()) {
		sl.count(l, 1)
	}
}

// land settles the attempt a, answered with ans.
func (sl *slot) land(l *life, a *attempt, ans *process.Answer) {
	defer a.release()
	rt := time.Since(a.began)
	if a.job.chunk == nil {
		res, err := ans.Result(0)
		sl.conclude(l, a, res, err, rt)
		return
	}
	res, errs := sl.scratch(ans.Len())
	if ans.Err == nil {
		ans.Fill(res, errs)
	}
	sl.concludeChunk(l, a, ans.Err, rt, res, errs)
}
