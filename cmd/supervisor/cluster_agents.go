package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// agentStopGrace is how long an embedded agent has to drain and stop after
// SIGTERM before its process group is killed.
const agentStopGrace = 5 * time.Second

// An agentProcess is an embedded cluster's agent: this executable run as
// "supervisor agent" in a process group of its own.
type agentProcess struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once it has exited and been reaped
}

// spawnAgents starts n agents named agent-1 ... agent-n. If one cannot
// start, those started are stopped.
func spawnAgents(n int, args []string, stderr io.Writer) ([]*agentProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var out []*agentProcess
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("agent-%d", i)
		a, err := spawnAgent(self, append([]string{"agent", "--name=" + name}, args...), stderr)
		if err != nil {
			stopAgents(out)
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// spawnAgent starts one agent from a goroutine locked to its OS thread for
// the agent's lifetime: Linux sends the parent-death signal when the
// thread that forked the child exits, not the process (golang/go#27505).
func spawnAgent(self string, args []string, stderr io.Writer) (*agentProcess, error) {
	a := &agentProcess{cmd: exec.Command(self, args...), exited: make(chan struct{})}
	a.cmd.Stderr = stderr
	setAgentProcAttrs(a.cmd)
	started := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		err := a.cmd.Start()
		started <- err
		if err == nil {
			_ = a.cmd.Wait()
		}
		close(a.exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return a, nil
}

// stopAgents asks every agent to stop, then kills the process groups of
// those that have not within the grace.
func stopAgents(agents []*agentProcess) {
	for _, a := range agents {
		_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
	}
	deadline := time.NewTimer(agentStopGrace)
	defer deadline.Stop()
	for _, a := range agents {
		select {
		case <-a.exited:
		case <-deadline.C:
			_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
			<-a.exited
		}
	}
}
