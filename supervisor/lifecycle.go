package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxStartFailures is how many times in a row a worker may fail to start
// before the supervisor gives up.
const maxStartFailures = 5

// replace ends l's time in the slot and, unless the supervisor is stopping,
// puts a new worker in its place. It returns nil when the slot is done.
func (sl *slot) replace(l *life) *life {
	s := sl.s
	if !isDone(l.inst.Done()) {
		s.stopInstance(l.inst)
	}
	endedAt := time.Now()
	if s.isStopping() {
		l.plan(CauseStopping)
	}
	planned := l.plannedReason()
	sl.recordExit(l, planned)
	if s.isStopping() || sl.isRemoved() {
		return nil
	}
	sl.setState(StateRestarting)
	if planned == "" && s.restarted() {
		s.giveUp(fmt.Errorf("more than %d unplanned worker restarts within %s", s.cfg.MaxRestarts, s.cfg.RestartWindow))
		return nil
	}
	delay := sl.nextDelay(l, planned)
	if delay > 0 {
		s.emit(WorkerRestarting{Worker: sl.id, Delay: delay, Restarts: sl.restartCount()})
		if !s.sleep(delay) {
			return nil
		}
	}
	return sl.restart(endedAt)
}

// nextDelay counts the restart and returns the backoff before it: none
// unless the worker keeps dying without completing a task.
func (sl *slot) nextDelay(l *life, planned string) time.Duration {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.restarts++
	if planned != "" || l.useful.Load() {
		sl.consecutive = 0
	} else {
		sl.consecutive++
	}
	return backoff(sl.consecutive, sl.s.cfg.BackoffMin, sl.s.cfg.BackoffMax, sl.s.jitter)
}

func (sl *slot) restartCount() int {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.restarts
}

// restart starts the slot's next worker, retrying with backoff; after
// maxStartFailures failures in a row the supervisor gives up.
func (sl *slot) restart(endedAt time.Time) *life {
	s := sl.s
	for n := 1; ; n++ {
		l, err := sl.begin(true, endedAt)
		if err == nil {
			return l
		}
		s.cfg.Logger.Error("worker failed to start", "worker", sl.id, "attempt", n, "err", err)
		if s.isStopping() {
			return nil
		}
		if n >= maxStartFailures {
			s.giveUp(fmt.Errorf("worker %d failed to start %d times in a row: %w", sl.id, n, err))
			return nil
		}
		if !s.sleep(backoff(n+1, s.cfg.BackoffMin, s.cfg.BackoffMax, s.jitter)) {
			return nil
		}
	}
}

// recordExit notes how l ended, in the history and as an event.
func (sl *slot) recordExit(l *life, planned string) {
	s := sl.s
	reason := "stopped"
	switch err := l.inst.Err(); {
	case errors.Is(err, ErrAbandoned):
		reason = "abandoned, its goroutine still running"
	case err != nil:
		reason = err.Error()
	}
	ev := WorkerExited{Worker: sl.id, PID: l.inst.PID(), Reason: reason, Cause: planned,
		Planned: planned != "" || s.isStopping(), Err: l.inst.Err()}
	l.mu.Lock()
	if j := l.lastJob; j != nil {
		ev.TaskID, ev.Task = j.id, j.task.Name
	}
	l.mu.Unlock()
	if w := exitInfo(sl.id, l.inst, planned); w != nil {
		if lw := w.LastWords(); lw != "" {
			ev.Reason += ": " + lw
		}
	}
	s.recordEnd(l, reason, ev.Planned)
	sl.setState(StateDead)
	if errors.Is(l.inst.Err(), ErrAbandoned) {
		sl.setState(StateAbandoned)
	}
	s.emit(ev)
}

// stopInstance stops one worker, gently and then by force: within Stop's
// context while the supervisor stops, otherwise (recycling, removal)
// within a few graces.
func (s *Supervisor) stopInstance(inst instance) {
	if s.isStopping() && s.stopCtx != nil {
		_ = inst.Stop(s.stopCtx)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*s.cfg.Grace)
	defer cancel()
	_ = inst.Stop(ctx)
}

// sleep waits d, or returns false at once if the supervisor stops.
func (s *Supervisor) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.stopping:
		return false
	}
}
