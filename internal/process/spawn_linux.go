package process

import (
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// setProcAttrs puts the worker in its own process group, so that signals
// for the supervisor's terminal (Ctrl-C) do not reach it and a group kill
// takes its descendants too, and asks the kernel to signal it when the
// thread that started it dies (see lockThreadForChild). With a guard, that
// signal is SIGKILL, which even a stopped worker dies of, and the guard
// kills its group. Without one it is SIGHUP, on which the worker kills its
// own group (see guardAgainstOrphaning) if it is not stopped.
func setProcAttrs(cmd *exec.Cmd, guarded bool) {
	sig := syscall.SIGHUP
	if guarded {
		sig = syscall.SIGKILL
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: sig}
}

// lockThreadForChild pins the spawning goroutine to its OS thread for the
// child's lifetime. Linux sends the parent-death signal when the thread that
// forked the child exits, not the process (golang/go#27505); an unlocked
// goroutine's thread can be retired by the Go runtime at any time.
func lockThreadForChild() { runtime.LockOSThread() }

// waitExited blocks until the process has exited, without reaping it, so
// that its PID stays reserved while the caller cleans up its group.
func waitExited(pid int) {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}
