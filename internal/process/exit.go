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
// signal that killed it and whether the host sent that signal, and the
// last lines it wrote.
type ExitError struct {
	PID    int
	Code   int            // exit status; -1 when a signal killed it
	Signal syscall.Signal // the signal that killed it, or 0
	// Sent is Signal when the host had sent that signal to the worker's
	// process group (the kill ladder, Stop, or Worker.Signal), and 0 when
	// the worker died on its own: it exited, crashed, or was killed by a
	// signal from elsewhere (the OOM killer, a user's kill).
	Sent syscall.Signal
	// Stderr holds the last lines the worker wrote, oldest first: its
	// stderr (its log, a Go panic's trace, what tasks wrote there) and what
	// tasks wrote to stdout after go-plugin's handshake, in the order the
	// host read them. Lines of one stream keep their order; lines of the
	// two streams interleave as they arrived.
	Stderr []string

	ladder bool // Sent by a kill ladder (a context that ended, or Stop)
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

// newExitError reads how the worker ended; sent is what the host sent its
// group while it lived.
func newExitError(pid int, st *os.ProcessState, sent []sentSignal, tail []string) *ExitError {
	e := &ExitError{PID: pid, Code: -1, Stderr: tail}
	if st == nil {
		return e
	}
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		e.Code = st.ExitCode()
		return e
	}
	e.Signal = ws.Signal()
	for _, s := range sent {
		if s.sig == e.Signal {
			e.Sent, e.ladder = s.sig, s.ladder
		}
	}
	return e
}

// Usage is what a worker process consumed over its life.
type Usage struct {
	CPU time.Duration // user + system, as the kernel reported when it was reaped
	// PeakRSS is the worker's own peak resident memory, in bytes: the
	// largest VmHWM read from /proc/<pid>/status while it lived (see
	// Worker.SampleMemory; a peak after the last read is missed). Not the
	// kernel's ru_maxrss, which counts from the fork and so starts at the
	// supervisor's own size. 0 when never read (not Linux, or the worker
	// lived too briefly).
	PeakRSS int64
}

func usageOf(st *os.ProcessState, peak int64) Usage {
	u := Usage{PeakRSS: peak}
	if st != nil {
		u.CPU = st.UserTime() + st.SystemTime()
	}
	return u
}
