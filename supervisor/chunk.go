package supervisor

import (
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/worker"
)

// A chunk is the inputs of a Map call that travel to a worker in one
// message, and where their results go. The jobs carrying it split it when
// some inputs must run again and others not (see lostChunk): every input is
// carried by exactly one job at a time, and gets exactly one result.
type chunk struct {
	m       *mapCall
	name    string
	firstID uint64       // the task ID of inputs[0]; input i is firstID+i
	inputs  [][]byte     // the caller's, not copied
	bytes   int          // the inputs' share of the payload limit
	out     []inputOut   // each input's output, error and status
	res     []Result     // each input's whole result, kept only for events (Config.OnEvent)
	left    atomic.Int64 // inputs without a result
}

// An inputOut is what Map yields for an input, and its status for the
// counts. It is all a chunk keeps per input unless events are on: a whole
// Result is 160 bytes, written per input and copied again (issue 12).
type inputOut struct {
	output []byte
	err    error
	status Status
}

// set gives input i the result r.
func (c *chunk) set(i int, r Result) {
	c.out[i] = inputOut{output: r.Output, err: r.Err, status: r.Status}
	if c.res != nil {
		c.res[i] = r
	}
}

// appendTasks appends the tasks of inputs lo to hi to ts.
func (c *chunk) appendTasks(ts []worker.Task, lo, hi int) []worker.Task {
	for _, in := range c.inputs[lo:hi] {
		ts = append(ts, worker.Task{Name: c.name, Input: in})
	}
	return ts
}

// part makes a job that carries inputs lo to hi of j's chunk on, with j's
// history (its charges apply to every input it carried).
func (j *job) part(lo, hi int) *job {
	c := j.chunk
	return &job{id: c.firstID + uint64(lo), task: worker.Task{Name: c.name, Input: c.inputs[lo]}, chunk: c,
		ctx: j.ctx, lo: lo, hi: hi, attempts: j.attempts, deaths: j.deaths, kills: j.kills, queuedAt: time.Now(), began: j.began}
}

// answeredChunk settles a chunk job whose worker answered: each input
// gets its result, except those that should run again (their goroutine was
// "killed" on request, thread mode), which go back in jobs of their own.
func (sl *slot) answeredChunk(l *life, j *job, ans *backend.Answer, rt time.Duration, r *round) {
	c := j.chunk
	n := j.hi - j.lo
	again, useful := -1, false // the first input to run again, if any
	for i := range n {
		o := &c.out[j.lo+i]
		*o = inputOut{output: ans.Results[i].Output}
		if err := ans.Errs[i]; err == nil {
			useful = true
		} else {
			st, e, retry := sl.classify(j, err)
			if retry && again < 0 {
				again = i
			}
			o.status, o.err = st, e
		}
	}
	if useful {
		l.useful.Store(true)
	}
	if c.res != nil {
		sl.chunkResults(l, j, ans, rt)
	}
	if again < 0 {
		r.settled = append(r.settled, outcome{job: j, written: true})
		return
	}
	// Inputs from again on were cancelled on request: they run again.
	r.settled = append(r.settled, outcome{job: j, retired: true})
	if again > 0 {
		r.settled = append(r.settled, outcome{job: j.part(j.lo, j.lo+again), written: true})
	}
	sl.forgive(j.part(j.lo+again, j.hi), r, ErrKilled)
}

// chunkResults fills the whole results of an answered chunk job's inputs,
// for the events: each input's round trip is its own Exec plus an equal
// share of the rest of the chunk's.
func (sl *slot) chunkResults(l *life, j *job, ans *backend.Answer, rt time.Duration) {
	c := j.chunk
	n := j.hi - j.lo
	var exec time.Duration
	for i := range n {
		exec += ans.Results[i].Exec
	}
	share := max(rt-exec, 0) / time.Duration(n)
	pid := l.inst.PID()
	for i := range n {
		o, res := c.out[j.lo+i], ans.Results[i]
		c.res[j.lo+i] = Result{Output: o.output, Err: o.err, Status: o.status, Worker: sl.id, PID: pid, Exec: res.Exec, RoundTrip: res.Exec + share}
	}
}

// lostChunk settles a chunk job whose worker died under it (or was
// abandoned): the input that was executing bears the death, as a task
// does; those that had finished, whose results died with the worker, and
// those that had not started run again at no charge.
func (sl *slot) lostChunk(l *life, j *job, death error, started, executing int, r *round) {
	r.settled = append(r.settled, outcome{job: j, retired: true})
	n := j.hi - j.lo
	ranEnd := min(max(started, 0), n) // inputs before this one started
	if executing >= 0 {
		ranEnd = executing
	}
	werr := sl.workerError(l, death)
	if ranEnd > 0 {
		sl.forgive(j.part(j.lo, j.lo+ranEnd), r, werr)
	}
	rest := ranEnd
	if executing >= 0 {
		culprit := j.part(j.lo+executing, j.lo+executing+1)
		if c := j.cause.get(); c != nil {
			culprit.cause.set(c)
		}
		sl.culprit(l, culprit, death, r)
		rest = executing + 1
	}
	if rest < n {
		part := j.part(j.lo+rest, j.hi)
		part.attempts-- // they never ran there
		if c := j.cause.get(); c != nil {
			part.cause.set(c)
		}
		sl.forgive(part, r, werr)
	}
}
