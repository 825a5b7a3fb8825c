package supervisor

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/worker"
)

// MapResult is one input's outcome in Map.
type MapResult struct {
	Output []byte
	Err    error         // nil when the task succeeded; same error kinds as Result.Err
	Exec   time.Duration // how long the task ran in the worker
}

// Map runs task name on every input, chunksize inputs to a message, and returns one
// MapResult per input, in input order, like Python's Executor.map(fn, inputs, chunksize=...).
// Chunks go through the same queues, pools, retries, timeouts and kill ladder as Submit;
// a chunk whose worker died is retried whole (each input still ends with exactly one
// result). With Config.InFlight > 1, that many chunks are outstanding per worker
// (pipelining). chunksize < 1 means 1. The error is for the call as a whole (ctx done
// before every chunk ended, supervisor stopped); per-input failures are in MapResult.Err.
//
// A chunk is one hand-off to a worker: one message to a worker process, run
// there under one context, or one hand-off to a worker goroutine. Its tasks
// run one after another; when its context ends (ctx, Config.Timeout, Stop),
// the task running is cancelled and the rest of the chunk does not start.
// Config.Timeout bounds each attempt at a chunk as a whole, scaled by its
// length: a chunk of n inputs has n × Timeout. Chunks are also kept within
// Config.MaxPayload, so an input alone over the limit fails alone.
//
// Every input is a task for the rest of the supervisor: it has an ID, counts
// in Counts, and gets its TaskFinished event, whose Result.RoundTrip is the
// input's share of its chunk's round trip (its own Exec plus an equal share
// of the rest), so that the overheads of a chunk's inputs add up to the
// chunk's.
//
// Map returns when every chunk has ended, even when ctx ends first: chunks
// still queued end at once, running ones as soon as they are cancelled.
func (s *Supervisor) Map(ctx context.Context, name string, inputs [][]byte, chunksize int) ([]MapResult, error) {
	out := make([]MapResult, len(inputs))
	if len(inputs) == 0 {
		return out, nil
	}
	m := &mapCall{out: out, done: make(chan struct{})}
	jobs := s.chunkJobs(ctx, m, name, inputs, max(chunksize, 1))
	m.left.Store(int64(len(jobs)))
	s.enqueue(s.route(name), jobs)
	<-m.done
	return out, m.err(s, ctx)
}

// A mapCall is one call of Map in progress.
type mapCall struct {
	out     []MapResult
	left    atomic.Int64 // chunks without their results yet
	done    chan struct{}
	stopped atomic.Bool // an input ended because the supervisor stopped
	cut     atomic.Bool // an input ended canceled: by the call's context, if it is done
}

// A chunk is the part of a Map call one job carries: its inputs (the
// caller's, not copied), and where their results go. Its tasks are made
// when it is sent, in the slot's reused storage (see slot.tasks): an array
// of tasks for the whole call cost more than the call's results to fill,
// page faults included.
type chunk struct {
	m      *mapCall
	name   string
	inputs [][]byte
	out    []MapResult // m.out's part for these inputs
}

func (c *chunk) len() int { return len(c.inputs) }

// appendTasks appends the chunk's tasks to ts.
func (c *chunk) appendTasks(ts []worker.Task) []worker.Task {
	for _, in := range c.inputs {
		ts = append(ts, worker.Task{Name: c.name, Input: in})
	}
	return ts
}

// err is the call's error once every chunk has ended.
func (m *mapCall) err(s *Supervisor, ctx context.Context) error {
	switch {
	case m.stopped.Load():
		return s.stoppedErr()
	case m.cut.Load() && ctx.Err() != nil:
		return context.Cause(ctx)
	}
	return nil
}

// chunkOverhead is what a task costs a message beyond its input, counted
// generously: the frame path's envelope is 22 bytes and the name.
const chunkOverhead = 64

// chunkJobs splits inputs into jobs of at most size inputs, each within the
// payload limit (an input over the limit gets a chunk of its own, and fails
// alone). Every input gets a task ID, in input order.
func (s *Supervisor) chunkJobs(ctx context.Context, m *mapCall, name string, inputs [][]byte, size int) []*job {
	firstID := s.nextID.Add(uint64(len(inputs))) - uint64(len(inputs)) + 1
	now := time.Now()
	n := (len(inputs) + size - 1) / size // chunks, unless the payload limit cuts more
	jobs := make([]*job, 0, n)
	// The call's jobs and chunks are allocated together, not one by one:
	// with one task a chunk, they were a quarter of the allocations per
	// task.
	js, cs := make([]job, 0, n), make([]chunk, 0, n)
	for lo := 0; lo < len(inputs); {
		hi, bytes := lo, 0
		for hi < len(inputs) && hi-lo < size {
			n := len(inputs[hi]) + len(name) + chunkOverhead
			if hi > lo && bytes+n > s.cfg.MaxPayload {
				break
			}
			bytes += n
			hi++
		}
		if len(js) == cap(js) {
			js, cs = make([]job, 0, n), make([]chunk, 0, n)
		}
		cs = append(cs, chunk{m: m, name: name, inputs: inputs[lo:hi:hi], out: m.out[lo:hi:hi]})
		first := worker.Task{Name: name, Input: inputs[lo]}
		js = append(js, job{id: firstID + uint64(lo), task: first, chunk: &cs[len(cs)-1], ctx: ctx, queuedAt: now})
		jobs = append(jobs, &js[len(js)-1])
		lo = hi
	}
	return jobs
}

// enqueue queues a Map call's jobs on pool p, or ends them when no pool
// takes the task or the supervisor has stopped.
func (s *Supervisor) enqueue(p *pool, jobs []*job) {
	if p == nil {
		for _, j := range jobs {
			s.finish(j, Result{Status: StatusFailed, Err: fmt.Errorf("%w: %q", ErrNoPool, j.task.Name)})
		}
		return
	}
	for _, j := range p.q.pushAll(jobs) {
		s.finish(j, Result{Status: StatusCanceled, Err: s.stoppedErr()})
	}
}

// finishChunk gives each input of an answered chunk its own result: the
// worker ran the chunk and res and errs say how each task ended. ctx is the
// attempt's, r what all the inputs share (worker, round trip). It returns
// how many inputs ended ok; the caller then releases the chunk (ended).
func (s *Supervisor) finishChunk(j *job, ctx context.Context, r Result, res []worker.Result, errs []error) (ok int) {
	c := j.chunk
	var counts [len(statusNames)]int64
	var statuses []Status // for the events, if anyone listens
	if s.cfg.OnEvent != nil {
		statuses = make([]Status, c.len())
	}
	var exec time.Duration
	for i := range c.out {
		err := errs[i]
		st := StatusOK
		if err != nil {
			st, err = s.taskStatus(j, ctx, err)
			c.m.note(st, err)
		}
		c.out[i] = MapResult{Output: res[i].Output, Err: err, Exec: res[i].Exec}
		counts[st]++
		exec += res[i].Exec
		if statuses != nil {
			statuses[i] = st
		}
	}
	s.count(&counts)
	if statuses != nil {
		s.chunkEvents(j, r, statuses, exec)
	}
	return int(counts[StatusOK])
}

// chunkEvents sends each input's TaskFinished. An input's RoundTrip is its
// own Exec plus an equal share of what the chunk's round trip spent beyond
// the tasks' Execs.
func (s *Supervisor) chunkEvents(j *job, r Result, statuses []Status, exec time.Duration) {
	c := j.chunk
	share := max(r.RoundTrip-exec, 0) / time.Duration(c.len())
	for i, st := range statuses {
		o := c.out[i]
		ri := r
		ri.Status, ri.Output, ri.Err, ri.Exec, ri.RoundTrip = st, o.Output, o.Err, o.Exec, o.Exec+share
		s.inputEvent(j, i, ri)
	}
}

// count adds a chunk's statuses to the supervisor's: one atomic add per
// status seen, not per input, as the slots of a pool share the counters.
func (s *Supervisor) count(counts *[len(statusNames)]int64) {
	for st, n := range counts {
		if n > 0 {
			s.counts[st].Add(n)
		}
	}
}

// taskStatus classifies the error a worker reported for one task of a
// chunk, as settle does for a task of its own.
func (s *Supervisor) taskStatus(j *job, ctx context.Context, err error) (Status, error) {
	var p *worker.PanicError
	switch {
	case errors.As(err, &p):
		return StatusPanic, err
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return s.canceled(j, context.Cause(ctx), err)
	}
	return StatusFailed, err
}

// finishWhole gives every input of j's chunk the same result r: the chunk
// ended as a whole (its worker died, it was cancelled before the worker
// answered, it never ran).
func (s *Supervisor) finishWhole(j *job, r Result) {
	c := j.chunk
	c.m.note(r.Status, r.Err)
	for i := range c.out {
		c.out[i] = MapResult{Err: r.Err}
	}
	s.counts[r.Status].Add(int64(len(c.out)))
	if s.cfg.OnEvent != nil {
		r.RoundTrip /= time.Duration(len(c.out))
		for i := range c.out {
			s.inputEvent(j, i, r)
		}
	}
	c.ended()
}

// note records what an input's end says about the call as a whole.
func (m *mapCall) note(st Status, err error) {
	switch {
	case errors.Is(err, ErrStopped):
		m.stopped.Store(true)
	case st == StatusCanceled:
		m.cut.Store(true)
	}
}

// inputEvent sends input i of j's chunk's TaskFinished event.
func (s *Supervisor) inputEvent(j *job, i int, r Result) {
	c := j.chunk
	r.ID, r.Task, r.Attempts, r.Queued = j.id+uint64(i), worker.Task{Name: c.name, Input: c.inputs[i]}, j.attempts, j.queued
	s.cfg.OnEvent(TaskFinished{Result: r})
}

// ended counts a chunk done; the last one releases Map.
func (c *chunk) ended() {
	if c.m.left.Add(-1) == 0 {
		close(c.m.done)
	}
}
