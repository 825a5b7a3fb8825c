//go:build unix

package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Found verifying issue 9 (the kill storm, about 1 run in 10 on the grpc
// path with chunks): a worker killed from outside while it started counted
// towards the failed starts in a row after which the supervisor gives up
// (maxStartFailures), although an outside kill says nothing against the
// worker's command. Outside SIGKILLs every 20-50 ms, against starts of
// 50-200 ms on a loaded machine, ended the run with exit 3.

// TestOutsideKillsAtStartDoNotGiveUp kills more workers than
// maxStartFailures, each before its first reply: New still succeeds, and
// the pool runs tasks.
func TestOutsideKillsAtStartDoNotGiveUp(t *testing.T) {
	slow := func() (*exec.Cmd, error) {
		cmd, err := testWorkerCommand()
		if err == nil {
			cmd.Env = append(cmd.Env, envSlowStart+"=1s") // time for the poller to see it, even on a busy machine
		}
		return cmd, err
	}
	const kills = maxStartFailures + 2
	killed, quit := make(chan int, 1), make(chan struct{})
	before := ourChildren()
	go func() { killed <- killAtBirth(before, kills, quit) }()
	s, err := New(context.Background(), Config{Workers: 1, Spares: -1, WorkerCommand: slow, MaxRestarts: 100,
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, Grace: 200 * time.Millisecond})
	close(quit)
	n := <-killed
	if err != nil {
		t.Fatalf("New, with %d workers killed before their first reply: %v", n, err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background(), CancelQueued, CancelRunning) })
	if n != kills {
		// The poller missed a start: the machine is too busy for this test
		// to show anything (seen under two busy loops and -count=5).
		t.Skipf("%d workers killed at birth, want %d: the test shows nothing", n, kills)
	}
	if r := wait(t, s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("x")})); r.Status != StatusOK {
		t.Errorf("a task after the kills: %v %v", r.Status, r.Err)
	}
}

// killAtBirth SIGKILLs each new worker process (not a guard) of this
// process as soon as it appears, n of them, until quit is closed or 30 s
// have passed; it returns how many it killed.
func killAtBirth(before []int, n int, quit <-chan struct{}) int {
	seen := slices.Clone(before)
	killed := 0
	for end := time.Now().Add(30 * time.Second); killed < n && time.Now().Before(end) && !isDone(quit); {
		for _, pid := range newChildren(seen) {
			seen = append(seen, pid)
			if !isGuardProcess(pid) && syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
		time.Sleep(200 * time.Microsecond) // polling the process table: a spawn has no event we can see
	}
	return killed
}

func isGuardProcess(pid int) bool {
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	return err == nil && bytes.Contains(env, []byte("SUPERVISOR_GUARD=1"))
}
