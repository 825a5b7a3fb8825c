//go:build !linux

package main

import (
	"os/exec"
	"syscall"
)

// setAgentProcAttrs puts an agent in a process group of its own. Without a
// parent-death signal here, an agent outlives a run killed by SIGKILL.
func setAgentProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
