package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/procpool/supervisor/worker"
)

// settle decides how a failed attempt ends: a result for the task, or
// another attempt on a fresh worker.
func (sl *slot) settle(l *life, j *job, ctx context.Context, r Result) {
	s := sl.s
	dead := isDone(l.inst.Done())
	if dead {
		l.mu.Lock()
		l.lastJob = j
		l.mu.Unlock()
	}
	switch {
	case ctx.Err() != nil:
		if sl.cancelled(l, j, ctx, &r, dead) {
			return
		}
	case dead:
		if sl.died(l, j, &r) {
			return
		}
	default:
		var p *worker.PanicError
		r.Status = StatusFailed
		if errors.As(r.Err, &p) {
			r.Status = StatusPanic
		}
	}
	s.finish(j, r)
}

// cancelled settles an attempt whose context ended: a timeout, the
// caller's cancellation, the supervisor stopping, or (thread mode) a kill
// request. It reports whether the task was given another attempt.
func (sl *slot) cancelled(l *life, j *job, ctx context.Context, r *Result, dead bool) bool {
	s := sl.s
	cause := context.Cause(ctx)
	if errors.Is(r.Err, ErrAbandoned) {
		l.plan(causeAbandoned)
		s.emit(GoroutineAbandoned{Worker: sl.id, TaskID: j.id, Task: j.task.Name})
	} else if dead {
		l.plan("killed by the kill ladder: the task ignored cancellation")
	}
	if errors.Is(cause, ErrKilled) && !s.isStopping() {
		j.forgiven++ // killed on request: not the task's doing
		s.emit(TaskRetried{TaskID: j.id, Task: j.task.Name, Attempt: j.attempts + 1, Err: ErrKilled})
		s.requeue(sl.pool, j)
		return true
	}
	r.Status, r.Err = s.canceled(j, cause, r.Err)
	return false
}

// canceled is the status and error of a task of j whose context ended
// with cause while it ran, and which ended with err.
func (s *Supervisor) canceled(j *job, cause, err error) (Status, error) {
	switch {
	case errors.Is(cause, ErrTimeout):
		return StatusTimeout, fmt.Errorf("%w after %s; %w", ErrTimeout, s.timeout(j), err)
	case errors.Is(cause, ErrStopped), errors.Is(cause, ErrKilled):
		return StatusCanceled, fmt.Errorf("%w: %w", cause, err)
	}
	return StatusCanceled, err
}

// died settles an attempt whose worker died under it. It reports whether
// the task was given another attempt.
func (sl *slot) died(l *life, j *job, r *Result) bool {
	s := sl.s
	planned := l.plannedReason()
	werr := exitInfo(sl.id, l.inst, planned)
	if werr == nil {
		// A goroutine that ended between dispatch and the call (abandoned
		// by an earlier task): the task never ran, so it goes back as if
		// never dispatched.
		j.attempts--
		s.requeue(sl.pool, j)
		return true
	}
	l.mu.Lock()
	memory := l.memory
	l.mu.Unlock()
	if memory != "" {
		r.Status, r.Err = StatusMemory, fmt.Errorf("%w: %s; %w", ErrMemoryLimit, memory, werr)
		return false
	}
	switch {
	case planned == "":
		j.kills++
	case strings.HasPrefix(planned, causeKilledOnRequest):
		j.forgiven++ // a kill on request (Kill, chaos) is not the task's doing
	}
	switch {
	case j.kills >= s.cfg.PoisonAfter:
		r.Status = StatusQuarantined
		r.Err = fmt.Errorf("%w: the task killed %d workers; the last: %w", ErrQuarantined, j.kills, werr)
		s.emit(TaskQuarantined{TaskID: j.id, Task: j.task.Name, Kills: j.kills})
		return false
	case j.attempts-j.forgiven <= s.cfg.Retries && !s.isStopping():
		s.emit(TaskRetried{TaskID: j.id, Task: j.task.Name, Attempt: j.attempts + 1, Err: werr})
		s.requeue(sl.pool, j)
		return true
	}
	r.Status, r.Err = StatusDied, werr
	return false
}

// timeout is how long an attempt at j may take: Config.Timeout, times the
// length of a Map call's chunk.
func (s *Supervisor) timeout(j *job) time.Duration {
	if j.chunk != nil {
		return s.cfg.Timeout * time.Duration(j.chunk.len())
	}
	return s.cfg.Timeout
}
