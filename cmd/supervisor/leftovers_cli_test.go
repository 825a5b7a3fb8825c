package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 9: "After 100 worker deaths and a SIGKILLed supervisor, nothing of
// ours is left in $TMPDIR or the control socket directory once a new
// supervisor has started and stopped." Finding 11 left one go-plugin
// directory per worker death, and the control socket after a SIGKILL.
func TestNothingLeftAfterDeathsAndASIGKILL(t *testing.T) {
	// Short: the sockets' paths must fit in 108 bytes.
	tmp, err := os.MkdirTemp("", "nl")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	// No XDG_RUNTIME_DIR: the control socket's directory is then in $TMPDIR too.
	env := []string{"TMPDIR=" + tmp, "XDG_RUNTIME_DIR="}
	r := startCLIEnv(t, env, "--task=sleep", "--workers=2", "--repeat=4", "--retries=100", "--poison-after=100",
		"--max-restarts=1000000", "1h")
	waitFor(t, 30*time.Second, "the workers", func() bool { return strings.Contains(r.stderr.String(), "workers ready") })
	kids := newChildWatch(r.cmd.Process.Pid)
	deaths := killWorkersOneByOne(t, r, kids, 100)
	if err := syscall.Kill(r.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-r.done
	// The guard kills the workers; wait for every child to be gone.
	waitFor(t, 30*time.Second, "the dead supervisor's workers and guard to go", func() bool {
		workers, guard := kids.live()
		return len(workers) == 0 && guard == 0
	})
	left := listTree(t, tmp)
	if len(left) == 0 {
		t.Fatal("the SIGKILLed supervisor left nothing to sweep: the test shows nothing")
	}
	next := runCLIEnv(t, env, "--task=echo", "x")
	if next.code != 0 {
		t.Fatalf("the next supervisor: exit %d; stderr:\n%s", next.code, next.stderr)
	}
	if after := listTree(t, tmp); len(after) > 0 {
		t.Errorf("after %d worker deaths, a SIGKILLed supervisor and a new one's run, $TMPDIR still holds %q (before the new run: %q)", deaths, after, left)
	}
	t.Logf("%d worker deaths, then SIGKILL; %d entries left, all gone after the next run", deaths, len(left))
}

// killWorkersOneByOne SIGKILLs n worker processes of r's supervisor, one at
// a time, each once it has been reaped (so that the supervisor has seen
// the death before the next), for at most 5 minutes. It returns how many
// it killed.
func killWorkersOneByOne(t *testing.T, r *running, kids *childWatch, n int) int {
	deaths := 0
	for end := time.Now().Add(5 * time.Minute); deaths < n && time.Now().Before(end) && !isDone(r.done); {
		workers, _ := kids.live()
		if len(workers) == 0 {
			continue // between a death and its replacement
		}
		pid := workers[0]
		if syscall.Kill(pid, syscall.SIGKILL) != nil {
			continue
		}
		deaths++
		waitFor(t, 30*time.Second, "the killed worker to be reaped", func() bool { return !exists(pid) })
	}
	if deaths < n {
		t.Fatalf("%d worker deaths, want %d", deaths, n)
	}
	return deaths
}

func exists(pid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
	return err == nil
}

// listTree lists every path below dir, relative to it.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
