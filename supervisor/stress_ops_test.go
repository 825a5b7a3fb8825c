//go:build unix

package supervisor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/procpool/supervisor/worker"
)

// The stress suite's operations on the public API, chosen with weights.
// Fault injection from outside the pool is in stress_faults_test.go.

// An operation is one kind of thing an actor does to the pool.
type operation struct {
	name   string
	weight func(r *stressRun) int // 0: not possible in this run now
	do     func(r *stressRun, rng *rand.Rand)
}

var operations = []operation{
	{"submit", always(30), opSubmit},
	{"submit-deadline", always(10), opSubmitDeadline},
	{"submit-fault", processOnly(2), opSubmitFault},
	{"cancel", always(10), opCancel},
	{"map", always(5), opMap},
	{"map-storm", always(3), opMapStorm},
	{"kill-on-request", always(4), opKill},
	{"outside-sigkill", processOnly(4), opOutsideKill},
	{"outside-sigstop", processOnly(2), opOutsideStop},
	{"outside-sigcont", processOnly(3), opOutsideCont},
	{"kill-at-start", processOnly(1), opKillAtStart},
	{"add-worker", always(2), opAddWorker},
	{"remove-worker", always(2), opRemoveWorker},
	{"pause", func(r *stressRun) int { return map[bool]int{false: 1, true: 0}[r.isPaused()] }, opPause},
	{"resume", func(r *stressRun) int { return map[bool]int{false: 0, true: 8}[r.isPaused()] }, opResume},
}

func always(w int) func(*stressRun) int { return func(*stressRun) int { return w } }

func processOnly(w int) func(*stressRun) int {
	return func(r *stressRun) int {
		if r.cfg.mode == ModeProcess {
			return w
		}
		return 0
	}
}

// pick chooses an operation by weight.
func (r *stressRun) pick(rng *rand.Rand) operation {
	total := 0
	weights := make([]int, len(operations))
	for i, op := range operations {
		weights[i] = op.weight(r)
		total += weights[i]
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return operations[i]
		}
		n -= w
	}
	panic("unreachable")
}

// plainTask is a task that kills no worker: ok, its own error, a panic, a
// short sleep, or (rarely) a spin that ignores cancellation.
func (r *stressRun) plainTask(rng *rand.Rand) worker.Task {
	switch n := rng.IntN(20); {
	case n < 7:
		return worker.Task{Name: "echo", Input: []byte("e" + strconv.Itoa(rng.IntN(1000)))}
	case n < 12:
		return worker.Task{Name: "sleep", Input: []byte(fmt.Sprintf("%dms", 1+rng.IntN(20)))}
	case n < 15:
		return worker.Task{Name: "fail", Input: []byte("own-" + strconv.Itoa(rng.IntN(1000)))}
	case n < 17:
		return worker.Task{Name: "panic", Input: []byte("p" + strconv.Itoa(rng.IntN(1000)))}
	case n < 19:
		return worker.Task{Name: "counter"}
	}
	return worker.Task{Name: "spin", Input: []byte(fmt.Sprintf("%dms", 10+rng.IntN(70)))}
}

// opSubmit submits a plain task. It notes whether dispatch was paused
// then (under the run's lock, which resuming also takes): such a task is
// surely still queued until the next resume.
func opSubmit(r *stressRun, rng *rand.Rand) {
	t := r.plainTask(rng)
	tr := &tracked{kind: "submit", name: t.Name, input: string(t.Input)}
	r.mu.Lock()
	tr.h = submit(r.p, context.Background(), t)
	tr.pausedIn = r.pauseEpoch
	if !r.paused {
		tr.pausedIn = -1
	}
	r.tracked = append(r.tracked, tr)
	r.mu.Unlock()
}

// opSubmitDeadline submits a task with a deadline of its own, sometimes
// one that hangs (process mode), which only the kill ladder ends.
func opSubmitDeadline(r *stressRun, rng *rand.Rand) {
	t := r.plainTask(rng)
	if r.cfg.mode == ModeProcess && rng.IntN(4) == 0 {
		t = worker.Task{Name: "hang"}
	}
	d := time.Duration(1+rng.IntN(40)) * time.Millisecond
	r.track(&tracked{h: submitDeadline(r.p, d, t), kind: "submit-deadline", name: t.Name, input: string(t.Input)})
}

// opSubmitFault submits a task that kills its worker (process mode only:
// in thread mode it would kill the test).
func opSubmitFault(r *stressRun, rng *rand.Rand) {
	name := []string{"crash", "segv"}[rng.IntN(2)]
	r.fault()
	r.track(&tracked{h: submit(r.p, context.Background(), worker.Task{Name: name}), kind: "submit-fault", name: name, faulty: true})
}

// opCancel cancels a task without a result yet, and watches that the
// cancellation takes effect: a queued task ends at once, a running one
// within the kill ladder.
func opCancel(r *stressRun, rng *rand.Rand) {
	r.mu.Lock()
	var open []*tracked
	for _, tr := range r.tracked {
		if tr.cancelled.IsZero() && !isDone(tr.h.done()) {
			open = append(open, tr)
		}
	}
	if len(open) == 0 {
		r.mu.Unlock()
		return
	}
	tr := open[rng.IntN(len(open))]
	tr.cancelled = time.Now()
	// Cancelled while dispatch stayed paused since its submission: it was
	// queued, so it must end canceled.
	tr.queuedAtCancel = r.paused && tr.pausedIn == r.pauseEpoch
	cancelFuture(tr.h)
	r.mu.Unlock()
	bound := 3*r.cfg.grace + 5*time.Second
	r.bg.Go(func() {
		if !within(tr.h.done(), bound) {
			r.violate("cancel-ignored", "task %d (%s %q) cancelled, no result %v later (paused: %v)", tr.h.f.ID(), tr.name, tr.input, bound, r.isPaused())
		}
	})
}

// opMap calls Map in the background, sometimes under a deadline.
func opMap(r *stressRun, rng *rand.Rand) {
	name, in := "echo", make([][]byte, 1+rng.IntN(40))
	if rng.IntN(3) == 0 {
		name = "sleep"
	}
	for i := range in {
		in[i] = []byte("m" + strconv.Itoa(i))
		if name == "sleep" {
			in[i] = []byte(fmt.Sprintf("%dms", 1+rng.IntN(3)))
		}
	}
	chunk := 1 + rng.IntN(10)
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if rng.IntN(10) < 3 {
		ctx, cancel = context.WithTimeout(ctx, time.Duration(5+rng.IntN(200))*time.Millisecond)
	}
	m := &trackedMap{inputs: len(in), yields: len(in), done: make(chan struct{})}
	r.mu.Lock()
	r.maps = append(r.maps, m)
	r.mu.Unlock()
	// Not in r.bg: a stranded chunk keeps Map from ever returning, and the
	// checks say so instead of hanging on it.
	go func() {
		defer cancel()
		m.out, m.err = mapTasks(r.p, ctx, name, in, chunk)
		close(m.done)
	}()
}

// opMapStorm runs a few streams of Map calls at once, each call over
// distinct echo inputs in chunks of one to three, so that each call reuses
// its chunks many times over; some calls stop early, by a break or by
// cancelling their context from the loop, which cancels chunks in flight
// and splits some. Chunk reuse once let a late resolver wake the caller
// for the chunk's next use (TestMapReusedChunksKeepTheirResults), which
// only this shape of use shows, and rarely. The checks compare every
// output with its input.
func opMapStorm(r *stressRun, rng *rand.Rand) {
	for range 2 + rng.IntN(3) {
		var calls []func()
		for range 1 + rng.IntN(6) {
			calls = append(calls, r.stormCall(rng))
		}
		go func() { // not in r.bg: see opMap
			for _, call := range calls {
				call()
			}
		}()
	}
}

// stormCall prepares one call of a Map storm, tracked from now on.
func (r *stressRun) stormCall(rng *rand.Rand) func() {
	n := 1 + rng.IntN(60)
	m := &trackedMap{echo: make([]string, n), yields: n, done: make(chan struct{})}
	in := make([][]byte, n)
	for i := range in {
		m.echo[i] = fmt.Sprintf("s%d.%d", rng.IntN(1_000_000), i)
		in[i] = []byte(m.echo[i])
	}
	brk, cancelAt := -1, -1
	switch rng.IntN(4) {
	case 0:
		brk = rng.IntN(n)
		m.yields = brk + 1
	case 1:
		cancelAt = rng.IntN(n)
	}
	chunk := 1 + rng.IntN(3)
	r.mu.Lock()
	r.maps = append(r.maps, m)
	r.mu.Unlock()
	return func() {
		m.out = mapUntil(r.p, "echo", in, chunk, brk, cancelAt, &m.read)
		close(m.done)
	}
}

func opKill(r *stressRun, rng *rand.Rand) {
	ids := r.liveIDs()
	if len(ids) == 0 {
		return
	}
	var err error
	if !r.call("Kill", func() { err = killWorker(r.p, ids[rng.IntN(len(ids))]) }) {
		return
	}
	if err == nil {
		r.fault()
	}
}

func opAddWorker(r *stressRun, _ *rand.Rand) {
	r.mu.Lock()
	full := r.size >= 6
	r.mu.Unlock()
	if full {
		return
	}
	var id int
	var err error
	if !r.call("AddWorker", func() { id, err = addWorker(r.p) }) {
		return
	}
	if err == nil {
		r.mu.Lock()
		r.size++
		delete(r.retired, id) // today's ids are reused (finding 7)
		r.mu.Unlock()
	}
}

func opRemoveWorker(r *stressRun, rng *rand.Rand) {
	ids := r.liveIDs()
	if len(ids) == 0 {
		return
	}
	id := ids[rng.IntN(len(ids))]
	var err error
	if !r.call("RemoveWorker", func() { err = removeWorker(r.p, id) }) {
		return
	}
	if err == nil {
		r.mu.Lock()
		// Removing a worker that is already retiring succeeds again
		// without shrinking the pool further.
		if !r.retired[id] {
			r.size--
		}
		r.retired[id] = true
		r.mu.Unlock()
	}
}

func opPause(r *stressRun, _ *rand.Rand)  { r.setPaused(true) }
func opResume(r *stressRun, _ *rand.Rand) { r.setPaused(false) }

func (r *stressRun) setPaused(p bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	setPaused(r.p, p)
	if r.paused && !p {
		r.pauseEpoch++
	}
	r.paused = p
}

func (r *stressRun) isPaused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused
}

// liveIDs lists the ids of the workers not retired.
func (r *stressRun) liveIDs() []int {
	var ids []int
	for id, st := range workerStates(r.p) {
		if st != StateStopped {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // the seed decides which, not the map's order
	return ids
}
