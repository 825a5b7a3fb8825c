package supervisor

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/worker"
)

// settle decides what an answer means for its job and adds the decision to
// r, to be carried out under the pool's lock in the next round. The slot
// owns the job until then.
func (sl *slot) settle(l *life, j *job, ans *backend.Answer, r *round) {
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
	if ans.Err != nil {
		sl.lost(l, j, ans, r)
		return
	}
	rt := time.Since(j.began)
	if j.chunk != nil {
		sl.answeredChunk(l, j, ans, rt, r)
		return
	}
	res, err := ans.Results[0], ans.Errs[0]
	out := Result{Output: res.Output, Err: err, Worker: sl.id, PID: res.PID, Exec: res.Exec, RoundTrip: rt}
	if out.PID == 0 {
		out.PID = l.inst.PID()
	}
	if err == nil {
		l.useful.Store(true)
		out.Status = StatusOK
		r.settled = append(r.settled, outcome{job: j, result: out})
		return
	}
	status, err, again := sl.classify(j, err)
	if again {
		sl.forgive(j, r, ErrKilled)
		return
	}
	out.Status, out.Err = status, err
	r.settled = append(r.settled, outcome{job: j, result: out})
}

// classify says how a task that returned err ended: its own failure or
// panic, or, when its attempt was being cancelled and it returned the
// context's error, canceled or timed out. again is true when it should run
// again instead: its goroutine was "killed" on request (thread mode).
func (sl *slot) classify(j *job, err error) (st Status, out error, again bool) {
	cause := j.cause.get()
	if cause == nil && isContextErr(err) && j.expiredBy(time.Now()) {
		cause = j.expiredCause() // the worker saw the deadline a moment before the host's timer
	}
	if cause != nil && isContextErr(err) {
		if errors.Is(cause, ErrKilled) {
			return 0, nil, true
		}
		st, out = canceledStatus(cause, err, sl.s.cfg.Timeout)
		return st, out, false
	}
	var p *worker.PanicError
	if errors.As(err, &p) {
		return StatusPanic, err, false
	}
	return StatusFailed, err, false
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// canceledStatus is the status and error of a task whose attempt was
// cancelled with cause and that ended with err.
func canceledStatus(cause, err error, timeout time.Duration) (Status, error) {
	switch {
	case errors.Is(cause, ErrTimeout):
		return StatusTimeout, fmt.Errorf("%w after %s: %w", ErrTimeout, timeout, err)
	case errors.Is(cause, ErrStopped), errors.Is(cause, ErrCanceled):
		return StatusCanceled, fmt.Errorf("%w: %w", cause, err)
	case errors.Is(err, cause):
		return StatusCanceled, err
	}
	return StatusCanceled, fmt.Errorf("%w: %w", cause, err)
}

// forgive sends j back to the queue with no charge: its attempt ended for
// a reason that was not its doing (a kill on request, or the death of its
// worker, why, while it waited behind the task that caused it). A job being
// cancelled is not run again: it ends canceled (see applyOutcomes).
func (sl *slot) forgive(j *job, r *round, why error) {
	if runsAgain(j.cause.get()) {
		sl.s.emit(TaskRetried{TaskID: j.id, Task: j.task.Name, Attempt: j.attempts + 1, Err: why, Charged: false})
	}
	r.settled = append(r.settled, outcome{job: j, requeue: true})
}

// lost settles a job whose batch got no answer: its worker died (or, in
// thread mode, was abandoned). Only the task that was executing is charged
// with the death; tasks that had not started, or had finished but whose
// answer was lost, run again at no charge.
func (sl *slot) lost(l *life, j *job, ans *backend.Answer, r *round) {
	switch {
	case ladderKilled(ans.Err): // a restart the supervisor caused
		l.plan(CauseKillLadder)
	case errors.Is(ans.Err, ErrAbandoned):
		l.plan(CauseAbandoned)
	}
	n := j.size()
	started, finished := ans.Started, ans.Finished
	if started == backend.Unknown || finished == backend.Unknown {
		started, finished = sl.guessProgress(l, j)
	}
	executing := -1
	if started > finished && finished < n {
		executing = finished
	}
	if j.chunk != nil {
		sl.lostChunk(l, j, ans.Err, started, executing, r)
		return
	}
	if executing != 0 {
		if started == 0 {
			j.attempts-- // it never ran there
		}
		sl.forgive(j, r, sl.workerError(l, ans.Err))
		return
	}
	sl.culprit(l, j, ans.Err, r)
}

// guessProgress stands in for a backend that cannot say how far a lost
// batch got: the oldest batch lost was executing its first task, the rest
// had not started.
func (sl *slot) guessProgress(l *life, j *job) (started, finished int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.culprit == nil {
		l.culprit = j
		return 1, 0
	}
	return 0, 0
}

// culprit settles the job that was executing when its worker died.
func (sl *slot) culprit(l *life, j *job, death error, r *round) {
	l.mu.Lock()
	l.culprit = j
	l.mu.Unlock()
	werr := sl.workerError(l, death)
	out := Result{Worker: sl.id, PID: l.inst.PID(), RoundTrip: time.Since(j.began)}
	st, err, again := sl.blame(l, j, werr)
	if again {
		r.settled = append(r.settled, outcome{job: j, requeue: true})
		return
	}
	out.Status, out.Err = st, err
	r.settled = append(r.settled, outcome{job: j, result: out})
}

// blame decides the fate of a task whose worker died under it, werr being
// the death: a result, or (again) another attempt.
func (sl *slot) blame(l *life, j *job, werr error) (st Status, err error, again bool) {
	s := sl.s
	planned := l.plannedCause()
	cause := j.cause.get()
	switch {
	case cause != nil && errors.Is(cause, ErrKilled):
		s.emit(TaskRetried{TaskID: j.id, Task: j.task.Name, Attempt: j.attempts + 1, Err: ErrKilled})
		return 0, nil, true
	case cause != nil:
		if errors.Is(werr, ErrAbandoned) {
			s.emit(GoroutineAbandoned{Worker: sl.id, TaskID: j.id, Task: j.task.Name})
		}
		st, err = canceledStatus(cause, werr, s.timeout(j))
		return st, err, false
	case planned == CauseKilledOnRequest:
		s.emit(TaskRetried{TaskID: j.id, Task: j.task.Name, Attempt: j.attempts + 1, Err: werr})
		return 0, nil, true
	case planned == CauseStopping:
		return StatusCanceled, fmt.Errorf("%w: %w", ErrStopped, werr), false
	}
	if note := l.memoryNote(); note != "" {
		return StatusMemory, fmt.Errorf("%w: %s: %w", ErrMemoryLimit, note, werr), false
	}
	j.deaths++
	if ownDeath(werr) {
		j.kills++
	}
	switch {
	case j.kills >= s.cfg.PoisonAfter:
		s.emit(TaskQuarantined{TaskID: j.id, Task: j.task.Name, Kills: j.kills})
		return StatusQuarantined, fmt.Errorf("%w: the task killed %d workers; the last: %w", ErrQuarantined, j.kills, werr), false
	case j.deaths <= s.cfg.Retries:
		s.emit(TaskRetried{TaskID: j.id, Task: j.task.Name, Attempt: j.attempts + 1, Err: werr, Charged: true})
		return 0, nil, true
	}
	return StatusDied, werr, false
}

// ownDeath reports whether a worker's death, werr, is evidence against the
// task it was executing: it crashed (a fault signal such as SIGSEGV or
// SIGABRT, or an exit: a Go panic or fatal error exits with status 2, a
// task's os.Exit with its own). A SIGKILL or SIGTERM the supervisor did not
// send came from outside (kill(1), the OOM killer): it costs the task an
// attempt (Config.Retries) but never brings it closer to quarantine, so
// that outside kills cannot quarantine an innocent task.
func ownDeath(werr error) bool {
	var we *WorkerError
	if !errors.As(werr, &we) {
		return true
	}
	return we.Signal != syscall.SIGKILL && we.Signal != syscall.SIGTERM
}

// timeout is how long an attempt at j may take: Config.Timeout, times the
// number of inputs of a Map call's chunk.
func (s *Supervisor) timeout(j *job) time.Duration {
	return s.cfg.Timeout * time.Duration(j.size())
}

// deadline is when an attempt at j, sent at now, must end: the earlier of
// its context's deadline and its timeout. It records which it is.
func (s *Supervisor) deadline(j *job, now time.Time) time.Time {
	j.deadline, j.expired = time.Time{}, nil
	if d, ok := j.ctx.Deadline(); ok {
		j.deadline, j.expired = d, context.DeadlineExceeded
	}
	if t := s.timeout(j); t > 0 {
		if d := now.Add(t); j.deadline.IsZero() || d.Before(j.deadline) {
			j.deadline, j.expired = d, ErrTimeout
		}
	}
	return j.deadline
}

// deadlineSkew bounds how far apart the worker's and the host's views of a
// deadline can be: both read the same clock, so only scheduling separates
// them (the host's timer fired over a millisecond late under the race
// detector).
const deadlineSkew = 100 * time.Millisecond

// expiredCause is why an attempt whose deadline passed ended: ErrTimeout
// for Config.Timeout; for the caller's own deadline, its context's cause
// (context.DeadlineExceeded, or what WithDeadlineCause gave), once the
// context has seen the deadline too, which is at most the skew away.
func (j *job) expiredCause() error {
	if j.expired == ErrTimeout {
		return ErrTimeout
	}
	t := time.NewTimer(deadlineSkew)
	defer t.Stop()
	select {
	case <-j.ctx.Done():
		return context.Cause(j.ctx)
	case <-t.C:
		return j.expired
	}
}

// expiredBy reports whether the attempt's deadline had passed, give or take
// the skew, at now.
func (j *job) expiredBy(now time.Time) bool {
	return !j.deadline.IsZero() && !now.Before(j.deadline.Add(-deadlineSkew))
}

// armTimeout makes the attempt's deadline cancel it, walking the kill
// ladder if the task ignores it. The user's own deadline needs no timer:
// the end of the job's context cancels it (pool.watch).
func (sl *slot) armTimeout(j *job, deadline time.Time) {
	if j.expired != ErrTimeout {
		return
	}
	p, gen := sl.p, j.gen
	j.timer = time.AfterFunc(time.Until(deadline), func() { p.expire(j, gen) })
}
