package supervisor

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/process"
)

// ErrNoWorker is returned by Kill for a worker id that does not exist.
var ErrNoWorker = errors.New("no such worker")

// Kill kills worker id on request. In process mode it sends sig to the
// worker's process group; the worker's task, if any, is run again on a
// fresh worker, and the death counts neither towards the restart limit nor
// against the task (not towards its quarantine, nor its Retries). In thread mode a goroutine cannot be
// killed: Kill cancels its task instead (which is retried), waits up to the
// grace, and reports whether the task stopped in a WorkerKilled event.
func (s *Supervisor) Kill(id int, sig syscall.Signal) error {
	sl := s.slotByID(id)
	if sl == nil {
		return fmt.Errorf("%w: %d", ErrNoWorker, id)
	}
	l := sl.current()
	if l == nil || isDone(l.inst.Done()) {
		return fmt.Errorf("worker %d is not running", id)
	}
	sg, ok := l.inst.(signaller)
	if !ok {
		go s.killGoroutine(sl, l)
		return nil
	}
	l.plan(causeKilledOnRequest + " with " + process.SignalName(sig))
	if err := sg.Signal(sig); err != nil {
		return fmt.Errorf("kill worker %d: %w", id, err)
	}
	s.emit(WorkerKilled{Worker: id, PID: l.inst.PID(), Signal: process.SignalName(sig)})
	return nil
}

// killGoroutine does what can be done to a goroutine: cancel its tasks and
// see whether they stop.
func (s *Supervisor) killGoroutine(sl *slot, l *life) {
	attempts := sl.cancelRunning(ErrKilled)
	deadline := time.NewTimer(2 * s.cfg.Grace)
	defer deadline.Stop()
	for _, a := range attempts {
		select {
		case <-a.ended:
		case <-deadline.C:
		}
	}
	// The attempt ends either way; the goroutine stopped only if it was
	// not abandoned.
	stopped := !errors.Is(l.inst.Err(), ErrAbandoned)
	s.emit(WorkerKilled{Worker: sl.id, PID: selfPID, Thread: true, Stopped: stopped})
}

// KillRandomBusy kills a worker chosen at random among those running a
// task, for chaos testing. It returns the id killed, or 0 if none was busy.
func (s *Supervisor) KillRandomBusy(sig syscall.Signal) (int, error) {
	var busy []int
	for _, w := range s.Workers() {
		if w.State == StateBusy {
			busy = append(busy, w.ID)
		}
	}
	if len(busy) == 0 {
		return 0, nil
	}
	id := busy[rand.IntN(len(busy))]
	return id, s.Kill(id, sig)
}

func (s *Supervisor) slotByID(id int) *slot {
	for _, sl := range s.allSlots() {
		if sl.id == id {
			return sl
		}
	}
	return nil
}
