package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests kill things for real: worker processes, the supervisor, and
// whole thread-mode runs. See docs/isolation.md.

// decode splits a --json run's stdout into task lines and the summary.
func decode(t *testing.T, stdout string) ([]taskLine, *summary) {
	t.Helper()
	var tasks []taskLine
	var sum *summary
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		var probe struct{ Type string }
		if err := json.Unmarshal([]byte(line), &probe); err != nil {
			t.Fatalf("stdout is not JSON Lines: %q", line)
		}
		if probe.Type == "summary" {
			sum = &summary{}
			_ = json.Unmarshal([]byte(line), sum)
			continue
		}
		var l taskLine
		_ = json.Unmarshal([]byte(line), &l)
		tasks = append(tasks, l)
	}
	return tasks, sum
}

// checkExactlyOnce checks that ids 1..n each have exactly one result.
func checkExactlyOnce(t *testing.T, tasks []taskLine, n int) {
	t.Helper()
	seen := map[uint64]int{}
	for _, l := range tasks {
		seen[l.ID]++
	}
	for id := uint64(1); id <= uint64(n); id++ {
		if seen[id] != 1 {
			t.Errorf("task %d has %d results, want exactly 1", id, seen[id])
		}
	}
	if len(tasks) != n {
		t.Errorf("%d results for %d tasks", len(tasks), n)
	}
}

func TestExternalKillsLoseNoTask(t *testing.T) {
	const n = 2000
	r := startCLI(t, "--json", "--task=sleep", "--repeat="+strconv.Itoa(n), "--workers=2", "3ms")
	waitFor(t, 10*time.Second, "the workers", func() bool { return strings.Contains(r.stderr.String(), "workers ready") })
	kills := 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
loop:
	for {
		select {
		case <-r.done:
			break loop
		case <-tick.C:
			// A loop outside the supervisor, as a user with kill -9 in
			// another terminal: any child of the supervisor will do.
			if kids := children(r.cmd.Process.Pid); len(kids) > 0 {
				if syscall.Kill(kids[rand.IntN(len(kids))], syscall.SIGKILL) == nil {
					kills++
				}
			}
		}
	}
	code := r.wait(time.Minute)
	tasks, sum := decode(t, r.stdout.String())
	checkExactlyOnce(t, tasks, n)
	if (code != 0 && code != 1) || sum == nil {
		t.Fatalf("exit %d, summary %+v; stderr tail:\n%s", code, sum, tail(r.stderr.String(), 10))
	}
	// Two outside kills can hit one task: its retries run out and it ends
	// "died". An outside SIGKILL never counts towards quarantine, though:
	// the task did not kill its workers.
	for _, l := range tasks {
		if l.Status != "ok" && (l.Status != "died" || !strings.Contains(l.Error, "SIGKILL")) {
			t.Errorf("task %d: %s %q, want ok, or died of its worker's SIGKILL", l.ID, l.Status, l.Error)
		}
	}
	if kills < 5 || sum.Restarts == 0 {
		t.Errorf("%d kills, %d restarts counted: the test did not exercise the restarts", kills, sum.Restarts)
	}
	t.Logf("%d tasks reported once each, %d ok, through %d external SIGKILLs; %d restarts", n, sum.OK, kills, sum.Restarts)
}

func TestChaosLosesNoTask(t *testing.T) {
	const n = 2000
	res := runCLI(t, "--json", "--task=sleep", "--repeat="+strconv.Itoa(n), "--workers=2", "--chaos=kill:every=100ms", "3ms")
	tasks, sum := decode(t, res.stdout)
	checkExactlyOnce(t, tasks, n)
	if res.code != 0 || sum == nil || sum.OK != n || sum.Restarts == 0 {
		t.Fatalf("exit %d, summary %+v; stderr tail:\n%s", res.code, sum, tail(res.stderr, 10))
	}
	if !strings.Contains(res.stderr, "sent SIGKILL on request") {
		t.Errorf("no chaos kill reported:\n%s", tail(res.stderr, 10))
	}
}

func TestNoOrphansWhenTheSupervisorIsKilled(t *testing.T) {
	r := startCLI(t, "--task=spawn", "--repeat=4", "--workers=2", "60")
	// Wait for the workers and the grandchildren they started.
	var family []int
	waitFor(t, 10*time.Second, "workers with children", func() bool {
		family = descendants(r.cmd.Process.Pid)
		return len(family) >= 5 // 2 workers + a spare + 2 sleeps
	})
	if err := syscall.Kill(r.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	<-r.done
	deadline := killed.Add(time.Second)
	for time.Now().Before(deadline) && anyAlive(family) {
		time.Sleep(5 * time.Millisecond)
	}
	for _, pid := range family {
		if alive(pid) {
			t.Errorf("pid %d outlived the supervisor by a second", pid)
		}
	}
}

func anyAlive(pids []int) bool {
	for _, p := range pids {
		if alive(p) {
			return true
		}
	}
	return false
}

// faultCases are the fault tasks, with what they do in process mode: the
// fault fails alone, with this status, and every other task succeeds.
var faultCases = []struct {
	add    string
	flags  []string
	status string
	reason string
}{
	{"panic", nil, "panic", "panic: boom"},
	{"crash", nil, "quarantined", "panic: crash"},
	{"exit:7", nil, "quarantined", "exited with status 7"},
	{"segv", nil, "quarantined", "killed by SIGSEGV"},
	{"fatal", nil, "quarantined", "fatal error: concurrent map writes"},
	{"hang", []string{"--timeout=300ms", "--grace=100ms"}, "timeout", "task timed out"},
	{"leak:512", []string{"--max-worker-rss=96MiB"}, "memory", "--max-worker-rss"},
}

func TestFaultsFailAloneInProcessMode(t *testing.T) {
	for _, c := range faultCases {
		t.Run(c.add, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--json", "--mode=process", "--task=echo", "--repeat=10", "--add=" + c.add}, c.flags...)
			res := runCLI(t, append(args, "a", "b")...)
			tasks, sum := decode(t, res.stdout)
			checkExactlyOnce(t, tasks, 21)
			if res.code != 1 || sum == nil || sum.OK != 20 {
				t.Fatalf("exit %d, summary %+v; stderr:\n%s", res.code, sum, tail(res.stderr, 10))
			}
			for _, l := range tasks {
				if l.Task == "echo" {
					continue
				}
				if l.Status != c.status || !strings.Contains(l.Error, c.reason) {
					t.Errorf("%s: %s %q, want %s with %q", l.Task, l.Status, l.Error, c.status, c.reason)
				}
			}
		})
	}
}

func TestFaultsInThreadMode(t *testing.T) {
	cases := []struct {
		add      string
		survives bool
		exit     string // how the whole process ends when it does not survive
		telling  string
	}{
		{add: "panic", survives: true},
		{add: "crash", exit: "exit status 2", telling: "panic: crash"},
		{add: "exit:7", exit: "exit status 7"},
		{add: "segv", exit: "killed by SIGSEGV"},
		{add: "fatal", exit: "exit status 2", telling: "fatal error: concurrent map writes"},
	}
	for _, c := range cases {
		t.Run(c.add, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, "--json", "--mode=thread", "--task=sleep", "--repeat=20", "--add="+c.add, "10ms")
			tasks, sum := decode(t, res.stdout)
			if c.survives {
				checkExactlyOnce(t, tasks, 21)
				if sum == nil || sum.OK != 20 || sum.Statuses["panic"] != 1 {
					t.Fatalf("summary %+v", sum)
				}
				return
			}
			if sum != nil {
				t.Fatalf("the run survived %s in thread mode: %+v", c.add, sum)
			}
			exit := fmt.Sprintf("exit status %d", res.code)
			if res.code == -1 {
				exit = "killed by SIGSEGV" // the only signal death among these
			}
			if exit != c.exit || !strings.Contains(res.stderr, c.telling) {
				t.Errorf("%s, stderr %q: want %s with %q", exit, tail(res.stderr, 3), c.exit, c.telling)
			}
		})
	}
}

func TestTimeoutOnHang(t *testing.T) {
	t.Run("process", func(t *testing.T) {
		t.Parallel()
		// Two hung tasks on one worker: the second can only run once the
		// first's worker has been killed and replaced.
		res := runCLI(t, "--json", "--mode=process", "--workers=1", "--task=hang", "--repeat=2", "--timeout=200ms", "--grace=100ms", "")
		tasks, _ := decode(t, res.stdout)
		if len(tasks) != 2 {
			t.Fatalf("tasks %+v; stderr:\n%s", tasks, res.stderr)
		}
		for _, l := range tasks {
			if l.Status != "timeout" || !strings.Contains(l.Error, "killed") {
				t.Errorf("task %d: %s %q, want a timeout that killed the worker", l.ID, l.Status, l.Error)
			}
		}
		if tasks[0].PID == tasks[1].PID || !strings.Contains(res.stderr, "kill ladder") {
			t.Errorf("both tasks ran in pid %d: the worker was not replaced\n%s", tasks[0].PID, res.stderr)
		}
	})
	t.Run("thread", func(t *testing.T) {
		t.Parallel()
		res := runCLI(t, "--json", "--mode=thread", "--workers=1", "--task=hang", "--timeout=200ms", "--grace=100ms", "")
		tasks, _ := decode(t, res.stdout)
		if len(tasks) != 1 || tasks[0].Status != "timeout" || !strings.Contains(tasks[0].Error, "abandoned") {
			t.Fatalf("tasks %+v", tasks)
		}
		if !strings.Contains(res.stderr, "abandoned") {
			t.Errorf("no abandoned goroutine reported:\n%s", res.stderr)
		}
	})
}

var socketLine = regexp.MustCompile(`control socket (\S+)`)

// waitSocket waits for r to announce its control socket and returns its path.
func waitSocket(t *testing.T, r *running) string {
	t.Helper()
	var sock string
	waitFor(t, 10*time.Second, "the control socket", func() bool {
		m := socketLine.FindStringSubmatch(r.stderr.String())
		if m != nil {
			sock = m[1]
		}
		return m != nil
	})
	return sock
}

func TestPsAndKillAgainstARunningSupervisor(t *testing.T) {
	r := startCLI(t, "--json", "--task=sleep", "--repeat=40", "--workers=2", "200ms")
	sock := waitSocket(t, r)
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("control socket %s: %v, mode %v; want a socket with mode 0600", sock, err, fi.Mode())
	}
	ps := runCLI(t, "ps", "--control="+sock)
	if ps.code != 0 || !strings.Contains(ps.stdout, "busy") || !strings.Contains(ps.stdout, "sleep") {
		t.Fatalf("ps: exit %d\n%s%s", ps.code, ps.stdout, ps.stderr)
	}
	var before int
	for _, line := range strings.Split(ps.stdout, "\n") {
		if f := strings.Fields(line); len(f) > 3 && f[0] == "1" {
			before, _ = strconv.Atoi(f[2])
		}
	}
	k := runCLI(t, "kill", "--control="+sock, "--signal=KILL", "1")
	if k.code != 0 || !strings.Contains(k.stdout, fmt.Sprintf("pid %d", before)) {
		t.Fatalf("kill: exit %d %q %q (worker 1 was pid %d)", k.code, k.stdout, k.stderr, before)
	}
	waitFor(t, 5*time.Second, "worker 1's death", func() bool { return !alive(before) })
	if code := r.wait(60 * time.Second); code != 0 {
		t.Fatalf("exit %d after a kill on request: every task should be retried and succeed\n%s", code, tail(r.stderr.String(), 10))
	}
	tasks, _ := decode(t, r.stdout.String())
	checkExactlyOnce(t, tasks, 40)
	if missing := runCLI(t, "kill", "--control="+sock, "1"); missing.code != 4 {
		t.Errorf("kill against a stopped supervisor: exit %d, want 4 (nothing to talk to): %s", missing.code, missing.stderr)
	}
	if _, err := os.Lstat(sock); err == nil {
		t.Errorf("control socket %s left after the run", sock)
	}
}

func TestControlSocketRefusesOtherUsers(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	r := startCLI(t, "--task=sleep", "--repeat=10", "--workers=1", "200ms")
	sock := waitSocket(t, r)
	cmd := exec.Command(binary, "ps", "--control="+sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("ps as uid 65534 succeeded:\n%s", out)
	}
}

func TestSignalDrains(t *testing.T) {
	r := startCLI(t, "--json", "--task=sleep", "--repeat=10", "--workers=2", "30s")
	waitFor(t, 10*time.Second, "the workers", func() bool { return strings.Contains(r.stderr.String(), "workers ready") })
	workers := descendants(r.cmd.Process.Pid)
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGINT)
	code := r.wait(20 * time.Second)
	tasks, sum := decode(t, r.stdout.String())
	checkExactlyOnce(t, tasks, 10)
	if code != 130 || sum == nil || sum.Statuses["canceled"] != 10 {
		t.Fatalf("exit %d (want 130, as after SIGINT), summary %+v", code, sum)
	}
	for _, p := range workers {
		if alive(p) {
			t.Errorf("worker %d alive after the drain", p)
		}
	}
}

func TestRestartIntensityGivesUp(t *testing.T) {
	res := runCLI(t, "--json", "--task=exit", "--repeat=20", "--workers=1", "--retries=0",
		"--poison-after=100", "--max-restarts=3", "--restart-window=1m", "1")
	tasks, _ := decode(t, res.stdout)
	checkExactlyOnce(t, tasks, 20)
	if res.code != 3 || !strings.Contains(res.stderr, "gave up") || !strings.Contains(res.stderr, "more than 3") {
		t.Fatalf("exit %d, stderr:\n%s", res.code, tail(res.stderr, 5))
	}
}

func TestRecycleAfterMaxTasks(t *testing.T) {
	res := runCLI(t, "--json", "--task=echo", "--repeat=10", "--workers=1", "--max-tasks-per-worker=3", "x")
	tasks, sum := decode(t, res.stdout)
	checkExactlyOnce(t, tasks, 10)
	pids := map[int]int{}
	for _, l := range tasks {
		pids[l.PID]++
	}
	if res.code != 0 || len(pids) != 4 || sum.Restarts != 3 {
		t.Fatalf("exit %d, tasks per pid %v, restarts %d: want 4 workers of at most 3 tasks", res.code, pids, sum.Restarts)
	}
}

func TestCompareShowsBothModes(t *testing.T) {
	res := runCLI(t, "compare", "--repeat=10", "--add=segv")
	if res.code != 1 { // a task failed, and a whole run died
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	if !regexp.MustCompile(`worker death.*SIGSEGV.*60/61 ok`).MatchString(res.stdout) ||
		!strings.Contains(res.stdout, "whole process died (killed by SIGSEGV") {
		t.Errorf("comparison:\n%s", res.stdout)
	}
}

// children are the direct children of pid.
func children(pid int) []int {
	var out []int
	for _, d := range descendants(pid) {
		if ppid(d) == pid {
			out = append(out, d)
		}
	}
	return out
}

func ppid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	p, _ := strconv.Atoi(f[1])
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
