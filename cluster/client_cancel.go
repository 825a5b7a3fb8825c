package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// errCanceledQueued is the error of a task cancelled before any agent ran it.
var errCanceledQueued = fmt.Errorf("canceled while queued: %w", context.Canceled)

// cancel cancels p: the agent holding it, if one does, stops it and
// answers; otherwise p is queued, and is answered "canceled" and deleted.
// It returns at once; p's result comes as any result does.
func (e *Executor) cancel(p *pending, op string) {
	e.mu.Lock()
	_, live := e.pending[p.job.id]
	published := isClosed(p.published)
	if live && !published {
		p.cancelled = true
	}
	e.mu.Unlock()
	if !live {
		return
	}
	e.tasks.Go(func() { e.cancelPublished(p, op) })
}

// cancelPublished runs once p's publishing settled.
func (e *Executor) cancelPublished(p *pending, op string) {
	<-p.published
	e.mu.Lock()
	seq := p.seq
	e.mu.Unlock()
	if seq == 0 {
		return // never stored: ended when publishing gave up
	}
	reply, err := e.nc.Request(controlSubject(e.run, p.job.id), []byte(op), e.cfg.CancelWait)
	if err == nil && string(reply.Data) == ctlHeld {
		// Its agent answers. Should that agent die first, the task is
		// taken for queued after a lease or two.
		e.tasks.Go(func() { e.cancelIfUnanswered(p, op) })
		return
	}
	e.cancelQueued(p, op)
}

// cancelQueued answers p "canceled", unless it has a result already (the
// first written wins), then deletes its message and tells any agent that
// took it meanwhile to stop.
func (e *Executor) cancelQueued(p *pending, op string) {
	o := taskOutcome{Status: supervisor.StatusCanceled.String(), Error: encodeError(errCanceledQueued)}
	if err := writeResult(context.Background(), e.js, p.job, sameForAll(p.job, 0, o), e.quit); err != nil {
		e.log.Warn("could not cancel a task", "job", p.job.id, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*e.h.topo.AckWait)
	defer cancel()
	_ = e.h.tasks.DeleteMsg(ctx, p.seq)
	_ = e.nc.Publish(controlSubject(e.run, p.job.id), []byte(op))
}

// cancelIfUnanswered takes p for queued if its agent, which said it held
// it, has not answered within two leases: it died or was cut off, and the
// task may be delivered again to an agent that knows nothing of the cancel.
func (e *Executor) cancelIfUnanswered(p *pending, op string) {
	t := time.NewTimer(2 * e.h.topo.AckWait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.answered():
		return
	}
	e.cancelQueued(p, op)
}
