package supervisor

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// AddWorker starts one more worker in the named pool ("" for the first
// pool) and returns its id once it is ready. Ids are never reused. It
// fails with ErrStopped once Stop has begun, and with ctx's error if ctx
// ends first (the worker then still joins the pool when it is ready).
func (s *Supervisor) AddWorker(ctx context.Context, poolName string) (int, error) {
	s.mu.Lock()
	if s.isStopping() {
		s.mu.Unlock()
		return 0, ErrStopped
	}
	p := s.pools[0]
	if poolName != "" {
		if p = s.poolNamed(poolName); p == nil {
			s.mu.Unlock()
			return 0, fmt.Errorf("no pool named %q", poolName)
		}
	}
	sl := s.addSlotLocked(p)
	sl.adding = true // not the pool's to remove until it is ready: see RemoveWorker
	ready := make(chan struct{})
	// Added under s.mu, before Stop can begin: Stop's wait covers it.
	s.wg.Go(func() { sl.run(func() { close(ready) }) })
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		sl.adding = false
		s.mu.Unlock()
	}()
	select {
	case <-ready:
	case <-ctx.Done():
		return 0, fmt.Errorf("add worker %d: %w", sl.id, ctx.Err())
	}
	switch {
	case s.isStopping():
		// Stop began meanwhile: it stops this worker with the others.
		return 0, fmt.Errorf("add worker %d: %w", sl.id, s.stoppedErr())
	case sl.life.Load() == nil:
		return 0, fmt.Errorf("add worker %d: it could not start", sl.id)
	}
	return sl.id, nil
}

func (s *Supervisor) poolNamed(name string) *pool {
	for _, p := range s.pools {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// RemoveWorker retires worker id: it takes no new task, finishes those it
// has, and stops, and nothing replaces it. The last worker of a pool
// cannot be removed, nor a worker whose AddWorker has not returned yet
// (until then it is not the pool's).
func (s *Supervisor) RemoveWorker(id int) error {
	s.mu.Lock()
	sl := s.slotByIDLocked(id)
	if sl == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %d", ErrNoWorker, id)
	}
	n := 0
	for _, other := range s.slots {
		if other.p == sl.p && !other.removed && !other.adding {
			n++
		}
	}
	switch {
	case sl.removed:
		s.mu.Unlock()
		return fmt.Errorf("worker %d is already being removed", id)
	case sl.adding:
		s.mu.Unlock()
		return fmt.Errorf("worker %d is still being added", id)
	case n <= 1:
		s.mu.Unlock()
		return fmt.Errorf("worker %d is the last in pool %q", id, sl.p.Name)
	}
	sl.p.mu.Lock()
	sl.removed = true
	sl.p.mu.Unlock()
	s.mu.Unlock()
	if l := sl.life.Load(); l != nil {
		l.plan(CauseRemoved)
		l.leave()
	}
	sl.nudge()
	return nil
}

// dropSlot forgets a removed slot once it has ended.
func (s *Supervisor) dropSlot(sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.slots {
		if x == sl {
			s.slots = append(s.slots[:i], s.slots[i+1:]...)
			break
		}
	}
	p := sl.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.slots {
		if x == sl {
			p.slots = append(p.slots[:i], p.slots[i+1:]...)
			break
		}
	}
}

func (s *Supervisor) slotByID(id int) *slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slotByIDLocked(id)
}

func (s *Supervisor) slotByIDLocked(id int) *slot {
	for _, sl := range s.slots {
		if sl.id == id {
			return sl
		}
	}
	return nil
}

// Kill kills worker id on request. In process mode its process group gets
// SIGKILL; the task it was running, and those queued behind it on it, run
// again on a fresh worker, and the death counts neither towards the
// restart limit nor against the task (its Retries and quarantine). In
// thread mode a goroutine cannot be killed: Kill cancels its tasks, which
// run again, and a WorkerKilled event says, after the grace, whether they
// stopped.
func (s *Supervisor) Kill(id int) error {
	return s.signal(id, syscall.SIGKILL)
}

// signal is Kill with a signal of the caller's choice in process mode
// (SIGTERM lets the worker's tasks see their context end first).
func (s *Supervisor) signal(id int, sig syscall.Signal) error {
	sl := s.slotByID(id)
	if sl == nil {
		return fmt.Errorf("%w: %d", ErrNoWorker, id)
	}
	l := sl.life.Load()
	if l == nil || isDone(l.inst.Done()) {
		return fmt.Errorf("worker %d is not running", id)
	}
	p, ok := l.inst.(signaller)
	if !ok {
		go s.killGoroutine(sl, l)
		return nil
	}
	l.plan(CauseKilledOnRequest)
	if err := p.Signal(sig); err != nil {
		return fmt.Errorf("kill worker %d: %w", id, err)
	}
	s.emit(WorkerKilled{Worker: id, PID: l.inst.PID(), Signal: signalName(sig)})
	return nil
}

// killGoroutine does what can be done to a goroutine: cancel its tasks and
// see whether it survives them.
func (s *Supervisor) killGoroutine(sl *slot, l *life) {
	sl.p.cancelRunning(sl, ErrKilled)
	t := time.NewTimer(2 * s.cfg.Grace)
	defer t.Stop()
	select {
	case <-l.inst.Done():
	case <-t.C:
	}
	stopped := !isDone(l.inst.Done())
	s.emit(WorkerKilled{Worker: sl.id, PID: selfPID, Thread: true, Stopped: stopped})
}

// cancelTasks cancels the tasks worker id is running; the worker carries
// on (or, in process mode, is killed by the kill ladder if a task ignores
// the cancellation). For the live view's "c".
func (s *Supervisor) cancelTasks(id int) error {
	sl := s.slotByID(id)
	if sl == nil {
		return fmt.Errorf("%w: %d", ErrNoWorker, id)
	}
	if sl.p.cancelRunning(sl, ErrCanceled) == 0 {
		return fmt.Errorf("worker %d is not running a task", id)
	}
	return nil
}

// setPaused stops (true) or resumes (false) handing tasks to workers;
// running tasks are not affected. For the live view's "p".
func (s *Supervisor) setPaused(paused bool) {
	for _, p := range s.pools {
		p.setPaused(paused)
	}
}

// A signaller is a worker that can be sent a signal: a worker process.
type signaller interface {
	Signal(sig syscall.Signal) error
}
