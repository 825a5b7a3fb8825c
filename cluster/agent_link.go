package cluster

import (
	"context"
	"sync"
	"time"
)

// A link is whether this agent can reach JetStream: the last time an API
// round trip succeeded, and whether the agent has fenced itself off.
type link struct {
	mu     sync.Mutex
	lastOK time.Time
	fenced bool
	back   chan struct{} // closed when a fence is lifted
	lost   chan struct{} // closed when the agent fences itself off
}

func (l *link) init() { l.lastOK, l.lost = time.Now(), make(chan struct{}) }

// lostOrDone returns a channel closed once the agent fences itself off (or
// is fenced now), or done closes, or ctx ends.
func (l *link) lostOrDone(ctx context.Context, done <-chan struct{}) <-chan struct{} {
	l.mu.Lock()
	lost := l.lost
	l.mu.Unlock()
	out := make(chan struct{})
	go func() {
		defer close(out)
		select {
		case <-lost:
		case <-done:
		case <-ctx.Done():
		}
	}()
	return out
}

func (l *link) ok() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.fenced
}

// wait blocks while the agent is fenced off; false if ctx ended or stop
// closed first.
func (l *link) wait(ctx context.Context, stop <-chan struct{}) bool {
	l.mu.Lock()
	back := l.back
	fenced := l.fenced
	l.mu.Unlock()
	if !fenced {
		return true
	}
	select {
	case <-back:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}

// report records one probe's outcome and says whether the agent must now
// fence itself off (true once, when it starts).
func (l *link) report(ok bool, now time.Time, limit time.Duration) (fence, lifted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case ok:
		l.lastOK = now
		if l.fenced {
			l.fenced = false
			close(l.back)
			l.lost = make(chan struct{})
			return false, true
		}
	case !l.fenced && now.Sub(l.lastOK) > limit:
		l.fenced = true
		l.back = make(chan struct{})
		close(l.lost)
		return true, false
	}
	return false, false
}

// watchLink probes JetStream every sixth of the lease. Once the agent has
// been without it for half the lease, it kills its running workers: their
// tasks are about to be redelivered to agents that can still answer, and a
// task must not go on running in two places for long. Until the link is
// back, the agent takes no task.
func (a *Agent) watchLink(ctx context.Context) {
	lease := a.cfg.Topology.AckWait
	t := time.NewTicker(lease / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		probe, cancel := context.WithTimeout(ctx, lease/4)
		_, err := a.h.cons.Info(probe)
		cancel()
		if ctx.Err() != nil {
			return
		}
		fence, lifted := a.link.report(err == nil, time.Now(), lease/2)
		switch {
		case fence:
			n := a.cancelHeld(errFenced, func(*job) bool { return true })
			a.log.Warn("jetstream unreachable for half the lease: fenced off", "killed", n, "err", err)
		case lifted:
			a.log.Info("jetstream reachable again: taking tasks")
		}
	}
}
