// Package chaostest runs the cluster on three hosts in network namespaces
// and injects faults while a workload runs: a partition and its heal, a
// one-way partition, a host killed whole, a host frozen and thawed. Root
// only; "make test-cluster" runs it, ROUNDS=N times.
package chaostest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The workload: 588 tasks of 250ms, 6 that kill their worker (poison) and 6
// that fail: 600, about 25 s of work on 6 workers, long enough for every
// fault of the schedule to land while it runs.
const (
	sleeps   = 588
	poison   = 6
	failing  = 6
	total    = sleeps + poison + failing
	stallFor = 30 * time.Second
)

type round struct {
	net    *testNet
	hosts  []string
	bin    string
	logs   string // kept after the test
	stores string // removed after the test
	faults []string
}

func TestChaos(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root, for network namespaces (run make test-cluster as root)")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipped: needs %s (apt-get install iproute2 nftables)", tool)
		}
	}
	rounds := 1
	if s := os.Getenv("ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("ROUNDS=%s: want a positive number", s)
		}
		rounds = n
	}
	bin := buildBinary(t)
	logs := filepath.Join(os.TempDir(), "supervisor-cluster-logs", time.Now().Format("20060102-150405"))
	t.Logf("logs in %s", logs)
	for i := 1; i <= rounds; i++ {
		if !t.Run(fmt.Sprintf("round-%d", i), func(t *testing.T) { runRound(t, bin, filepath.Join(logs, fmt.Sprintf("round-%d", i))) }) {
			break
		}
	}
}

// buildBinary builds the supervisor as users run it, without the race
// detector: the hosts run it, not the test.
func buildBinary(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "supervisor")
	cmd := exec.Command("go", "build", "-tags", "grpcnotrace", "-o", bin, "../../cmd/supervisor")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	return bin
}

func runRound(t *testing.T, bin, logs string) {
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &round{hosts: []string{"h1", "h2", "h3"}, bin: bin, logs: logs, stores: t.TempDir()}
	r.net = newNet(t, uniquePrefix(t), append(r.hosts, "cl"), []int{1, 2, 3, 10})
	for i := range r.hosts {
		if err := r.startAgent(i); err != nil {
			t.Fatal(err)
		}
	}
	s := r.startSubmitter(t, "--task=sleep", "--repeat="+strconv.Itoa(sleeps), "250ms",
		fmt.Sprintf("--add=exit:3*%d", poison), fmt.Sprintf("--add=fail*%d", failing), "--retries=2", "--poison-after=3")
	chaosDone := make(chan struct{})
	stopChaos := make(chan struct{})
	running := make(chan struct{}) // closed at the first result: the cluster works
	go func() { defer close(chaosDone); r.chaos(t, running, stopChaos) }()
	lines, err := r.collect(s, running)
	close(stopChaos)
	<-chaosDone
	left := r.stopAgents(15 * time.Second)
	t.Logf("faults: %s", strings.Join(r.faults, "; "))
	t.Logf("results: %s", describe(lines))
	if err != nil {
		t.Fatalf("%v\n%s", err, r.tailLogs())
	}
	problems := check(lines)
	for _, l := range left {
		problems = append(problems, "left running after the agents stopped: "+l)
	}
	if len(problems) > 0 {
		t.Fatalf("%d problems:\n%s\n%s", len(problems), strings.Join(problems, "\n"), r.tailLogs())
	}
}

// collect reads the client's task lines until it exits; no new line for
// stallFor is a stall, and fails the round.
func (r *round) collect(s *submitter, running chan<- struct{}) ([]taskLine, error) {
	var out []taskLine
	defer func() {
		if len(out) == 0 {
			close(running)
		}
	}()
	stall := time.NewTimer(stallFor)
	defer stall.Stop()
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				err := <-s.done
				var exit *exec.ExitError
				if err != nil && !(asExit(err, &exit) && exit.ExitCode() == 1) {
					return out, fmt.Errorf("client: %v after %d results", err, len(out))
				}
				return out, nil
			}
			var tl taskLine
			if json.Unmarshal([]byte(l), &tl) == nil && tl.Type == "task" {
				out = append(out, tl)
				if len(out) == 1 {
					close(running)
				}
			}
			stall.Reset(stallFor)
		case <-stall.C:
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			return out, fmt.Errorf("stall: no result for %s after %d of %d", stallFor, len(out), total)
		}
	}
}

// chaos injects the faults, one after another, once the workload runs: each
// held a few seconds, each logged with the time it landed. (Faults while
// the cluster first elects its leaders are another test: not this one.)
func (r *round) chaos(t *testing.T, running, stop <-chan struct{}) {
	<-running
	begin := time.Now()
	wait := func(d time.Duration) bool {
		select {
		case <-time.After(d):
			return true
		case <-stop:
			return false
		}
	}
	note := func(format string, args ...any) {
		r.faults = append(r.faults, fmt.Sprintf("%.1fs ", time.Since(begin).Seconds())+fmt.Sprintf(format, args...))
	}
	do := func(err error, what string) {
		note("%s", what)
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	steps := []func() bool{
		func() bool { return wait(time.Second) },
		func() bool { do(r.net.link("h3", false), "partition h3"); return wait(4 * time.Second) },
		func() bool { do(r.net.link("h3", true), "heal h3"); return wait(2 * time.Second) },
		func() bool { do(r.net.oneWay("h2", addr(1)), "one-way: h2 drops h1"); return wait(4 * time.Second) },
		func() bool { do(r.net.heal("h2"), "heal h2"); return wait(2 * time.Second) },
		func() bool {
			note("freeze h1 (%d processes)", r.net.signalHost("h1", syscall.SIGSTOP))
			return wait(4 * time.Second)
		},
		func() bool { r.net.signalHost("h1", syscall.SIGCONT); note("thaw h1"); return wait(2 * time.Second) },
		func() bool { return r.killHost(t, "h2", note) && wait(3*time.Second) },
		func() bool { do(r.startAgent(1), "restart h2"); return true },
	}
	for _, step := range steps {
		if !step() {
			note("workload ended")
			return
		}
	}
}

// killHost SIGKILLs every process of host at once, and checks that none is
// left: the workers die with their agent.
func (r *round) killHost(t *testing.T, host string, note func(string, ...any)) bool {
	n := r.net.signalHost(host, syscall.SIGKILL)
	waitGone(r.net.pids(host), time.Now().Add(10*time.Second))
	left := r.net.pids(host)
	note("kill h2 whole (%d processes, %d left after)", n, len(left))
	if len(left) > 0 {
		t.Errorf("%s: %d processes outlived the host's SIGKILL", host, len(left))
	}
	return true
}

func uniquePrefix(t *testing.T) string {
	b := make([]byte, 2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "sv" + hex.EncodeToString(b) // + "h1", "sh1": within the 15 bytes of a link name
}
