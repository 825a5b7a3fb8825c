//go:build unix

package supervisor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/procpool/supervisor/worker"
)

// How a stress run ends: thaw what it froze, sometimes drain and check the
// pool is back to size, then Stop (gentle, with a deadline, or forced),
// sometimes with Submit racing it.

// drainBound bounds how long the tasks of a run may take to end once its
// operations are over: far more than any of them needs.
const drainBound = 30 * time.Second

// end ends the run. It returns Stop's error, and whether Stop returned
// within its bound.
func (r *stressRun) end() (error, bool) {
	r.thawAll()
	if r.rng.IntN(10) < 6 {
		r.setPaused(false)
		if r.drain() {
			r.checkSize()
		}
	}
	ctx, cancel, bound := r.stopContext()
	defer cancel()
	stopped := make(chan struct{})
	if r.rng.IntN(2) == 0 {
		r.bg.Go(func() { r.submitLate(stopped) })
	}
	var err error
	go func() { err = stopPool(r.p, ctx); close(stopped) }()
	if within(stopped, bound) {
		return err, true
	}
	r.violate("stop-slow", "Stop did not return within %v\n%s", bound, allStacks())
	r.unstick()
	if !within(stopped, 30*time.Second) {
		r.violate("stop-hang", "Stop did not return even after its workers were killed and its tasks cancelled")
		return nil, false
	}
	return err, true
}

// stopContext picks how the run stops: gently (no deadline), with a
// deadline, or forced (a context already done). bound is how long Stop may
// take: the context's deadline plus the grace, and a slack for a busy
// machine; a gentle stop may walk the whole kill ladder.
func (r *stressRun) stopContext() (context.Context, context.CancelFunc, time.Duration) {
	const slack = 5 * time.Second
	g := r.cfg.grace
	switch r.rng.IntN(3) {
	case 0:
		return context.Background(), func() {}, 4*g + 2*slack
	case 1:
		d := time.Duration(10+r.rng.IntN(500)) * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), d)
		return ctx, cancel, d + g + slack
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel, g + slack
}

// drain waits for every task of the run to end, and says whether they did.
func (r *stressRun) drain() bool {
	end := time.Now().Add(drainBound)
	for _, tr := range r.snapshot() {
		if !within(tr.h.done(), time.Until(end)) {
			r.violate("drain", "task %d (%s %q, %s) has no result %v after the operations ended:\n%s\n%s",
				tr.h.f.ID(), tr.name, tr.input, tr.kind, drainBound, r.openTasks(), allStacks())
			return false
		}
	}
	for _, m := range r.mapSnapshot() {
		if !within(m.done, time.Until(end)) {
			r.violate("drain", "a Map call of %d inputs has not returned %v after the operations ended\n%s\n%s", m.inputs, drainBound, r.p.debugDump(), allStacks())
			return false
		}
	}
	return true
}

// checkSize checks, once the run has drained, that the pool is back to its
// size: every worker position has a live worker and, in process mode,
// there are that many worker processes and the warm spares.
func (r *stressRun) checkSize() {
	r.mu.Lock()
	size := r.size
	r.mu.Unlock()
	want := size + max(r.cfg.spares, 0)
	end := time.Now().Add(10 * time.Second)
	for {
		ready, procs := readyWorkers(r.p), len(workerChildren())
		if ready == size && (r.cfg.mode == ModeThread || procs == want) {
			return
		}
		if time.Now().After(end) {
			r.violate("size", "pool not back to size 10s after draining: %d workers ready, want %d; %d worker processes, want %d (with spares); workers: %+v",
				ready, size, procs, want, r.p.Stats().Workers)
			return
		}
		time.Sleep(5 * time.Millisecond) // polling: the pool's size has no event
	}
}

// submitLate submits tasks while Stop runs, until it returns: each must
// still get exactly one result.
func (r *stressRun) submitLate(stopped <-chan struct{}) {
	for i := 0; i < 500 && !isDone(stopped); i++ {
		t := worker.Task{Name: "echo", Input: []byte(fmt.Sprintf("late-%d", i))}
		r.track(&tracked{h: submit(r.p, context.Background(), t), kind: "submit-late", name: t.Name, input: string(t.Input)})
	}
}

// unstick gets a hung Stop going, so that the suite can go on: it kills
// every worker process and cancels every task.
func (r *stressRun) unstick() {
	r.thawAll()
	killAll(ourChildren())
	for _, tr := range r.snapshot() {
		cancelFuture(tr.h)
	}
}

func (r *stressRun) snapshot() []*tracked {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracked(nil), r.tracked...)
}

func (r *stressRun) mapSnapshot() []*trackedMap {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*trackedMap(nil), r.maps...)
}

// openTasks lists the tasks without a result, for a failure's message.
func (r *stressRun) openTasks() string {
	var b strings.Builder
	n := 0
	for _, tr := range r.snapshot() {
		if isDone(tr.h.done()) {
			continue
		}
		if n++; n <= 10 {
			fmt.Fprintf(&b, "  task %d (%s %q) by %s, cancelled %v\n", tr.h.f.ID(), tr.name, tr.input, tr.kind, !tr.cancelled.IsZero())
		}
	}
	fmt.Fprintf(&b, "  %d tasks without a result; workers: %+v", n, r.p.Stats().Workers)
	return b.String()
}
