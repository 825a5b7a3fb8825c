package process

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// An ExitError says how a worker process ended: its exit code, or the
// signal that killed it, and the last lines it wrote to stderr (a Go panic's
// trace, a runtime fatal error).
type ExitError struct {
	PID    int
	Code   int            // exit status; -1 when a signal killed it
	Signal syscall.Signal // the signal that killed it, or 0
	Stderr []string       // the last lines of its stderr, oldest first
}

func (e *ExitError) Error() string {
	if e.Signal != 0 {
		return fmt.Sprintf("killed by %s", SignalName(e.Signal))
	}
	return fmt.Sprintf("exited with status %d", e.Code)
}

// SignalName is the conventional name of sig, such as "SIGKILL".
func SignalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// LastWords is the most telling of a dead worker's stderr lines.
func (e *ExitError) LastWords() string { return LastWords(e.Stderr) }

// LastWords picks the most telling of a worker's last stderr lines: the
// first line of a Go panic or fatal error if there is one, else the last.
func LastWords(stderr []string) string {
	for _, l := range stderr {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return l
		}
	}
	if len(stderr) == 0 {
		return ""
	}
	return stderr[len(stderr)-1]
}

func newExitError(pid int, st *os.ProcessState, stderr []string) *ExitError {
	e := &ExitError{PID: pid, Code: -1, Stderr: stderr}
	if st == nil {
		return e
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.Signal = ws.Signal()
		return e
	}
	e.Code = st.ExitCode()
	return e
}

// Usage is what a worker process consumed over its life, as the kernel
// reported it when the worker was reaped.
type Usage struct {
	CPU     time.Duration // user + system
	PeakRSS int64         // bytes
}

func usageOf(st *os.ProcessState) Usage {
	if st == nil {
		return Usage{}
	}
	u := Usage{CPU: st.UserTime() + st.SystemTime()}
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		u.PeakRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return u
}
