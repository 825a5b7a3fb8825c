package supervisor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/worker"
)

// WorkerState is what a worker is doing.
type WorkerState string

const (
	StateStarting   WorkerState = "starting"
	StateIdle       WorkerState = "idle"
	StateBusy       WorkerState = "busy"
	StateDead       WorkerState = "dead"
	StateRestarting WorkerState = "restarting"
	StateAbandoned  WorkerState = "abandoned"
	StateStopped    WorkerState = "stopped"
)

// A slot is one worker position. It keeps a worker in place, replacing it
// whenever it ends, until the supervisor stops. Worker ids are slot ids, so
// "worker 2" stays worker 2 across restarts while its PID changes.
type slot struct {
	s    *Supervisor
	id   int
	pool *pool

	mu      sync.Mutex
	life    *life
	state   WorkerState
	running map[uint64]*attempt
	// shared is the context of attempts whose own could never end; see
	// start. cancelRunning cancels it with them and the next such attempt
	// makes a new one.
	shared       context.Context
	cancelShared context.CancelCauseFunc
	// What a chunk is sent as, reused from one to the next: the slot's one
	// goroutine sends one at a time, and Send and DoBatch are done with
	// them when they return.
	tasks       []worker.Task
	res         []worker.Result
	errs        []error
	done        int // tasks that ended here, ok
	failed      int // tasks that ended here, not ok
	restarts    int
	consecutive int // deaths in a row without a completed task
	rss         int64
	cpu         float64 // percent of one CPU, over the last sample
	removed     bool    // retired by RemoveWorker: not replaced when its worker ends
	cpus        string  // the CPU affinity of its worker process, as /proc lists it
}

// A life is one worker instance's time in a slot.
type life struct {
	inst   instance
	spare  bool
	began  time.Time
	record *ProcessRecord

	quit     chan struct{} // closed: take no more tasks (it died, or is being retired)
	quitOnce sync.Once
	tasks    atomic.Int64
	useful   atomic.Bool // completed a task, so its death is not a crash loop

	mu      sync.Mutex
	planned string // why the supervisor ended it, if it did
	memory  string // set when it passed the memory limit
	lastJob *job   // the task it was running when it died
}

func (l *life) leave() { l.quitOnce.Do(func() { close(l.quit) }) }

// plan records that the supervisor itself is ending this worker; the first
// reason given wins.
func (l *life) plan(reason string) {
	l.mu.Lock()
	if l.planned == "" {
		l.planned = reason
	}
	l.mu.Unlock()
}

func (l *life) plannedReason() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.planned
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// begin puts a new worker in the slot: a warm spare if one is ready and
// this is a replacement, else a freshly started one.
func (sl *slot) begin(replacing bool, endedAt time.Time) (*life, error) {
	sl.setState(StateStarting)
	s := sl.s
	inst, spare := s.takeSpare(sl.id, replacing)
	if inst == nil {
		var err error
		if inst, err = s.start(context.Background(), sl.id); err != nil {
			return nil, err
		}
	}
	if err := s.pin(sl.id, inst); err != nil {
		_ = inst.Stop(context.Background())
		return nil, err
	}
	l := &life{inst: inst, spare: spare, began: time.Now(), quit: make(chan struct{})}
	l.record = s.recordStart(sl.id, inst, spare)
	go func() {
		select {
		case <-inst.Done():
			l.leave()
		case <-l.quit:
		}
	}()
	ev := WorkerStarted{Worker: sl.id, PID: inst.PID(), Startup: inst.Startup(), Replacing: replacing, Spare: spare}
	if replacing {
		ev.Ready = time.Since(endedAt)
	}
	sl.mu.Lock()
	sl.life, sl.state, sl.rss, sl.cpu, sl.cpus = l, StateIdle, 0, 0, ""
	sl.mu.Unlock()
	s.emit(ev)
	return l, nil
}

// run keeps the slot staffed until the supervisor stops.
func (sl *slot) run(l *life) {
	for l != nil {
		sl.serve(l)
		l = sl.replace(l)
	}
	sl.setState(StateStopped)
}

// serve feeds l tasks until it dies or leaves: one at a time, or with
// Config.InFlight above one and a worker process, several in flight at once
// (pipeline.go).
func (sl *slot) serve(l *life) {
	if p, ok := l.inst.(pipeliner); ok && sl.s.cfg.InFlight > 1 {
		sl.pipeline(l, p)
		return
	}
	sl.dispatch(l)
}

func (sl *slot) dispatch(l *life) {
	w := newWaiter()
	for {
		j := sl.pool.q.get(w, sl.s.stopping, l.quit)
		run, more := sl.admit(l, j)
		if run {
			sl.attempt(l, j)
			if isDone(l.inst.Done()) {
				return
			}
			sl.count(l, 1)
		}
		if !more {
			return
		}
	}
}

// admit decides what becomes of j, just taken from the queue for l: run it
// (run), or give it its result or put it back. more says whether l takes
// further jobs. A nil j (the queue gave up waiting) takes none.
func (sl *slot) admit(l *life, j *job) (run, more bool) {
	s := sl.s
	switch {
	case j == nil:
		return false, false
	case s.isStopping():
		s.finish(j, Result{Status: StatusCanceled, Err: s.stoppedErr()})
		return false, false
	case isDone(l.quit), isDone(l.inst.Done()):
		s.requeue(sl.pool, j)
		return false, false
	case j.ctx.Err() != nil:
		s.finish(j, Result{Status: StatusCanceled, Err: context.Cause(j.ctx)})
		return false, true
	}
	return true, true
}

// count counts jobs done by l, and retires l once it has done
// Config.MaxTasksPerWorker.
func (sl *slot) count(l *life, n int64) {
	limit := int64(sl.s.cfg.MaxTasksPerWorker)
	if limit > 0 && l.tasks.Add(n) >= limit {
		l.plan(fmt.Sprintf("recycled after %d tasks", limit))
		l.leave()
	}
}

// requeue puts j back at the front of its pool's queue, or gives it its
// result if the queue has closed.
func (s *Supervisor) requeue(p *pool, j *job) {
	j.queuedAt = time.Now()
	if !p.q.push(j, true) {
		s.finish(j, Result{Status: StatusCanceled, Err: s.stoppedErr()})
	}
}

// attempt runs j once on l's worker and settles the outcome.
func (sl *slot) attempt(l *life, j *job) {
	a := sl.start(j)
	defer a.release()
	if c := j.chunk; c != nil {
		sl.tasks = c.appendTasks(sl.tasks[:0])
		res, errs := sl.scratch(c.len())
		err := l.inst.DoBatch(a.ctx, sl.tasks, res, errs)
		sl.concludeChunk(l, a, err, time.Since(a.began), res, errs)
		return
	}
	res, err := l.inst.Do(a.ctx, j.task)
	sl.conclude(l, a, res, err, time.Since(a.began))
}

// start begins an attempt at j: its context, and its place among the
// slot's running attempts.
//
// An attempt's context must end when the job's does, when its timeout
// passes, and when the supervisor cancels what the slot runs (Stop,
// CancelTask, a kill in thread mode). When neither of the first two can
// happen, the attempt shares the slot's context instead of deriving its
// own: a derived context, with the kill ladder's watch that a worker
// process puts on it, cost ~0.6 µs and 10 allocations per task here; a
// worker process keeps its watch of the shared one between calls, so an
// attempt under it costs a map entry there (internal/process/watch.go).
func (sl *slot) start(j *job) *attempt {
	now := time.Now()
	j.queued += now.Sub(j.queuedAt)
	j.attempts++
	a := &attempt{job: j, began: now}
	timeout := sl.s.timeout(j)
	if j.ctx.Done() == nil && timeout == 0 {
		a.shared = true
	} else {
		a.ctx, a.cancel = context.WithCancelCause(j.ctx)
		if timeout > 0 {
			a.ctx, a.stop = context.WithTimeoutCause(a.ctx, timeout, ErrTimeout)
		}
	}
	sl.started(a)
	return a
}

// conclude settles an attempt at a submitted task that took rt.
func (sl *slot) conclude(l *life, a *attempt, res worker.Result, err error, rt time.Duration) {
	s, j := sl.s, a.job
	if err == nil {
		sl.ended(a, 1, 0)
	} else {
		sl.ended(a, 0, 1)
	}
	r := Result{Output: res.Output, Err: err, Worker: sl.id, PID: res.PID, Exec: res.Exec, RoundTrip: rt}
	if r.PID == 0 {
		r.PID = l.inst.PID()
	}
	if err == nil {
		l.useful.Store(true)
		s.finish(j, r)
		return
	}
	sl.settle(l, j, a.ctx, r)
}

// scratch returns room for n results, reused from one chunk to the next:
// a slot's one goroutine concludes one chunk at a time. (Results in arrays
// of their own for a whole Map call were a third of the bytes the call
// allocated, and so of its garbage collection.)
func (sl *slot) scratch(n int) ([]worker.Result, []error) {
	if cap(sl.res) < n {
		sl.res, sl.errs = make([]worker.Result, n), make([]error, n)
	}
	return sl.res[:n], sl.errs[:n]
}

// concludeChunk settles an attempt at a Map call's chunk that took rt: err
// is the chunk's as a whole (its worker died, say), else res and errs hold
// each task's result.
func (sl *slot) concludeChunk(l *life, a *attempt, err error, rt time.Duration, res []worker.Result, errs []error) {
	s, j := sl.s, a.job
	r := Result{Err: err, Worker: sl.id, PID: l.inst.PID(), RoundTrip: rt}
	killed := a.ctx.Err() != nil && errors.Is(context.Cause(a.ctx), ErrKilled)
	if err != nil || killed {
		// Killed on request (thread mode) goes back whole, as a task would.
		sl.ended(a, 0, int64(j.chunk.len()))
		if r.Err == nil {
			r.Err = context.Cause(a.ctx)
		}
		sl.settle(l, j, a.ctx, r)
		return
	}
	l.useful.Store(true)
	ok := s.finishChunk(j, a.ctx, r, res, errs)
	sl.ended(a, int64(ok), int64(j.chunk.len()-ok))
	j.chunk.ended()
}

func (sl *slot) started(a *attempt) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.running == nil {
		sl.running = map[uint64]*attempt{}
	}
	if a.shared {
		if sl.shared == nil {
			sl.shared, sl.cancelShared = context.WithCancelCause(context.Background())
		}
		a.ctx, a.cancel = sl.shared, sl.cancelShared
	}
	sl.running[a.job.id] = a
	sl.state = StateBusy
}

func (sl *slot) ended(a *attempt, ok, failed int64) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	delete(sl.running, a.job.id)
	if a.ended != nil {
		close(a.ended)
	}
	sl.done += int(ok)
	sl.failed += int(failed)
	if len(sl.running) == 0 && sl.state == StateBusy {
		sl.state = StateIdle
	}
}

// cancelRunning cancels every task running in the slot with cause and
// returns their attempts, whose ended channels are closed when they end.
func (sl *slot) cancelRunning(cause error) []*attempt {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	var out []*attempt
	for _, a := range sl.running {
		a.cancel(cause)
		if a.ended == nil {
			a.ended = make(chan struct{})
		}
		out = append(out, a)
	}
	sl.shared = nil // cancelled with the attempts that had it, if any
	return out
}

func (sl *slot) setState(st WorkerState) {
	sl.mu.Lock()
	sl.state = st
	sl.mu.Unlock()
}

func (sl *slot) current() *life {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.life
}
