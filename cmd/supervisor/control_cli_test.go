package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestControlOnAFileLeavesItIntact: --control=PATH used to delete
// whatever file was at PATH (issue #9). Now the run refuses, before any
// worker starts, and the file is as it was.
func TestControlOnAFileLeavesItIntact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "--control="+path, "--task=sleep", "1ms")
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--control="+path+": exists and is not a control socket") {
		t.Errorf("exit %d, stderr %q: want exit 2 and one line", r.code, r.stderr)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "precious" {
		t.Errorf("the file was touched: %q, %v", b, err)
	}
}

// TestBadMetricsAddressLeavesNoSocket: flags are checked, and listeners
// bound, before a worker starts; nothing of the run is left (issue #9: a
// bad --metrics-addr, found after the workers started, left the control
// socket).
func TestBadMetricsAddressLeavesNoSocket(t *testing.T) {
	runtime := t.TempDir()
	r := runCLIEnv(t, []string{"XDG_RUNTIME_DIR=" + runtime}, "--metrics-addr=nonsense:address:", "--task=sleep", "1ms")
	if r.code != 2 || strings.Contains(r.stderr, "ready") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 before any worker starts", r.code, r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(runtime, "supervisor", "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestNoSocketLeftAfterSIGKILL: a supervisor killed with SIGKILL cannot
// remove its control socket; the next one to start sweeps it.
func TestNoSocketLeftAfterSIGKILL(t *testing.T) {
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir()}
	first := startCLIEnv(t, env, "--task=sleep", "--workers=1", "1h")
	sock := waitSocket(t, first)
	first.killAll()
	if _, err := os.Lstat(sock); err != nil {
		t.Fatalf("the killed supervisor's socket is already gone (%v): the test shows nothing", err)
	}
	second := startCLIEnv(t, env, "--task=sleep", "--workers=1", "1h")
	waitFor(t, 20*time.Second, "the next supervisor", func() bool { return strings.Contains(second.stderr.String(), "worker ready") })
	if _, err := os.Lstat(sock); err == nil {
		t.Errorf("%s is still there after the next supervisor started", sock)
	}
	_ = syscall.Kill(second.cmd.Process.Pid, syscall.SIGTERM)
	if code := second.wait(60 * time.Second); code != 143 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(sock), "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestNothingToTalkTo: ps and kill exit 4 when there is no supervisor,
// or no such worker; 3 stays "the supervisor gave up" (issue #13).
func TestNothingToTalkTo(t *testing.T) {
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir()}
	for _, args := range [][]string{{"ps"}, {"kill", "1"}, {"kill", "--all"}, {"ps", "--control=" + filepath.Join(t.TempDir(), "none.sock")}} {
		if r := runCLIEnv(t, env, args...); r.code != 4 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v with no supervisor: exit %d, stderr %q; want 4 and one line", args, r.code, r.stderr)
		}
	}
	r := startCLIEnv(t, env, "--task=sleep", "--workers=2", "1h", "1h")
	waitFor(t, 20*time.Second, "the workers", func() bool { return strings.Contains(r.stderr.String(), "workers ready") })
	if k := runCLIEnv(t, env, "kill", "99"); k.code != 4 || !strings.Contains(k.stderr, "no such worker") {
		t.Errorf("kill 99: exit %d, stderr %q; want 4", k.code, k.stderr)
	}
	ps := runCLIEnv(t, env, "ps", "--json")
	var got struct {
		Workers []map[string]any `json:"workers"`
	}
	if err := json.Unmarshal([]byte(ps.stdout), &got); err != nil || len(got.Workers) != 2 {
		t.Fatalf("ps --json: exit %d, %v, %q", ps.code, err, ps.stdout)
	}
	for _, w := range got.Workers {
		if _, ok := w["worker"]; !ok || w["id"] != nil {
			t.Errorf("ps --json names the worker otherwise than \"worker\": %v", w)
		}
	}
	all := runCLIEnv(t, env, "kill", "--all", "--signal=TERM")
	if all.code != 0 || strings.Count(all.stdout, "sent TERM") != 2 {
		t.Errorf("kill --all: exit %d, %q %q", all.code, all.stdout, all.stderr)
	}
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGINT)
	if code := r.wait(60 * time.Second); code != 130 {
		t.Errorf("exit %d after SIGINT", code)
	}
}

// TestCompareLeavesNothing: a thread-mode run killed by SIGSEGV cannot
// remove its control socket; compare's directory for them goes anyway.
func TestCompareLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	r := runCLIEnv(t, []string{"TMPDIR=" + tmp, "XDG_RUNTIME_DIR=" + t.TempDir()}, "compare", "--task=echo", "--add=segv", "x")
	if r.code != 1 || !strings.Contains(r.stdout, "whole process died") {
		t.Fatalf("exit %d, want 1 (a run died):\n%s%s", r.code, r.stdout, r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "supervisor-compare-*")); len(left) > 0 {
		t.Errorf("compare left %v", left)
	}
}
