package supervisor

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
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

	mu          sync.Mutex
	life        *life
	state       WorkerState
	running     map[uint64]*attempt
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
	sl.life, sl.state, sl.rss, sl.cpu = l, StateIdle, 0, 0
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

// serve feeds l tasks until it dies or leaves. With InFlight above one,
// that many dispatchers share the worker, pipelining its tasks.
func (sl *slot) serve(l *life) {
	var wg sync.WaitGroup
	for range sl.s.cfg.InFlight - 1 {
		wg.Go(func() { sl.dispatch(l) })
	}
	sl.dispatch(l)
	wg.Wait()
}

func (sl *slot) dispatch(l *life) {
	s := sl.s
	w := newWaiter()
	limit := int64(s.cfg.MaxTasksPerWorker)
	for {
		j := sl.pool.q.get(w, s.stopping, l.quit)
		switch {
		case j == nil:
			return
		case s.isStopping():
			s.finish(j, Result{Status: StatusCanceled, Err: s.stoppedErr()})
			return
		case isDone(l.quit), isDone(l.inst.Done()):
			s.requeue(sl.pool, j)
			return
		case j.ctx.Err() != nil:
			s.finish(j, Result{Status: StatusCanceled, Err: context.Cause(j.ctx)})
			continue
		}
		sl.attempt(l, j)
		if isDone(l.inst.Done()) {
			return
		}
		if limit > 0 && l.tasks.Add(1) >= limit {
			l.plan(fmt.Sprintf("recycled after %d tasks", limit))
			l.leave()
		}
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
	s := sl.s
	ctx, cancel := context.WithCancelCause(j.ctx)
	defer cancel(nil)
	if s.cfg.Timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, s.cfg.Timeout, ErrTimeout)
		defer stop()
	}
	now := time.Now()
	j.queued += now.Sub(j.queuedAt)
	j.attempts++
	a := &attempt{job: j, cancel: cancel, began: now, ended: make(chan struct{})}
	sl.started(a)
	res, err := l.inst.Do(ctx, j.task)
	rt := time.Since(now)
	sl.ended(a, err == nil)
	r := Result{Output: res.Output, Err: err, Worker: sl.id, PID: res.PID, Exec: res.Exec, RoundTrip: rt}
	if r.PID == 0 {
		r.PID = l.inst.PID()
	}
	if err == nil {
		l.useful.Store(true)
		s.finish(j, r)
		return
	}
	sl.settle(l, j, ctx, r)
}

func (sl *slot) started(a *attempt) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.running == nil {
		sl.running = map[uint64]*attempt{}
	}
	sl.running[a.job.id] = a
	sl.state = StateBusy
}

func (sl *slot) ended(a *attempt, ok bool) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	delete(sl.running, a.job.id)
	close(a.ended)
	if ok {
		sl.done++
	} else {
		sl.failed++
	}
	if len(sl.running) == 0 && sl.state == StateBusy {
		sl.state = StateIdle
	}
}

// cancelRunning cancels every task running in the slot with cause and
// returns their attempts.
func (sl *slot) cancelRunning(cause error) []*attempt {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	var out []*attempt
	for _, a := range sl.running {
		a.cancel(cause)
		out = append(out, a)
	}
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
