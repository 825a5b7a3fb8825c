//go:build unix

package supervisor

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// A stressRun is one run of the stress suite: a pool, random operations
// on it from a few concurrent actors, then Stop and the checks.
type stressRun struct {
	t    *testing.T
	seed uint64
	rng  *rand.Rand // the run's own choices; actors have their own
	cfg  poolConfig
	p    *Supervisor
	ev   eventLog
	base string // where the run makes its TMPDIR
	tmp  string // this run's TMPDIR

	wedge atomic.Bool    // a call hung: the actors stop
	bg    sync.WaitGroup // every goroutine of ours that the run starts

	mu         sync.Mutex
	tracked    []*tracked
	maps       []*trackedMap
	size       int          // workers the pool should have
	retired    map[int]bool // ids removed (and not given again by AddWorker)
	sigstopped []int        // worker PIDs sent SIGSTOP and not yet SIGCONT
	paused     bool
	pauseEpoch int // resumes so far
	startKills int // workers killed as they started
	figures    stressFigures
	violations []violation
}

// A tracked task is a submitted future and what was done to it.
type tracked struct {
	h         *handle
	kind      string // which operation submitted it
	name      string
	input     string
	faulty    bool      // a fault task: the only kind allowed to be quarantined
	cancelled time.Time // when the run cancelled it, if it did
	// pausedIn is the pause it was submitted in (-1: not paused), and
	// queuedAtCancel whether it was cancelled in that same pause, so
	// surely before any worker took it.
	pausedIn       int
	queuedAtCancel bool
}

// A trackedMap is one Map call.
type trackedMap struct {
	inputs int // its inputs; 0 when they are counted in read instead
	yields int // what it must yield: its inputs, or up to the break
	done   chan struct{}
	out    []mapOutcome
	err    error
	// Of a storm's calls (opMapStorm): the inputs, each echoed, and how
	// many Map took, which after an early break only Map knows.
	echo []string
	read atomic.Int64
}

// tasks is how many tasks the call made.
func (m *trackedMap) tasks() int {
	if m.echo != nil {
		return int(m.read.Load())
	}
	return m.inputs
}

// A violation is one broken promise, with its class for the tally.
type violation struct {
	class, detail string
}

func newStressRun(t *testing.T, seed uint64, base string) *stressRun {
	r := &stressRun{t: t, seed: seed, base: base, rng: rand.New(rand.NewPCG(seed, 0))}
	r.cfg = r.chooseConfig()
	r.size, r.retired = r.cfg.workers, map[int]bool{}
	r.figures.runs = 1
	return r
}

// chooseConfig picks the pool's configuration from the run's seed.
func (r *stressRun) chooseConfig() poolConfig {
	c := poolConfig{workers: 1 + r.rng.IntN(4), grace: time.Duration(50+r.rng.IntN(250)) * time.Millisecond, maxRestarts: 1000}
	c.mode = ModeThread
	if process := r.rng.IntN(10) < 6; *stressMode == "process" || (process && *stressMode != "thread") {
		c.mode = ModeProcess
		c.ipc = []IPC{IPCFrame, IPCStream, IPCGRPC}[r.rng.IntN(3)]
		c.spares = []int{-1, 1, 2}[r.rng.IntN(3)]
		if r.rng.IntN(10) < 4 {
			c.inFlight = 2 + r.rng.IntN(7)
		}
	}
	if r.rng.IntN(10) < 3 {
		c.maxTasks = 3 + r.rng.IntN(18)
	}
	if r.rng.IntN(10) < 3 {
		c.timeout = time.Duration(200+r.rng.IntN(800)) * time.Millisecond
	}
	c.onEvent = r.ev.event
	return c
}

func (r *stressRun) cfgString() string {
	c := r.cfg
	s := c.mode.String()
	if c.mode == ModeProcess {
		s += fmt.Sprintf("/%s spares=%d in-flight=%d", c.ipc, max(c.spares, 0), max(c.inFlight, 1))
	}
	return s + fmt.Sprintf(" workers=%d grace=%v timeout=%v max-tasks=%d", c.workers, c.grace, c.timeout, c.maxTasks)
}

// execute runs the whole run: start, operations, end, checks.
func (r *stressRun) execute() {
	leaks := goleak.IgnoreCurrent()
	before := ourChildren()
	if !r.start() {
		return
	}
	r.act()
	stopErr, ok := r.end()
	r.bg.Wait()
	r.check(stopErr, ok, before, leaks)
	r.figures.tasks = r.taskCount()
}

// start makes the run's TMPDIR and the pool (sometimes with a worker
// killed as it starts).
func (r *stressRun) start() bool {
	var err error
	if r.tmp, err = os.MkdirTemp(r.base, "r"); err != nil { // short: a worker's socket path must fit in 108 bytes
		r.t.Fatal(err)
	}
	r.t.Setenv("TMPDIR", r.tmp)
	var stopBirthKill func()
	if r.cfg.mode == ModeProcess && r.rng.IntN(10) == 0 {
		stopBirthKill = r.killAtBirth()
	}
	started := r.call("New", func() { r.p, err = newTestPool(r.cfg) })
	if stopBirthKill != nil {
		stopBirthKill()
	}
	switch {
	case !started:
		r.wedged()
		return false
	case err != nil:
		r.violate("new", "New failed: %v", err)
		r.bg.Wait()
		return false
	}
	return true
}

// callBound bounds every call of the API that blocks: far longer than a
// worker's start-up (StartTimeout is 30s) or a kill ladder takes.
const callBound = 40 * time.Second

// call runs fn, a call of the API that blocks, within callBound. A call
// that does not return is a hang: it is reported with every goroutine's
// stack, left behind, and the run goes on to its end.
func (r *stressRun) call(what string, fn func()) bool {
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	if within(done, callBound) {
		return true
	}
	r.violate("hang", "%s did not return within %v\n%s", what, callBound, allStacks())
	r.wedge.Store(true)
	return false
}

// wedged cleans up after a run whose New hung: its worker processes are
// killed, so that the next run starts clean.
func (r *stressRun) wedged() {
	killAll(ourChildren())
	r.bg.Wait()
}

// act runs the actors until their operations or the run's time run out.
// Each actor has its own share of the operations and its own random
// source, so that the seed fixes what each one does, whatever the timing.
func (r *stressRun) act() {
	until := time.Now().Add(*stressRunTime)
	actors := 2 + r.rng.IntN(3)
	var wg sync.WaitGroup
	for i := range actors {
		rng := rand.New(rand.NewPCG(r.seed, uint64(i+1)))
		wg.Go(func() { r.actor(rng, *stressOps/actors, until) })
	}
	wg.Wait()
}

// actor does n random operations, or fewer if time runs out or a call
// hangs.
func (r *stressRun) actor(rng *rand.Rand, n int, until time.Time) {
	for ; n > 0 && time.Now().Before(until) && !r.wedge.Load(); n-- {
		op := r.pick(rng)
		op.do(r, rng)
		r.mu.Lock()
		r.figures.ops++
		r.mu.Unlock()
		// Pace the workload so that tasks run between operations: this is
		// the test's load pattern, not synchronisation.
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	}
}

// violate records a broken promise.
func (r *stressRun) violate(class, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, violation{class, fmt.Sprintf(format, args...)})
}

// report lists the violations, the longest details cut.
func (r *stressRun) report() string {
	var b strings.Builder
	for i, v := range r.violations {
		if i == 20 {
			fmt.Fprintf(&b, "... and %d more\n", len(r.violations)-i)
			break
		}
		d := v.detail
		if len(d) > 20000 {
			d = d[:20000] + "\n... (cut)"
		}
		fmt.Fprintf(&b, "[%s] %s\n", v.class, d)
	}
	return b.String()
}

// taskCount is how many tasks the run submitted: futures and Map inputs.
func (r *stressRun) taskCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.tracked)
	for _, m := range r.maps {
		n += m.tasks()
	}
	return n
}

func (r *stressRun) track(tr *tracked) {
	tr.pausedIn = -1 // not known to be queued: see opSubmit
	r.mu.Lock()
	r.tracked = append(r.tracked, tr)
	r.mu.Unlock()
}

func (r *stressRun) fault() {
	r.mu.Lock()
	r.figures.faults++
	r.mu.Unlock()
}
