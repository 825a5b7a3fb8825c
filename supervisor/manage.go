package supervisor

import (
	"context"
	"fmt"
	"time"
)

// AddWorker starts one more worker in the named pool ("" for the first
// pool) and returns its id once it is ready.
func (s *Supervisor) AddWorker(poolName string) (int, error) {
	if s.isStopping() {
		return 0, ErrStopped
	}
	p := s.pools[0]
	if poolName != "" {
		p = nil
		for _, q := range s.pools {
			if q.Name == poolName {
				p = q
			}
		}
		if p == nil {
			return 0, fmt.Errorf("no pool named %q", poolName)
		}
	}
	s.mu.Lock()
	id := 0
	for _, sl := range s.slots {
		id = max(id, sl.id)
	}
	sl := &slot{s: s, id: id + 1, pool: p}
	s.slots = append(s.slots, sl)
	s.mu.Unlock()
	l, err := sl.begin(false, time.Time{})
	if err != nil {
		s.dropSlot(sl)
		return 0, fmt.Errorf("add worker: %w", err)
	}
	s.wg.Go(func() {
		sl.run(l)
		if sl.isRemoved() {
			s.dropSlot(sl)
		}
	})
	return sl.id, nil
}

// RemoveWorker retires worker id: it takes no new task, finishes the ones
// it has, and stops. The last worker of a pool cannot be removed.
func (s *Supervisor) RemoveWorker(id int) error {
	sl := s.slotByID(id)
	if sl == nil {
		return fmt.Errorf("%w: %d", ErrNoWorker, id)
	}
	n := 0
	for _, other := range s.allSlots() {
		if other.pool == sl.pool && !other.isRemoved() {
			n++
		}
	}
	if n <= 1 {
		return fmt.Errorf("worker %d is the last in pool %q", id, sl.pool.Name)
	}
	sl.mu.Lock()
	sl.removed = true
	l := sl.life
	sl.mu.Unlock()
	if l != nil {
		l.plan("removed on request")
		l.leave()
	}
	return nil
}

// CancelTask cancels the task(s) worker id is running. The tasks end as
// canceled; the worker carries on (or, in process mode, is killed by the
// kill ladder if a task ignores the cancellation).
func (s *Supervisor) CancelTask(id int) error {
	sl := s.slotByID(id)
	if sl == nil {
		return fmt.Errorf("%w: %d", ErrNoWorker, id)
	}
	if len(sl.cancelRunning(context.Canceled)) == 0 {
		return fmt.Errorf("worker %d is not running a task", id)
	}
	return nil
}

// SetPaused stops (true) or resumes (false) handing tasks to workers.
// Running tasks are not affected.
func (s *Supervisor) SetPaused(paused bool) {
	s.mu.Lock()
	s.paused = paused
	s.mu.Unlock()
	for _, p := range s.pools {
		p.q.setPaused(paused)
	}
}

// Paused reports whether dispatch is paused.
func (s *Supervisor) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// Queued is how many tasks wait for a worker.
func (s *Supervisor) Queued() int {
	n := 0
	for _, p := range s.pools {
		n += p.q.len()
	}
	return n
}

func (s *Supervisor) dropSlot(sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.slots {
		if x == sl {
			s.slots = append(s.slots[:i], s.slots[i+1:]...)
			return
		}
	}
}

func (sl *slot) isRemoved() bool {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.removed
}
