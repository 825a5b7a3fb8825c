//go:build unix && !linux

package process

import (
	"os/exec"
	"syscall"
)

// setProcAttrs puts the worker in its own process group. There is no
// parent-death signal outside Linux; the worker's watchdog on its socketpair
// and the guard, if any, are what stop it from outliving the supervisor
// there.
func setProcAttrs(cmd *exec.Cmd, _ bool) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func lockThreadForChild() {}

// waitExited returns at once: without waitid(WNOWAIT) the group is cleaned
// up after reaping, by the caller's best effort.
func waitExited(int) {}

// hasExited cannot tell without waitid(WNOWAIT): it says no, so a signal
// sent to a process that had just died counts as the supervisor's.
func hasExited(int) bool { return false }
