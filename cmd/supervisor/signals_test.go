package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalExitCodes: SIGINT, SIGTERM and SIGHUP each drain the run: the
// results so far and the summary are printed, every task has one result,
// and the exit status is 128 plus the signal's number, as a shell reports
// (issue #13: Ctrl-C exited 1; issue #9: SIGHUP killed the run with no
// summary and its JSON lines unflushed).
func TestSignalExitCodes(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			t.Parallel()
			r := startCLI(t, "--json", "--task=sleep", "--workers=2", "1ms", "1ms", "1h", "1h", "1h")
			waitFor(t, 20*time.Second, "two finished tasks", func() bool { return strings.Count(r.stdout.String(), `"status":"ok"`) == 2 })
			_ = syscall.Kill(r.cmd.Process.Pid, c.sig)
			code := r.wait(60 * time.Second)
			tasks, sum := decode(t, r.stdout.String())
			checkExactlyOnce(t, tasks, 5)
			if code != c.code || sum == nil || sum.OK != 2 || sum.Statuses["canceled"] != 3 {
				t.Fatalf("exit %d (want %d), summary %+v; stderr:\n%s", code, c.code, sum, r.stderr.String())
			}
		})
	}
}

// TestHumanSummaryBeforeSignalExit: the text summary too is printed
// before the exit.
func TestHumanSummaryBeforeSignalExit(t *testing.T) {
	r := startCLI(t, "--ui=plain", "--task=sleep", "--workers=1", "1h")
	waitFor(t, 20*time.Second, "the workers", func() bool {
		return strings.Contains(r.stderr.String(), "workers ready") || strings.Contains(r.stderr.String(), "worker ready")
	})
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGINT)
	if code := r.wait(60 * time.Second); code != 130 || !strings.Contains(r.stdout.String(), "tasks          1: 0 ok, 1 failed (1 canceled)") {
		t.Errorf("exit %d, stdout:\n%s", code, r.stdout.String())
	}
}

// TestSecondSignalForces: with a grace of an hour, a task that ignores
// cancellation would hold the drain for an hour; the second signal ends it
// at once, and the summary still prints (issue #9: the second SIGINT
// waited out the grace). A hang here is the failure.
func TestSecondSignalForces(t *testing.T) {
	r := startCLI(t, "--json", "--task=hang", "--workers=1", "--grace=1h", "")
	waitFor(t, 20*time.Second, "the worker", func() bool { return strings.Contains(r.stderr.String(), "worker ready") })
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGINT)
	waitFor(t, 20*time.Second, "the drain", func() bool { return strings.Contains(r.stderr.String(), "send it again to force") })
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGTERM)
	code := r.wait(60 * time.Second)
	tasks, sum := decode(t, r.stdout.String())
	checkExactlyOnce(t, tasks, 1)
	if code != 130 || sum == nil || sum.Failed != 1 {
		t.Fatalf("exit %d (want 130: the first signal counts), summary %+v; stderr:\n%s", code, sum, r.stderr.String())
	}
}

// TestSignalDuringStartUp: Ctrl-C while the workers start ends the run
// with 130 and one line saying so, as at any other moment (issue 13: it
// exited 3, "the supervisor gave up", printed twice). Thirty worker
// processes take long enough to start that the signal lands among them;
// the control socket is bound before the first one starts.
func TestSignalDuringStartUp(t *testing.T) {
	dir := t.TempDir()
	r := startCLIEnv(t, []string{"XDG_RUNTIME_DIR=" + dir}, "--task=sleep", "--workers=30", "--spares=0", "1h")
	waitFor(t, 20*time.Second, "the control socket", func() bool {
		socks, _ := filepath.Glob(filepath.Join(dir, "supervisor", "*.sock"))
		return len(socks) > 0
	})
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGINT)
	code := r.wait(60 * time.Second)
	if stderr := r.stderr.String(); code != 130 || strings.Contains(stderr, "gave up") || !strings.Contains(stderr, "SIGINT: stopping") {
		t.Errorf("exit %d (want 130); stderr:\n%s", code, stderr)
	}
}
