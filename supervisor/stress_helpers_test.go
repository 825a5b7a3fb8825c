//go:build unix

package supervisor

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Helpers shared by the regression tests and the stress suite: bounded
// waits that turn a hang into a failure with a goroutine dump, and the
// process tree as an outsider sees it.

// sink keeps busy loops from being optimised away.
var sink atomic.Uint64

// within reports whether ch is closed within d.
func within(ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// waitClosed fails the test, with every goroutine's stack, unless ch is
// closed within d: a hang is a failure, never a hung test binary.
func waitClosed(t testing.TB, ch <-chan struct{}, d time.Duration, what string) bool {
	t.Helper()
	if within(ch, d) {
		return true
	}
	t.Errorf("%s: not within %v\n%s", what, d, allStacks())
	return false
}

// allStacks is every goroutine's stack, for a failure that is a hang.
func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutinesIn counts the goroutines whose stack has a frame of fn.
func goroutinesIn(fn string) int {
	n := 0
	for _, g := range strings.Split(allStacks(), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// killAll SIGKILLs pids and their process groups, ignoring the gone.
func killAll(pids []int) {
	for _, pid := range pids {
		if pid > 0 && pid != os.Getpid() {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// waitGone waits, within d, until none of pids is alive.
func waitGone(pids []int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if !slices.ContainsFunc(pids, func(p int) bool { return p != os.Getpid() && alive(p) }) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond) // polling a process table: there is no event to wait on
	}
}

// workerChildren lists the live (not zombie) children of this process that
// run the test binary as a worker: the supervisor's workers and spares,
// found as an outsider would, from /proc.
func workerChildren() []int { return children(false) }

// ourChildren lists the worker processes and the guards (see
// internal/process.Guard): everything a pool starts, for the leak checks.
func ourChildren() []int { return children(true) }

// guardChildren lists the guard processes only.
func guardChildren() []int {
	var out []int
	workers := workerChildren()
	for _, pid := range ourChildren() {
		if !slices.Contains(workers, pid) {
			out = append(out, pid)
		}
	}
	return out
}

// children lists this process's live children that run the test binary as
// a worker, and, with guards, as a guard.
func children(guards bool) []int {
	self := os.Getpid()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		fields := bytes.Fields(b[i+1:])
		if len(fields) < 2 || string(fields[0]) == "Z" || string(fields[1]) != strconv.Itoa(self) {
			continue
		}
		dir := filepath.Dir(f)
		if env, err := os.ReadFile(filepath.Join(dir, "environ")); err == nil {
			if !bytes.Contains(env, []byte(envTestWorker+"=")) {
				continue // a child, but not one of our workers
			}
			if !guards && bytes.Contains(env, []byte("SUPERVISOR_GUARD=1")) {
				continue // the pool's guard, not a worker
			}
		}
		pid, _ := strconv.Atoi(filepath.Base(dir))
		out = append(out, pid)
	}
	slices.Sort(out)
	return out
}

// newChildren lists the worker children not in before.
func newChildren(before []int) []int {
	var out []int
	for _, pid := range ourChildren() {
		if !slices.Contains(before, pid) {
			out = append(out, pid)
		}
	}
	return out
}
