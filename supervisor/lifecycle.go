package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxStartFailures is how many times in a row a slot's worker may fail to
// start before the supervisor gives up: enough to ride out a worker killed
// while it starts, few enough that a command that cannot start a worker
// (a wrong Config.WorkerCommand) fails in a fraction of a second.
const maxStartFailures = 6

// run keeps the slot staffed until the supervisor stops, its pool has
// nothing left to do, or the slot is removed. ready is called once, when
// the first worker is ready or the slot gives up.
func (sl *slot) run(ready func()) {
	defer sl.retire()
	signalled := false
	signal := func() {
		if !signalled {
			signalled = true
			ready()
		}
	}
	defer signal()
	replacing, endedAt := false, time.Time{}
	for {
		l := sl.staff(replacing, endedAt)
		if l == nil {
			return
		}
		signal()
		sl.serve(l)
		endedAt = sl.end(l)
		if !sl.again(l) {
			return
		}
		replacing = true
	}
}

// staff puts a worker in the slot, trying again with backoff when one
// fails to start. It returns nil when the slot is done.
//
// A start that a signal from outside cut short (see killedFromOutside)
// counts towards the restart limit, not towards maxStartFailures: it says
// nothing against the worker's command, and under outside kills more
// frequent than a start (20-50 ms apart, on a loaded machine) six of them
// in a row ended the run.
func (sl *slot) staff(replacing bool, endedAt time.Time) *life {
	s := sl.s
	failures := 0 // starts in a row that failed by the worker's own doing
	for n := 1; ; n++ {
		if !sl.needed() {
			return nil
		}
		l, err := sl.begin(replacing, endedAt)
		if err == nil {
			return l
		}
		if s.forceCtx.Err() != nil {
			return nil
		}
		s.cfg.Logger.Error("worker failed to start", "worker", sl.id, "attempt", n, "err", err)
		s.emit(WorkerStartFailed{Worker: sl.id, Attempt: n, Err: err})
		if !killedFromOutside(err) {
			failures++
		}
		if failures >= maxStartFailures {
			s.giveUp(fmt.Errorf("worker %d failed to start %d times in a row: %w", sl.id, n, err))
			return nil
		}
		if s.restarted() {
			s.giveUp(fmt.Errorf("more than %d unplanned worker restarts within %s", s.cfg.MaxRestarts, s.cfg.RestartWindow))
			return nil
		}
		if !s.sleep(backoff(n+1, s.cfg.BackoffMin, s.cfg.BackoffMax, s.jitter)) {
			return nil
		}
	}
}

// needed reports whether the slot should have a worker: the supervisor is
// not being forced down, the slot is not removed, and its pool still has
// work or is open for more.
func (sl *slot) needed() bool {
	p := sl.p
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.forced && !sl.removed && !p.drained()
}

// begin puts a new worker in the slot: a warm spare if one is ready and
// this is a replacement, else a freshly started one.
func (sl *slot) begin(replacing bool, endedAt time.Time) (*life, error) {
	sl.setState(StateStarting)
	s := sl.s
	inst, spare := s.takeSpare(sl.id, replacing)
	if inst == nil {
		var err error
		if inst, err = s.start(s.forceCtx, sl.id); err != nil {
			return nil, err
		}
	}
	if err := s.pin(sl.id, inst); err != nil {
		_ = inst.Kill()
		_ = inst.Stop(context.Background())
		return nil, err
	}
	l := newLife(inst, spare)
	l.record = s.recordStart(sl.id, inst, spare)
	sl.life.Store(l)
	p := sl.p
	p.mu.Lock()
	sl.inst = inst
	forced, removed := p.forced, sl.removed
	p.mu.Unlock()
	switch {
	case forced: // the stop was forced while it started
		l.plan(CauseStopping)
		_ = inst.Kill()
	case removed: // RemoveWorker while it started: it serves nothing
		l.plan(CauseRemoved)
		l.leave()
	}
	ev := WorkerStarted{Worker: sl.id, PID: inst.PID(), Startup: inst.Startup(), Replacing: replacing, Spare: spare}
	if replacing {
		ev.Ready = time.Since(endedAt)
	}
	s.emit(ev)
	return l, nil
}

// end ends l's time in the slot: it stops the worker if it still runs (it
// was recycled, removed, or the pool is done), and records how it ended.
// It returns when that was.
func (sl *slot) end(l *life) time.Time {
	s := sl.s
	p := sl.p
	p.mu.Lock()
	sl.inst = nil
	drained := p.drained() || p.forced
	p.mu.Unlock()
	if drained {
		l.plan(CauseStopping)
	}
	if !isDone(l.inst.Done()) {
		s.stopInstance(l.inst)
	}
	endedAt := time.Now()
	sl.recordExit(l)
	return endedAt
}

// again decides whether the slot gets another worker, counts the restart,
// and waits out its backoff. It returns false when the slot is done.
func (sl *slot) again(l *life) bool {
	s := sl.s
	if !sl.needed() {
		return false
	}
	sl.setState(StateRestarting)
	planned := l.plannedCause()
	if planned == CauseNone && s.restarted() {
		s.giveUp(fmt.Errorf("more than %d unplanned worker restarts within %s", s.cfg.MaxRestarts, s.cfg.RestartWindow))
		return false
	}
	delay := sl.nextDelay(l, planned)
	if delay > 0 {
		s.emit(WorkerRestarting{Worker: sl.id, Delay: delay, Restarts: int(sl.restarts.Load())})
		if !s.sleep(delay) {
			return false
		}
	}
	return true
}

// nextDelay counts the restart and returns the backoff before it: none
// unless the worker keeps dying without completing a task.
func (sl *slot) nextDelay(l *life, planned Cause) time.Duration {
	sl.restarts.Add(1)
	if planned != CauseNone || l.useful.Load() {
		sl.consecutive.Store(0)
	} else {
		sl.consecutive.Add(1)
	}
	return backoff(int(sl.consecutive.Load()), sl.s.cfg.BackoffMin, sl.s.cfg.BackoffMax, sl.s.jitter)
}

// recordExit notes how l ended, in the history and as an event.
func (sl *slot) recordExit(l *life) {
	s := sl.s
	planned := l.plannedCause()
	err := l.inst.Err()
	reason := "stopped"
	switch {
	case errors.Is(err, ErrAbandoned):
		reason = "abandoned, its goroutine still running"
	case err != nil:
		reason = err.Error()
	}
	ev := WorkerExited{Worker: sl.id, PID: l.inst.PID(), Reason: reason, Cause: planned,
		Planned: planned != CauseNone, Err: err}
	l.mu.Lock()
	if j := l.culprit; j != nil {
		ev.TaskID, ev.Task = j.id, j.task.Name
	}
	l.mu.Unlock()
	if w, ok := sl.workerError(l, nil).(*WorkerError); ok && w != nil {
		if lw := w.LastWords(); lw != "" {
			ev.Reason += ": " + lw
		}
	}
	s.recordEnd(l, reason, ev.Planned)
	sl.setState(StateDead)
	if errors.Is(err, ErrAbandoned) {
		sl.setState(StateAbandoned)
	}
	s.emit(ev)
}

// stopInstance stops one worker, gently and then by force: at once if the
// supervisor is being forced down, otherwise within a few graces.
func (s *Supervisor) stopInstance(inst instance) {
	ctx, cancel := context.WithTimeout(s.forceCtx, 4*s.cfg.Grace)
	defer cancel()
	_ = inst.Stop(ctx)
}

// sleep waits d, or returns false at once if the supervisor is forced down.
func (s *Supervisor) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.forceCtx.Done():
		return false
	}
}

// recycle retires l once it has been sent Config.MaxTasksPerWorker tasks:
// it takes no more, finishes those it has, and is replaced.
func (sl *slot) recycle(l *life) {
	limit := int64(sl.s.cfg.MaxTasksPerWorker)
	if limit > 0 && l.tasks.Load() >= limit {
		l.plan(CauseRecycled)
		l.leave()
	}
}

// retire marks the slot stopped, and forgets it if it was removed.
func (sl *slot) retire() {
	sl.setState(StateStopped)
	sl.p.mu.Lock()
	removed := sl.removed
	sl.p.mu.Unlock()
	if removed {
		sl.s.dropSlot(sl)
	}
}
