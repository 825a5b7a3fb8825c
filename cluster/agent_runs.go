package cluster

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// runs is what an agent knows of the runs whose tasks it sees: whether
// each one's client still renews its lease.
//
// A run is judged by what this agent sees, not by the lease message's age
// in the stream: a client cannot renew while the stream cannot take writes
// (a host frozen, killed, cut off: its leader lost its quorum), and a lease
// that aged out meanwhile would drop a live run, and its tasks, once the
// stream is back. Reads alone say nothing of that: a leader without a
// quorum still answers them. So the agent writes too, a probe of its own to
// the same stream, and a run is gone when its client ended it, or when its
// lease has not changed for a whole lease while the agent's own writes went
// through steadily: long enough for its client to have renewed twice since
// writes came back.
type runs struct {
	js     jetstream.JetStream
	leases jetstream.Stream
	lease  time.Duration

	mu     sync.Mutex
	seen   map[string]runState
	purged map[string]bool
	steady time.Time // since when every check got its answers; zero after one did not
	probed time.Time // when the last probe went through
}

// probeSubject is where agents write their probes: a lease no run has.
const probeSubject = subjectRuns + "agent-probe"

// maxRunsSeen is how many runs an agent remembers before it forgets those
// it has not seen for ten leases.
const maxRunsSeen = 1024

type runState struct {
	alive   bool
	seq     uint64    // the lease message last seen
	changed time.Time // when it was first seen, or last changed
	missing time.Time // when checks began finding no lease; zero while one is found
	checked time.Time
}

func (r *runs) init(js jetstream.JetStream, leases jetstream.Stream, lease time.Duration) {
	r.js, r.leases, r.lease = js, leases, lease
	r.seen, r.purged = map[string]runState{}, map[string]bool{}
}

// alive says whether run's client holds its lease, asking JetStream at
// most every third of the lease. When it cannot tell, the run is alive.
func (r *runs) alive(run string) bool {
	r.mu.Lock()
	st, ok := r.seen[run]
	r.mu.Unlock()
	if ok && (!st.alive || time.Since(st.checked) < r.lease/3) {
		return st.alive
	}
	return r.check(run)
}

// check asks JetStream for run's lease, after a write of its own, and
// judges the run.
func (r *runs) check(run string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), r.lease/3)
	defer cancel()
	err := r.probe(ctx)
	var m *jetstream.RawStreamMsg
	if err == nil {
		m, err = r.leases.GetLastMsgForSubject(ctx, subjectRuns+run)
	}
	return r.observe(run, m, err, time.Now())
}

// probe writes to the leases' stream, at most every sixth of the lease.
func (r *runs) probe(ctx context.Context) error {
	r.mu.Lock()
	fresh := time.Since(r.probed) < r.lease/6
	r.mu.Unlock()
	if fresh {
		return nil
	}
	if _, err := r.js.Publish(ctx, probeSubject, nil); err != nil {
		return err
	}
	r.mu.Lock()
	r.probed = time.Now()
	r.mu.Unlock()
	return nil
}

// observe records what a check of run's lease found at now: m, or err (the
// probe's or the read's).
func (r *runs) observe(run string, m *jetstream.RawStreamMsg, err error, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, known := r.seen[run]
	if !known {
		st = runState{alive: true, changed: now}
	}
	notFound := errors.Is(err, jetstream.ErrMsgNotFound)
	if err != nil && !notFound {
		r.steady = time.Time{} // no write or no answer: judge nothing until steady again
		r.probed = time.Time{}
		return st.alive
	}
	if r.steady.IsZero() {
		r.steady = now
	}
	if notFound {
		m = nil
	}
	st = r.judge(st, m, now)
	r.seen[run] = st
	r.forget(now)
	return st.alive
}

// judge updates a run's state with what a check found: m, or nothing.
func (r *runs) judge(st runState, m *jetstream.RawStreamMsg, now time.Time) runState {
	steady := now.Sub(r.steady) >= 2*r.lease/3
	st.checked = now
	switch {
	case m == nil:
		if st.missing.IsZero() {
			st.missing = now
		}
		st.alive = st.alive && !(steady && now.Sub(st.missing) >= r.lease/3)
	case m.Header.Get(hdrRunState) == runEnded:
		st.alive = false
	default:
		st.missing = time.Time{}
		if m.Sequence != st.seq {
			st.seq, st.changed = m.Sequence, now
		}
		st.alive = st.alive && !(steady && now.Sub(st.changed) > r.lease)
	}
	return st
}

// forget drops what is known of runs not seen for ten leases, once there
// are many; the caller holds r.mu.
func (r *runs) forget(now time.Time) {
	if len(r.seen) <= maxRunsSeen {
		return
	}
	for k, st := range r.seen {
		if now.Sub(st.checked) > 10*r.lease {
			delete(r.seen, k)
			delete(r.purged, k)
		}
	}
}

// purge removes the queued tasks of a dead run, once.
func (r *runs) purge(tasks jetstream.Stream, run string) {
	r.mu.Lock()
	done := r.purged[run]
	r.purged[run] = true
	r.mu.Unlock()
	if done {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.lease/3)
	defer cancel()
	_ = tasks.Purge(ctx, jetstream.WithPurgeSubject(subjectTasks+run+".>"))
}

// watchRuns checks, every third of the run lease, the runs of the tasks
// this agent holds; the tasks of a run whose client is gone are cancelled
// without a result, and its queued tasks purged.
func (a *Agent) watchRuns(ctx context.Context) {
	t := time.NewTicker(a.cfg.Topology.RunLease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, run := range a.heldRuns() {
			if a.runs.check(run) {
				continue
			}
			n := a.cancelHeld(errRunGone, func(j *job) bool { return j.run == run })
			a.log.Info("run's client gone: dropping its tasks", "run", run, "running", n)
			a.runs.purge(a.h.tasks, run)
		}
	}
}

func (a *Agent) heldRuns() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	set := map[string]bool{}
	var out []string
	for _, h := range a.held {
		if !set[h.job.run] {
			set[h.job.run] = true
			out = append(out, h.job.run)
		}
	}
	return out
}
