package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTopSteersARunningSupervisor: "supervisor top" in a terminal attaches
// to a run started elsewhere and does what the live view's keys do there,
// through the control socket; q leaves it and the run goes on.
func TestTopSteersARunningSupervisor(t *testing.T) {
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir()}
	run := startCLIEnv(t, env, "--task=sleep", "--workers=2", "--spares=0", "--repeat=2000", "200ms")
	waitFor(t, 30*time.Second, "the workers", func() bool { return strings.Contains(run.stderr.String(), "control socket") })

	tm := startTerminalEnv(t, 80, 24, env, "top")
	tm.waitFor(`supervisor  process mode, data path frame`)
	tm.waitFor(rowOf(2))
	tm.press("k")
	tm.waitFor(`worker 1 \(pid \d+\) killed by SIGKILL`)
	tm.press("p")
	tm.waitFor(`paused on request`)
	tm.waitFor(`· paused ·`)
	tm.press("p")
	tm.waitFor(`resumed on request`)
	tm.press("+")
	tm.waitFor(`worker 3 added on request`)
	tm.waitFor(`· 3 workers ·`)
	tm.press(keyDown)
	tm.waitFor(`(?m)^▶ +2 +busy`)
	tm.press("c")
	tm.waitFor(`worker 2: task \d+ \(sleep\) cancelled on request`)
	tm.press("-")
	tm.waitFor(`· 2 workers ·`)
	tm.press("?")
	tm.waitFor(`leave this view; the run goes on`)
	tm.press("q")
	if code := tm.exitCode(); code != 0 {
		t.Errorf("top exit %d after q, want 0", code)
	}
	select {
	case <-run.done:
		t.Fatalf("the run ended when top left; stderr:\n%s", run.stderr.String())
	default:
	}
	_ = syscall.Kill(run.cmd.Process.Pid, syscall.SIGINT)
	if code := run.wait(60 * time.Second); code != 130 {
		t.Errorf("run exit %d after SIGINT, want 130", code)
	}
}

// TestTopWithoutASupervisor: nothing to talk to is exit 4 and one line,
// before the screen is taken.
func TestTopWithoutASupervisor(t *testing.T) {
	tm := startTerminalEnv(t, 80, 24, []string{"XDG_RUNTIME_DIR=" + t.TempDir()}, "top")
	if code := tm.exitCode(); code != 4 {
		t.Errorf("exit %d, want 4", code)
	}
	tm.waitFor(`supervisor: top: no running supervisor found`)
}
