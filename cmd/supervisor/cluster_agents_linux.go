package main

import (
	"os/exec"
	"syscall"
)

// setAgentProcAttrs puts an agent in a process group of its own, so that a
// terminal's Ctrl-C reaches the run, which stops it in order, and asks the
// kernel to kill it if the run dies without stopping it.
func setAgentProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
