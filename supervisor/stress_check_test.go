//go:build unix

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.uber.org/goleak"
)

// The checks after every stress run: what a demanding user expects of the
// pool once Stop has returned.

// check runs them all. stopped says whether Stop returned; if not, only
// what can still be checked is.
func (r *stressRun) check(stopErr error, stopped bool, before []int, leaks goleak.Option) {
	if stopped {
		if stopErr != nil {
			r.violate("gave-up", "Stop: %v", stopErr)
		}
		r.checkResults()
		r.checkCounts()
	}
	r.checkProcesses(before)
	r.checkTemp()
	if err := findLeaks(leaks); err != nil {
		r.violate(r.leakClass(err), "%s", leakSummary(err))
	}
}

// checkResults checks each future: done once Stop has returned, with a
// result consistent with what was done to it; and each Map call returned.
func (r *stressRun) checkResults() {
	_, _, badRetry := r.ev.results()
	for _, s := range badRetry {
		r.violate("retried-own-error", "%s", s)
	}
	for _, tr := range r.snapshot() {
		if !isDone(tr.h.done()) {
			r.violate("stranded", "Stop returned, but task %d (%s %q, %s, cancelled %v) has no result", tr.h.f.ID(), tr.name, tr.input, tr.kind, !tr.cancelled.IsZero())
			continue
		}
		r.checkResult(tr, tr.h.result())
		tr.h.release()
	}
	for _, m := range r.mapSnapshot() {
		if !within(m.done, 5*time.Second) {
			r.violate("stranded", "Stop returned, but a Map call of %d inputs has not returned 5s later", max(m.inputs, len(m.echo)))
			continue
		}
		if len(m.out) != m.yields {
			r.violate("map", "Map yielded %d results, want %d", len(m.out), m.yields)
		}
		for i, o := range m.out {
			switch {
			case errors.Is(o.Err, ErrQuarantined):
				r.violate(blameClass(o.Err), "Map input %d (echo or sleep) quarantined: %v", i, o.Err)
			case errors.Is(o.Err, ErrKilled):
				r.violate("killed-ended", "Map input %d ended by a kill on request: %v", i, o.Err)
			case m.echo != nil && o.Err == nil && string(o.Output) != m.echo[i]:
				r.violate("map", "Map input %d (echo %q) yielded %q", i, m.echo[i], o.Output)
			}
		}
	}
}

// checkResult checks one task's result against what it was and what was
// done to it.
func (r *stressRun) checkResult(tr *tracked, res Result) {
	id := tr.h.f.ID()
	switch {
	case (res.Status == StatusOK) != (res.Err == nil):
		r.violate("inconsistent", "task %d (%s): status %v with error %v", id, tr.name, res.Status, res.Err)
	case res.Status == StatusQuarantined && !tr.faulty:
		r.violate(blameClass(res.Err), "task %d (%s %q, %s) killed no worker and was quarantined: %v", id, tr.name, tr.input, tr.kind, res.Err)
	case res.Status == StatusFailed && tr.name == "fail" && res.Err.Error() != tr.input:
		r.violate("inconsistent", "task %d (fail %q) failed with %q, not its own error", id, tr.input, res.Err)
	case errors.Is(res.Err, ErrKilled):
		// A kill on request runs the worker's tasks again; it never ends one.
		r.violate("killed-ended", "task %d (%s %q, %s) ended %v by a kill on request: %v", id, tr.name, tr.input, tr.kind, res.Status, res.Err)
	case tr.queuedAtCancel && (res.Status != StatusCanceled || !errors.Is(res.Err, context.Canceled)):
		r.violate("cancel-queued", "task %d (%s) cancelled while queued ended %v: %v", id, tr.name, res.Status, res.Err)
	case res.Status == StatusOK && tr.name == "echo" && string(res.Output) != tr.input:
		r.violate("inconsistent", "task %d (echo %q) returned %q", id, tr.input, res.Output)
	}
}

// blameClass tells two causes of an innocent task's quarantine apart by
// how the last worker it was charged with died: "blame" when by a fault
// task's crash (another task's death charged to it: finding 8), and
// "blame:outside-kill" when by SIGKILL, which only the run sends from
// outside (two outside kills hit the task's workers; the supervisor cannot
// tell those from a task that kills its workers, and charges it).
func blameClass(err error) string {
	var we *WorkerError
	if errors.As(err, &we) && we.Signal == syscall.SIGKILL {
		return "blame:outside-kill"
	}
	return "blame"
}

// checkCounts checks that every task got exactly one result event, and
// that the pool's counters agree with them.
func (r *stressRun) checkCounts() {
	byID, byStatus, _ := r.ev.results()
	for id, n := range byID {
		if n != 1 {
			r.violate("twice", "task %d got %d results", id, n)
		}
	}
	want := r.taskCount()
	if len(byID) != want {
		r.violate("counts", "%d tasks have a result event, %d were submitted", len(byID), want)
	}
	got := statusCounts(r.p)
	if !maps.Equal(got, byStatus) {
		r.violate("counts", "Counts() %v, but the result events say %v", got, byStatus)
	}
}

// checkProcesses checks that no worker process of the run is left.
func (r *stressRun) checkProcesses(before []int) {
	left := newChildren(before)
	if len(left) == 0 {
		return
	}
	r.violate("leak:process", "worker processes %v alive after Stop returned", left)
	killAll(left)
	waitGone(left, 5*time.Second)
}

// checkTemp checks that the run left nothing in its TMPDIR, and empties it.
func (r *stressRun) checkTemp() {
	entries, err := os.ReadDir(r.tmp)
	if err != nil {
		r.violate("leak:tmp", "read the run's TMPDIR: %v", err)
		return
	}
	if len(entries) == 0 {
		return
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	r.violate("leak:tmp", "%d entries left in TMPDIR after Stop: %s", len(names), fmt.Sprint(cut(names, 5)))
	for _, n := range names {
		_ = os.RemoveAll(r.tmp + "/" + n)
	}
}

// leakPatience is how long goroutines may take to end after Stop: a
// thread-mode kill's watch lasts twice the grace, an abandoned task's
// goroutine its task. goleak alone waits about half a second.
const leakPatience = 5 * time.Second

// findLeaks is goleak.Find, retried until leakPatience has passed.
func findLeaks(opts ...goleak.Option) error {
	end := time.Now().Add(leakPatience)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(end) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // goroutines ending signal nothing we can wait on
	}
}

// leakSummary counts goleak's leaked goroutines by the function on top of
// their stacks, and keeps the first one's stack whole.
func leakSummary(err error) string {
	msg := err.Error()
	tops := map[string]int{}
	for _, m := range topOfStack.FindAllStringSubmatch(msg, -1) {
		tops[m[1]]++
	}
	var b strings.Builder
	for _, f := range slices.Sorted(maps.Keys(tops)) {
		fmt.Fprintf(&b, "%d goroutines with %s on top; ", tops[f], f)
	}
	first := msg
	if i := strings.Index(msg[1:], " Goroutine "); i > 0 {
		first = msg[:i+1]
	}
	return b.String() + "the first:\n" + first
}

// leakClass says whose goroutines leaked: gRPC's in a thread-mode run
// are an earlier process-mode run's (a dead worker's connection that keeps
// reconnecting), seen late.
func (r *stressRun) leakClass(err error) string {
	if r.cfg.mode == ModeThread {
		rest := topOfStack.ReplaceAllStringFunc(err.Error(), func(m string) string {
			if strings.Contains(m, "google.golang.org/grpc") {
				return ""
			}
			return m
		})
		if !topOfStack.MatchString(rest) {
			return "leak:goroutine(earlier run)"
		}
	}
	return "leak:goroutine"
}

var topOfStack = regexp.MustCompile(`with (\S+) on top of the stack`)

// cut keeps the first n of s.
func cut(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... %d more", len(s)-n))
	}
	return s
}
