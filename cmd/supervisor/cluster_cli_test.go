package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/cluster"
)

// clusterRun runs a cluster workload with --json and decodes its lines.
func clusterRun(t *testing.T, args ...string) (runResult, []clusterTaskLine, clusterSummary) {
	t.Helper()
	r := runCLI(t, append([]string{"--json"}, args...)...)
	tasks, sum := decodeJSONLines[clusterTaskLine, clusterSummary](t, r.stdout)
	return r, tasks, sum
}

// The bar: the seed's six answers, each from a worker process of
// an agent, and nothing left running afterwards.
func TestClusterEmbeddedRunsTheSeed(t *testing.T) {
	r, tasks, sum := clusterRun(t, "--cluster=embedded", "--agents=2")
	if r.code != 0 || len(tasks) != 6 || sum.OK != 6 {
		t.Fatalf("exit %d, %d tasks, %d ok; stderr:\n%s", r.code, len(tasks), sum.OK, r.stderr)
	}
	pids := map[int]bool{}
	for _, l := range tasks {
		if l.Output != seedAnswers[l.Input] {
			t.Errorf("task %d: %q, want %q", l.ID, l.Output, seedAnswers[l.Input])
		}
		if l.Agent != "agent-1" && l.Agent != "agent-2" {
			t.Errorf("task %d ran on agent %q", l.ID, l.Agent)
		}
		if l.PID == 0 || l.PID == r.pid {
			t.Errorf("task %d: pid %d, want a worker's (the run is %d)", l.ID, l.PID, r.pid)
		}
		pids[l.PID] = true
	}
	for pid := range pids {
		if alive(pid) {
			t.Errorf("worker pid %d still alive after the run", pid)
		}
	}
	if !strings.Contains(r.stderr, "2 agents ready") {
		t.Errorf("stderr does not announce the agents:\n%s", r.stderr)
	}
}

func TestClusterEmbeddedAnswersFaults(t *testing.T) {
	r, tasks, sum := clusterRun(t, "--cluster=embedded", "--agents=1", "--workers=1", "--task=echo", "a",
		"--add=fail", "--add=exit:3", "--poison-after=2", "--retries=3")
	if r.code != 1 || len(tasks) != 3 {
		t.Fatalf("exit %d, %d tasks; stderr:\n%s", r.code, len(tasks), r.stderr)
	}
	if sum.Statuses["ok"] != 1 || sum.Statuses["error"] != 1 || sum.Statuses["quarantined"] != 1 {
		t.Errorf("statuses %v, want one ok, one error, one quarantined", sum.Statuses)
	}
	for _, l := range tasks {
		if l.Task == "fail" && l.Attempts != 1 {
			t.Errorf("the failing task ran %d times, want once", l.Attempts)
		}
	}
}

func TestClusterUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--cluster=remote"}, "--cluster=remote: want embedded"},
		{[]string{"--agents=2"}, "--agents applies to --cluster=embedded"},
		{[]string{"--cluster=embedded", "--agents=0"}, "--agents=0"},
		{[]string{"--cluster=embedded", "--nats=nats://x:4222"}, "drop --nats"},
		{[]string{"--cluster=embedded", "--chaos=kill:every=1s"}, "--chaos"},
		{[]string{"--nats"}, "--nats needs a value"},
		{[]string{"agent"}, "agent needs --nats=URL"},
		{[]string{"agent", "--peers=h1:6222"}, "--peers needs --store=DIR"},
		{[]string{"agent", "--nats=nats://x:4222", "--ack-wait=1ms"}, "--ack-wait=1ms"},
		{[]string{"agent", "--nats=nats://x:4222", "extra"}, "agent takes no arguments"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runCLI(t, c.args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 2 || len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", r.code, r.stderr, c.want)
			}
		})
	}
}

// An agent and a client, each its own process, meet at a server they do
// not own; the agent stops cleanly on SIGTERM.
func TestAgentAndClientOnAnExternalServer(t *testing.T) {
	srv, err := cluster.StartServer(cluster.ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	agent := exec.Command(binary, "agent", "--nats="+srv.ClientURL(), "--name=far", "--workers=1", "--mode=thread")
	var agentErr bytes.Buffer
	agent.Stderr = &agentErr
	agent.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	nc, err := srv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := cluster.AwaitAgents(ctx, nc, 1, agent.Start); err != nil {
		t.Fatalf("agent not ready: %v; stderr:\n%s", err, agentErr.String())
	}
	done := make(chan error, 1)
	go func() { done <- agent.Wait() }()
	defer func() { _ = syscall.Kill(-agent.Process.Pid, syscall.SIGKILL) }()

	r, tasks, _ := clusterRun(t, "--nats="+srv.ClientURL(), "--task=echo", "a", "b")
	if r.code != 0 || len(tasks) != 2 {
		t.Fatalf("exit %d, %d tasks; stderr:\n%s", r.code, len(tasks), r.stderr)
	}
	for _, l := range tasks {
		if l.Agent != "far" || l.Output != l.Input {
			t.Errorf("task %d: %q from %q", l.ID, l.Output, l.Agent)
		}
	}
	_ = agent.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("agent after SIGTERM: %v; stderr:\n%s", err, agentErr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("agent did not stop on SIGTERM")
	}
}

// A run killed with SIGKILL leaves nothing running: its agents die with it
// (parent-death signal), their workers with them; the store it left is swept
// by the next embedded run.
func TestClusterEmbeddedLeavesNothingWhenKilled(t *testing.T) {
	// A short directory: the run's sockets live under TMPDIR too, and a
	// socket path has a length limit that t.TempDir's names can pass.
	tmp, err := os.MkdirTemp("", "svt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)
	r := startCLI(t, "--cluster=embedded", "--agents=2", "--workers=1", "--task=sleep", "1h", "1h")
	waitFor(t, 60*time.Second, "the agents", func() bool { return strings.Contains(r.stderr.String(), "agents ready") })
	var pids []int
	waitFor(t, 60*time.Second, "two agents and their workers", func() bool {
		pids = descendants(r.cmd.Process.Pid)
		return len(pids) >= 4
	})
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGKILL)
	r.wait(60 * time.Second)
	waitFor(t, 30*time.Second, "every agent and worker to die", func() bool {
		for _, p := range pids {
			if alive(p) {
				return false
			}
		}
		return true
	})
	left, _ := filepath.Glob(filepath.Join(tmp, storePrefix+"*"))
	if len(left) != 1 {
		t.Fatalf("stores left by the killed run: %v, want one", left)
	}
	if run := runCLI(t, "--cluster=embedded", "--agents=1", "--task=echo", "x"); run.code != 0 {
		t.Fatalf("next run: exit %d: %s", run.code, run.stderr)
	}
	if _, err := os.Stat(left[0]); !os.IsNotExist(err) {
		t.Errorf("the next run did not sweep %s: %v", left[0], err)
	}
}
