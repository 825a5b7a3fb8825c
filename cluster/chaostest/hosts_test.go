package chaostest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Settings of the hosts' agents: short leases so that faults resolve in
// seconds (research prototype: AckWait 2s, pings every 1s). The run lease
// stays longer than the longest time the client can be cut off in the
// schedule (a fault of 4s, and the seconds it takes to see it and route
// around it): a client cut off for longer loses its run, by design.
const (
	ackWait      = "2s"
	pingInterval = "1s"
	workersEach  = "2"
)

// startAgent starts host's agent, which embeds its member of the three-node
// cluster, in host's namespace; its log goes to logs/host.log (appended,
// so that a restart keeps the first life's lines).
func (r *round) startAgent(i int) error {
	host := r.hosts[i]
	var peers []string
	for j := range r.hosts {
		peers = append(peers, addr(j+1)+":6222")
	}
	log, err := os.OpenFile(filepath.Join(r.logs, host+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command("ip", "netns", "exec", r.net.ns(host), r.bin, "agent",
		"--name="+host, "--peers="+strings.Join(peers, ","), "--cluster-listen="+addr(i+1)+":6222",
		"--listen="+addr(i+1)+":4222", "--store="+filepath.Join(r.stores, host),
		"--workers="+workersEach, "--ack-wait="+ackWait, "--ping-interval="+pingInterval,
		"--run-lease=20s", "--grace=200ms", "--log-level=info")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", host, err)
	}
	go func() { _ = cmd.Wait() }() // reaped; the namespace's pids say who runs
	return nil
}

// A submitter is the client: a run of the CLI on the client host, whose
// JSON lines come in as they are printed.
type submitter struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan error
}

func (r *round) startSubmitter(t *testing.T, args ...string) *submitter {
	var urls []string
	for j := range r.hosts {
		urls = append(urls, "nats://"+addr(j+1)+":4222")
	}
	log, err := os.Create(filepath.Join(r.logs, "client.log"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(r.logs, "client.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"netns", "exec", r.net.ns("cl"), r.bin, "--nats=" + strings.Join(urls, ","),
		"--json", "--log-level=info"}, args...)
	s := &submitter{cmd: exec.Command("ip", args...), lines: make(chan string, 1024), done: make(chan error, 1)}
	s.cmd.Stderr = log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start the client: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) })
	go func() {
		sc := bufio.NewScanner(io.TeeReader(stdout, out))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.done <- s.cmd.Wait()
		log.Close()
		out.Close()
	}()
	return s
}

// stopAgents stops every host's agent with SIGTERM, as a service manager
// would, then kills what is left after the grace; it returns the processes
// still alive after the SIGTERM's grace (agents or workers).
func (r *round) stopAgents(grace time.Duration) []string {
	for _, h := range r.hosts {
		r.net.signalHost(h, syscall.SIGCONT) // a frozen host cannot stop
		r.net.signalHost(h, syscall.SIGTERM)
	}
	deadline := time.Now().Add(grace)
	var left []string
	for _, h := range r.hosts {
		waitGone(r.net.pids(h), deadline)
		for _, pid := range r.net.pids(h) {
			left = append(left, fmt.Sprintf("%s: pid %d %s", h, pid, cmdline(pid)))
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	return left
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ")
}

// tailLogs is the end of every log of the round, for a failure message.
func (r *round) tailLogs() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(r.logs, "*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		fmt.Fprintf(&b, "==> %s (last %d of %d lines)\n%s\n", f, min(40, len(lines)), len(lines),
			strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
	return b.String()
}

// waitGone waits until every process of pids has exited, or the deadline:
// on a pidfd each, which becomes readable when its process exits.
func waitGone(pids []int, deadline time.Time) {
	for _, pid := range pids {
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			continue // gone already
		}
		left := time.Until(deadline)
		if left > 0 {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			for {
				_, err := unix.Poll(fds, int(left.Milliseconds())+1)
				if err != unix.EINTR {
					break
				}
			}
		}
		unix.Close(fd)
	}
}
