//go:build unix

package supervisor

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"time"
)

// Faults the stress suite injects from outside the pool, as a user with
// kill(1) in another terminal would: signals to the worker processes and
// spares it finds in the process tree (children of the test process that
// run the test binary as a worker), also while they start.

// randomChild picks a live worker process or spare, or returns 0.
func randomChild(rng *rand.Rand) int {
	kids := workerChildren()
	if rng.IntN(10) == 0 { // now and then the guard: it must be replaced at once
		kids = append(kids, guardChildren()...)
	}
	if len(kids) == 0 {
		return 0
	}
	return kids[rng.IntN(len(kids))]
}

func opOutsideKill(r *stressRun, rng *rand.Rand) {
	if pid := randomChild(rng); pid != 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
		r.fault()
	}
}

// opOutsideStop freezes a worker process; opOutsideCont or the end of the
// run thaws it, so that nothing waits on it forever.
func opOutsideStop(r *stressRun, rng *rand.Rand) {
	pid := randomChild(rng)
	if pid == 0 || syscall.Kill(pid, syscall.SIGSTOP) != nil {
		return
	}
	r.fault()
	r.mu.Lock()
	r.sigstopped = append(r.sigstopped, pid)
	r.mu.Unlock()
}

func opOutsideCont(r *stressRun, rng *rand.Rand) {
	r.mu.Lock()
	if len(r.sigstopped) == 0 {
		r.mu.Unlock()
		return
	}
	i := rng.IntN(len(r.sigstopped))
	pid := r.sigstopped[i]
	r.sigstopped = slices.Delete(r.sigstopped, i, i+1)
	r.mu.Unlock()
	_ = syscall.Kill(pid, syscall.SIGCONT)
}

// thawAll sends SIGCONT to every worker process the run froze.
func (r *stressRun) thawAll() {
	r.mu.Lock()
	pids := r.sigstopped
	r.sigstopped = nil
	r.mu.Unlock()
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
}

// maxStartKills bounds the workers a run kills as they start: enough to
// exercise start-up as a fault domain, too few to reach the limit of
// consecutive start failures on purpose.
const maxStartKills = 2

// opKillAtStart SIGKILLs a worker process and then, as soon as a new one
// appears (its replacement, or a spare being replenished), that one too:
// a death during start-up.
func opKillAtStart(r *stressRun, rng *rand.Rand) {
	r.mu.Lock()
	if r.startKills >= maxStartKills {
		r.mu.Unlock()
		return
	}
	r.startKills++
	r.mu.Unlock()
	before := workerChildren()
	if pid := randomChild(rng); pid != 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
		r.fault()
	}
	r.bg.Go(func() {
		if pid := awaitNewChild(before, time.Second, nil); pid != 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
			r.fault()
		}
	})
}

// killAtBirth kills the first worker process to appear while the pool is
// being made. It returns a function that ends the watch.
func (r *stressRun) killAtBirth() (stop func()) {
	quit := make(chan struct{})
	before := workerChildren()
	r.bg.Go(func() {
		if pid := awaitNewChild(before, 5*time.Second, quit); pid != 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
			r.fault()
		}
	})
	return func() { close(quit) }
}

// awaitNewChild polls the process table until a worker process not in
// before appears, for at most d or until quit is closed; 0 if none did.
func awaitNewChild(before []int, d time.Duration, quit <-chan struct{}) int {
	end := time.Now().Add(d)
	for time.Now().Before(end) && !isDone(quit) {
		if kids := newChildren(before); len(kids) > 0 {
			return kids[0]
		}
		time.Sleep(200 * time.Microsecond) // polling the process table: a spawn has no event we can see from outside
	}
	return 0
}
