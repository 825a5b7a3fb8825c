package supervisor

import (
	"context"
	"fmt"
)

// A StopOption says what Stop does with the tasks not done yet.
type StopOption int

const (
	// CancelQueued ends the tasks still waiting for a worker at once,
	// canceled with ErrStopped, like shutdown(cancel_futures=True) in
	// Python's concurrent.futures. Without it, they run.
	CancelQueued StopOption = 1 << iota
	// CancelRunning cancels the running tasks (their contexts end; the
	// kill ladder follows in process mode). Without it, they finish.
	CancelRunning
)

// Stop stops the supervisor. From the first call on, Submit refuses new
// tasks (their futures end canceled with ErrStopped). By default the tasks
// already submitted run to their end, queued ones included, like Python's
// shutdown(wait=True); the options cancel them instead. Then the workers
// are stopped gently.
//
// When ctx ends before all that is done, Stop forces everything down at
// once: tasks not done end canceled with ErrStopped, every worker process's
// group gets SIGKILL and worker goroutines are abandoned. So Stop with a
// context already done is a kill-all. Either way, Stop returns when every
// worker is gone and every task has its one result, with the supervisor's
// error (see Err). It is safe to call more than once and from several
// goroutines; each call's options apply.
func (s *Supervisor) Stop(ctx context.Context, opts ...StopOption) error {
	var o StopOption
	for _, x := range opts {
		o |= x
	}
	s.closeStopping()
	for _, p := range s.pools {
		p.close(o&CancelQueued != 0)
		if o&CancelRunning != 0 {
			p.cancelRunning(nil, ErrStopped)
		}
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		s.shutdown()
		<-s.done
	}
	return s.Err()
}

// shutdown forces everything down at once (see Stop).
func (s *Supervisor) shutdown() {
	s.closeStopping()
	s.forceOnce.Do(func() {
		s.force()
		for _, p := range s.pools {
			p.force()
		}
	})
}

// giveUp stops the supervisor, forcing it down, because it cannot go on:
// the restart limit is passed, or a worker cannot start.
func (s *Supervisor) giveUp(err error) {
	s.mu.Lock()
	first := s.err == nil
	if first {
		s.err = fmt.Errorf("%w: %w", ErrGaveUp, err)
	}
	err = s.err
	s.mu.Unlock()
	if first {
		s.emit(GaveUp{Err: err})
	}
	s.shutdown()
}

// closeStopping marks the supervisor stopping, once. Under s.mu: AddWorker
// and the spares check it and join the wait group under the same lock, so
// nothing starts after Stop has waited for everything.
func (s *Supervisor) closeStopping() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stopping) })
}
