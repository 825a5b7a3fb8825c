//go:build unix

package supervisor

import (
	"errors"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Issue 9, finding 7: "Runtime controls race: two concurrent RemoveWorker
// calls removed both workers of a pool of two (1 in 2,000); AddWorker can
// start a worker after Stop returned; worker ids are reused."

// TestConcurrentRemovesLeaveAWorker removes both workers of a pool of two
// at once, round after round: one removal may succeed, never both.
func TestConcurrentRemovesLeaveAWorker(t *testing.T) {
	const maxRounds, maxTime = 20000, 20 * time.Second
	end := time.Now().Add(maxTime)
	rounds := 0
	for ; rounds < maxRounds && time.Now().Before(end); rounds++ {
		if n := removeBothRound(t); n != 1 {
			t.Fatalf("round %d: %d of 2 concurrent removals succeeded on a pool of two, want 1", rounds+1, n)
		}
	}
	t.Logf("%d rounds, one removal of two each time", rounds)
}

// removeBothRound removes workers 1 and 2 of a fresh pool of two at once
// and returns how many removals succeeded.
func removeBothRound(t *testing.T) int {
	p, err := newTestPool(poolConfig{mode: ModeThread, workers: 2, spares: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanupPool(t, p)
	var ok atomic.Int32
	var ready, wg sync.WaitGroup
	start := make(chan struct{})
	for _, id := range []int{1, 2} {
		ready.Add(1)
		wg.Go(func() {
			ready.Done()
			<-start
			if removeWorker(p, id) == nil {
				ok.Add(1)
			}
		})
	}
	ready.Wait()
	close(start)
	wg.Wait()
	return int(ok.Load())
}

// TestAddWorkerDoesNotOutliveStop stops the pool while AddWorker is
// spawning a worker process. Stop has stopped every worker when it
// returns, so the added one must not start: AddWorker fails, and no worker
// process is left.
func TestAddWorkerDoesNotOutliveStop(t *testing.T) {
	var armed atomic.Bool
	spawning := make(chan struct{}, 1)
	command := func() (*exec.Cmd, error) {
		if armed.Load() {
			select {
			case spawning <- struct{}{}:
			default:
			}
		}
		return testWorkerCommand()
	}
	p, err := newTestPool(poolConfig{mode: ModeProcess, workers: 1, spares: -1, command: command})
	if err != nil {
		t.Fatal(err)
	}
	armed.Store(true)
	type added struct {
		id  int
		err error
	}
	addDone := make(chan added, 1)
	go func() {
		id, err := addWorker(p)
		addDone <- added{id, err}
	}()
	select {
	case <-spawning:
	case <-time.After(10 * time.Second):
		t.Fatalf("AddWorker spawned no worker within 10s")
	}
	stopped := make(chan struct{})
	go func() { _ = stopPool(p, t.Context()); close(stopped) }()
	if !waitClosed(t, stopped, 15*time.Second, "Stop") {
		killAll(ourChildren())
		return
	}
	var a added
	select {
	case a = <-addDone:
	case <-time.After(15 * time.Second):
		t.Fatalf("AddWorker did not return within 15s\n%s", allStacks())
	}
	left := ourChildren() // at once: Stop has returned
	if a.err == nil {
		t.Errorf("AddWorker returned worker %d, no error, after Stop returned", a.id)
	} else if !errors.Is(a.err, ErrStopped) {
		t.Logf("AddWorker: %v (want it to wrap ErrStopped)", a.err)
	}
	if len(left) > 0 {
		t.Errorf("worker processes %v alive after Stop returned", left)
	}
	if !waitGone(left, 10*time.Second) {
		killAll(left)
	}
}

// TestWorkerIDsAreNotReused removes workers and adds others: an id names
// one worker position for the pool's whole life, so that a log line, an
// event or a Kill(id) never means another worker than it meant.
func TestWorkerIDsAreNotReused(t *testing.T) {
	p := startPool(t, poolConfig{mode: ModeThread, workers: 2, spares: -1})
	seen := []int{1, 2}
	for _, remove := range []int{2, 0} { // 0: the last one added
		id, err := addWorker(p)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(seen, id) {
			t.Errorf("AddWorker gave id %d again; ids used so far: %v", id, seen)
		}
		seen = append(seen, id)
		if remove == 0 {
			remove = id
		}
		if err := removeWorker(p, remove); err != nil {
			t.Fatal(err)
		}
		waitWorkerGone(t, p, remove)
	}
	id, err := addWorker(p)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(seen, id) {
		t.Errorf("AddWorker gave id %d again; ids used so far: %v", id, seen)
	}
}

// waitWorkerGone waits until worker id is no longer listed, or listed as
// stopped (today a removed worker of the initial set stays listed).
func waitWorkerGone(t *testing.T, p *Supervisor, id int) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	for {
		if st, ok := workerStates(p)[id]; !ok || st == StateStopped {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("worker %d still listed 10s after its removal: %v", id, workerPIDs(p))
		}
		time.Sleep(time.Millisecond) // polling: a removal's end has no event of its own
	}
}

// TestRemoveWorkerDuringRestartRetiresIt removes a worker while its slot
// is starting a replacement for a worker that died: the removal must hold,
// and the replacement not take tasks. (Found by the stress suite: the
// slot checks for removal before the restart and never after.)
func TestRemoveWorkerDuringRestartRetiresIt(t *testing.T) {
	var armed atomic.Bool
	spawning, release := make(chan struct{}, 1), make(chan struct{})
	command := func() (*exec.Cmd, error) {
		if armed.Load() {
			spawning <- struct{}{}
			<-release
		}
		return testWorkerCommand()
	}
	p := startPool(t, poolConfig{mode: ModeProcess, workers: 2, spares: -1, command: command})
	armed.Store(true)
	pid := workerPIDs(p)[2]
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-spawning: // the slot is starting worker 2's replacement
	case <-time.After(10 * time.Second):
		t.Fatal("no replacement started within 10s of the worker's death")
	}
	armed.Store(false)
	err := removeWorker(p, 2)
	close(release)
	if err != nil {
		t.Fatalf("RemoveWorker(2) while it restarts: %v", err)
	}
	waitWorkerGone(t, p, 2)
}
