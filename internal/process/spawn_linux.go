package process

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strconv"
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

// hasExited reports whether the process has exited or is exiting: a
// zombie not yet reaped, or a process the kernel is tearing down (its
// descriptors, so go-plugin's pipe, close before it becomes a zombie). It
// neither waits nor reaps.
func hasExited(pid int) bool {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err == unix.EINTR {
			continue
		}
		if err == nil && info.Signo != 0 { // with WNOHANG, info stays zeroed while it runs
			return true
		}
		return procFlags(pid)&pfExiting != 0
	}
}

// pfExiting is the kernel's PF_EXITING task flag: the task is in exit.
const pfExiting = 0x4

// procFlags is the flags field of /proc/<pid>/stat (the ninth), 0 when it
// cannot be read.
func procFlags(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+1:]) // from the third field, the state
	if len(f) < 7 {
		return 0
	}
	flags, _ := strconv.ParseUint(string(f[6]), 10, 64)
	return flags
}
