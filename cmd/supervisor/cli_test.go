package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests drive the real binary, built once in TestMain, as a user
// would: every worker is a real process started by it.

var binary string

func TestMain(m *testing.M) {
	if os.Getenv(nprocHelperEnv) != "" {
		nprocHelper() // a child of TestThreadBudget; does not return
	}
	dir, err := os.MkdirTemp("", "supervisor-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "supervisor")
	// Both programs, as make build lays them out: the command finds its
	// worker binary beside it (TestWorkerBinary covers its absence).
	for _, b := range [][]string{{"-o", binary, "."}, {"-o", filepath.Join(dir, workerBinary), "../supervisor-worker"}} {
		build := exec.Command("go", append([]string{"build"}, b...)...)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type runResult struct {
	stdout, stderr string
	code           int
	pid            int
}

// runCLI runs the binary to completion, killing its process group if it
// outlives the timeout.
func runCLI(t *testing.T, args ...string) runResult {
	t.Helper()
	return runCLIEnv(t, nil, args...)
}

// runCLIEnv is runCLI with env added to the environment.
func runCLIEnv(t *testing.T, env []string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(binary, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("supervisor %q did not finish in 60s; stderr:\n%s", args, stderr.String())
	}
	r := runResult{stdout: stdout.String(), stderr: stderr.String(), pid: cmd.Process.Pid}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// jsonRun runs with --json and decodes the task lines and the summary.
func jsonRun(t *testing.T, args ...string) (runResult, []taskLine, summary) {
	t.Helper()
	r := runCLI(t, append([]string{"--json"}, args...)...)
	tasks, sum := decodeJSONLines[taskLine, summary](t, r.stdout)
	return r, tasks, sum
}

// decodeJSONLines decodes a --json run's stdout: its task lines as L, its
// summary as S; any other line fails the test.
func decodeJSONLines[L, S any](t *testing.T, stdout string) ([]L, S) {
	t.Helper()
	var tasks []L
	var sum S
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var probe struct{ Type string }
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			t.Fatalf("stdout is not JSON Lines: %q: %v", sc.Text(), err)
		}
		switch probe.Type {
		case "task":
			var l L
			_ = json.Unmarshal(sc.Bytes(), &l)
			tasks = append(tasks, l)
		case "summary":
			_ = json.Unmarshal(sc.Bytes(), &sum)
		default:
			t.Fatalf("unexpected line %q", sc.Text())
		}
	}
	return tasks, sum
}

var seedAnswers = map[string]string{
	"112272535095293":  "112272535095293 is prime: true",
	"112582705942171":  "112582705942171 is prime: true",
	"115280095190773":  "115280095190773 is prime: true",
	"115797848077099":  "115797848077099 is prime: true",
	"1099726899285419": "1099726899285419 is prime: false",
}

func TestSeedDemoInBothModes(t *testing.T) {
	for _, mode := range []string{"process", "thread"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			r, tasks, sum := jsonRun(t, "--mode="+mode)
			if r.code != 0 || len(tasks) != 6 {
				t.Fatalf("exit %d, %d tasks; stderr:\n%s", r.code, len(tasks), r.stderr)
			}
			for _, l := range tasks {
				if l.Output != seedAnswers[l.Input] || l.Status != "ok" {
					t.Errorf("%s: %q (%s), want %q", l.Input, l.Output, l.Status, seedAnswers[l.Input])
				}
				if inSupervisor := l.PID == r.pid; inSupervisor != (mode == "thread") {
					t.Errorf("%s ran in pid %d; the supervisor is %d", l.Input, l.PID, r.pid)
				}
			}
			if sum.Mode != mode || sum.OK != 6 {
				t.Errorf("summary %+v", sum)
			}
		})
	}
}

func TestHumanOutput(t *testing.T) {
	r := runCLI(t)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range append(mapValues(seedAnswers), "ipc overhead", "start-up", "peak rss", "mode           process") {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "worker 1 pid ") {
		t.Errorf("the workers' PIDs are not announced on stderr:\n%s", r.stderr)
	}
}

func TestFetchDemo(t *testing.T) {
	const delay = 400 * time.Millisecond
	for _, mode := range []string{"process", "thread"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			r, tasks, sum := jsonRun(t, "--mode="+mode, "--task=fetch", "--workers=8", "--fetch-delay="+delay.String())
			if r.code != 1 || len(tasks) != 5 {
				t.Fatalf("exit %d (want 1: the made-up host fails), %d tasks; stderr:\n%s", r.code, len(tasks), r.stderr)
			}
			for _, l := range tasks {
				made := strings.Contains(l.Input, "some-made-up-domain.invalid")
				switch {
				case made && (l.Status != "error" || !strings.Contains(l.Error, "generated an exception")):
					t.Errorf("made-up host: %s %q", l.Status, l.Error)
				case !made && (l.Status != "ok" || !strings.Contains(l.Output, "page is")):
					t.Errorf("%s: %s %q %q", l.Input, l.Status, l.Output, l.Error)
				}
			}
			// Four pages fetched one after another would take four delays;
			// concurrently, about one. Three leaves room for a slow machine.
			if wall := time.Duration(sum.WallNs); mode == "thread" && wall > 3*delay {
				t.Errorf("wall %v: the pages were not fetched concurrently (delay %v each)", wall, delay)
			}
		})
	}
}

func TestRepeatJSONSummary(t *testing.T) {
	r, tasks, sum := jsonRun(t, "--mode=process", "--repeat=200", "--task=echo", "x")
	if r.code != 0 || len(tasks) != 200 || sum.Tasks != 200 {
		t.Fatalf("exit %d, %d tasks; stderr:\n%s", r.code, len(tasks), r.stderr)
	}
	seen := map[uint64]bool{}
	for _, l := range tasks {
		if l.PID == 0 || l.PID == r.pid || seen[l.ID] {
			t.Errorf("task %d: pid %d (supervisor %d), seen before %v", l.ID, l.PID, r.pid, seen[l.ID])
		}
		seen[l.ID] = true
	}
	if len(sum.PIDs) < 2 || sum.Overhead.N != 200 || sum.Overhead.P50Ns <= 0 || sum.Overhead.P50Ns > sum.Overhead.P99Ns {
		t.Errorf("summary pids %v overhead %+v", sum.PIDs, sum.Overhead)
	}
	if sum.Startup.P50Ns <= 0 || sum.PeakRSS.SupervisorBytes <= 0 || sum.PeakRSS.WorkerMaxBytes <= 0 || sum.CPU.WorkersNs <= 0 {
		t.Errorf("summary startup %+v rss %+v cpu %+v", sum.Startup, sum.PeakRSS, sum.CPU)
	}
}

func TestAFailingTaskDoesNotStopTheRun(t *testing.T) {
	r, tasks, sum := jsonRun(t, "--task=fail", "one", "two", "three")
	if r.code != 1 || len(tasks) != 3 || sum.Failed != 3 {
		t.Fatalf("exit %d, %d tasks, %d failed", r.code, len(tasks), sum.Failed)
	}
	for _, l := range tasks {
		if l.Error != l.Input || l.Attempts != 1 {
			t.Errorf("task %d: error %q after %d attempts; a task's own error is never retried", l.ID, l.Error, l.Attempts)
		}
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string // the line must name the bad value
	}{
		{[]string{"--workers=0"}, "--workers=0"},
		{[]string{"--workers=-3"}, "--workers=-3"},
		{[]string{"--mode=fork"}, "--mode=fork: want process or thread"},
		{[]string{"--task=nope"}, "--task=nope"},
		{[]string{"--ipc=smoke"}, "--ipc=smoke"},
		{[]string{"--bogus"}, "-bogus"},
		{[]string{"abc"}, `"abc"`},
		{[]string{"-5"}, `"-5"`},
		{[]string{"18446744073709551616"}, `"18446744073709551616"`},
		{[]string{"--task=fetch", "ftp://example.com/"}, `"ftp://example.com/"`},
		{[]string{"--task=fetch", "not a url"}, `"not a url"`},
		{[]string{"--task=sleep", "soon"}, `"soon"`},
		{[]string{"--timeout=-1s"}, "--timeout=-1s"},
		{[]string{"--max-worker-rss=lots"}, "--max-worker-rss=lots"},
		{[]string{"--timeout=5"}, "--timeout=5: missing unit, e.g. 5s or 500ms"},
		{[]string{"--workers", "many"}, "--workers=many: want a whole number"},
		{[]string{"tasks", "extra"}, `"extra"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, c.args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 2 || len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, stderr %q: want exit 2 and one line naming %s", r.code, r.stderr, c.want)
			}
			if strings.Contains(r.stderr, "goroutine ") || r.stdout != "" {
				t.Errorf("stack trace or output on a usage error: %q %q", r.stdout, r.stderr)
			}
		})
	}
}

func TestTasksListsEveryTask(t *testing.T) {
	r := runCLI(t, "tasks")
	for _, name := range []string{"primes", "fetch", "sleep", "spin", "echo", "panic", "crash", "exit", "segv", "fatal", "leak", "hang"} {
		if !strings.Contains(r.stdout, "\n"+name+" ") {
			t.Errorf("tasks does not list %s:\n%s", name, r.stdout)
		}
	}
}

func TestWorkerRefusesToRunByHand(t *testing.T) {
	r := runCLI(t, "worker")
	if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "plugin") {
		t.Errorf("worker run by hand: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestFlagsAndArgumentsInAnyOrder(t *testing.T) {
	cases := map[string][]string{
		"flags last":       {"--task=echo", "a", "--mode=thread", "b"},
		"after terminator": {"--task=echo", "--mode=thread", "--", "a", "b"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r, tasks, sum := jsonRun(t, args...)
			if r.code != 0 || len(tasks) != 2 || sum.Mode != "thread" {
				t.Fatalf("exit %d, %d tasks, mode %q: %s", r.code, len(tasks), sum.Mode, r.stderr)
			}
		})
	}
	r, tasks, _ := jsonRun(t, "--task=echo", "--mode=thread", "--", "--json-like")
	if r.code != 0 || len(tasks) != 1 || tasks[0].Output != "--json-like" {
		t.Errorf("an argument after -- that looks like a flag: exit %d %+v", r.code, tasks)
	}
}

func TestChunksizeRunsThroughMap(t *testing.T) {
	for _, mode := range []string{"process", "thread"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			r, tasks, sum := jsonRun(t, "--mode="+mode, "--task=primes", "--repeat=50", "--chunksize=7", "--in-flight=2")
			if r.code != 0 || sum.OK != 300 {
				t.Fatalf("exit %d, summary %+v: %s", r.code, sum, r.stderr)
			}
			checkExactlyOnce(t, tasks, 300)
			for _, l := range tasks {
				if l.Output != seedAnswers[l.Input] || l.PID == 0 || l.Worker == 0 {
					t.Errorf("task %d: %q on worker %d pid %d", l.ID, l.Output, l.Worker, l.PID)
				}
			}
		})
	}
	for _, args := range [][]string{{"--chunksize=0"}, {"--chunksize=10", "--add=segv"}} {
		if r := runCLI(t, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}
