package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// handle takes one delivered task message to its end here: a result written
// and the message acknowledged, or the message handed back. It calls free
// once the task no longer needs its worker, so that the next task can be
// fetched while this one's result is written.
func (a *Agent) handle(m jetstream.Msg, free func()) {
	md, err := m.Metadata()
	if err != nil {
		a.log.Warn("message without metadata", "subject", m.Subject(), "err", err)
		_ = m.Term()
		return
	}
	d := int(md.NumDelivered)
	j, err := parseJob(m.Subject(), m.Headers(), m.Data())
	switch {
	case err != nil && j == nil:
		a.log.Warn("task message on a foreign subject", "subject", m.Subject())
		_ = m.Term()
	case err != nil:
		a.finish(m, j, sameForAll(j, d, taskOutcome{Status: supervisor.StatusFailed.String(), Error: encodeError(err)}))
	case !a.runs.alive(j.run):
		a.log.Info("dropping a task of a run whose client is gone", "run", j.run, "job", j.id)
		_ = m.Term()
		a.runs.purge(a.h.tasks, j.run)
		a.settled(j, "dropped")
	case d > 1 && a.answered(j):
		_ = m.Ack() // the result was written, the acknowledgement lost
		a.settled(j, "answered")
	case d > j.limit():
		// Delivery d-1 was the last allowed, and ended without an answer:
		// its host died, froze or was cut off while running it.
		a.log.Info("answering a task whose last delivery was lost", "run", j.run, "job", j.id, "deliveries", d-1)
		a.finish(m, j, hostLost(j, d-1))
	default:
		a.run(m, j, d, free)
	}
}

// run runs the job's tasks on the pool, heart-beating the message, and
// settles it.
func (a *Agent) run(m jetstream.Msg, j *job, d int, free func()) {
	ctx, cancel := context.WithCancelCause(a.jobs)
	defer cancel(nil)
	a.hold(j, d, cancel)
	defer a.unhold(j)
	stop := a.heartbeat(m)
	outs := a.runTasks(ctx, j)
	stop()
	free()
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errFenced):
		// JetStream is out of reach; the task comes back after the lease.
		a.settled(j, "fenced")
	case errors.Is(cause, errRunGone):
		_ = m.Term()
		a.settled(j, "dropped")
	case errors.Is(cause, errStopping), a.poolStopped():
		_ = m.Nak()
		a.settled(j, "handed back")
	case cause == nil && died(outs) && d < j.limit():
		_ = m.NakWithDelay(retryDelay(d))
		a.settled(j, "retry")
	case cause == nil && died(outs):
		r := finalDeath(j, d, outs)
		r.Agent = a.cfg.Name
		a.finish(m, j, r)
	default:
		a.finish(m, j, a.answer(j, d, outs))
	}
}

// runTasks runs the job's tasks one after another, as the local pool runs a
// chunk, and stops at the first whose worker died or when ctx ends. It
// returns the outcomes of those that ran.
func (a *Agent) runTasks(ctx context.Context, j *job) []Outcome {
	outs := make([]Outcome, 0, len(j.inputs))
	for _, in := range j.inputs {
		if ctx.Err() != nil {
			break
		}
		o := a.runOne(ctx, j, in)
		outs = append(outs, o)
		if o.Status == supervisor.StatusDied {
			break
		}
	}
	return outs
}

func (a *Agent) runOne(ctx context.Context, j *job, input []byte) Outcome {
	if j.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, j.timeout, supervisor.ErrTimeout)
		defer cancel()
	}
	o := a.pool.Run(ctx, worker.Task{Name: j.name, Input: input})
	if o.Status == supervisor.StatusTimeout {
		// The pool knows no timeout of its own; say which one ran out.
		o.Err = fmt.Errorf("%w after %s; %w", supervisor.ErrTimeout, j.timeout, context.DeadlineExceeded)
	}
	return o
}

func died(outs []Outcome) bool {
	for _, o := range outs {
		if o.Status == supervisor.StatusDied {
			return true
		}
	}
	return false
}

func (a *Agent) poolStopped() bool {
	select {
	case <-a.pool.Done():
		return true
	default:
		return false
	}
}

// retryDelay is how long a task whose worker died waits before another
// delivery: a little longer each time, so a host whose workers all die does
// not spin through a task's deliveries.
func retryDelay(d int) time.Duration { return time.Duration(d) * 100 * time.Millisecond }

// answer is the result of a job whose tasks all ended on their own (or by
// their client's cancel). Tasks that did not run, after a cancel, are
// canceled.
func (a *Agent) answer(j *job, d int, outs []Outcome) *jobResult {
	r := &jobResult{Agent: a.cfg.Name, Attempts: d, Tasks: make([]taskOutcome, len(j.inputs))}
	for i := range r.Tasks {
		o := Outcome{Status: supervisor.StatusCanceled, Err: errCancel}
		if i < len(outs) {
			o = outs[i]
		}
		r.Tasks[i] = taskOutcome{Status: o.Status.String(), Output: o.Output, Error: encodeError(o.Err),
			Worker: o.Worker, PID: o.PID, ExecNs: int64(o.Exec)}
	}
	return r
}

// finalDeath is the result of a job whose worker died on its last allowed
// delivery: every task of it ends quarantined or died, as a chunk does
// locally.
func finalDeath(j *job, d int, outs []Outcome) *jobResult {
	var last Outcome
	for _, o := range outs {
		if o.Status == supervisor.StatusDied {
			last = o
		}
	}
	o := taskOutcome{Status: supervisor.StatusDied.String(), Error: encodeError(last.Err), Worker: last.Worker, PID: last.PID}
	if j.quarantines(d) {
		err := fmt.Errorf("%w: the task killed %d workers; the last: %w", supervisor.ErrQuarantined, d, last.Err)
		o.Status, o.Error = supervisor.StatusQuarantined.String(), encodeError(err)
	}
	return sameForAll(j, d, o)
}

// hostLost is the result of a job whose last allowed delivery, d, ended
// without an answer: its host is counted as killed by it, as Dask counts a
// lost worker against the task it ran.
func hostLost(j *job, d int) *jobResult {
	err := fmt.Errorf("%w: delivery %d of %d ended without an answer", ErrHostLost, d, j.limit())
	o := taskOutcome{Status: supervisor.StatusDied.String()}
	if j.quarantines(d) {
		err = fmt.Errorf("%w: the task killed %d workers; the last: %w", supervisor.ErrQuarantined, d, err)
		o.Status = supervisor.StatusQuarantined.String()
	}
	o.Error = encodeError(err)
	return sameForAll(j, d, o)
}
