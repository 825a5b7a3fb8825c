//go:build unix && !linux

package rundir

import (
	"errors"
	"os"
	"syscall"
)

// selfOwner is this process. Without /proc there is no start time to
// record: it is 0, and a reused PID keeps a stale directory until that
// process too has gone.
func selfOwner() (owner, error) { return owner{pid: os.Getpid()}, nil }

// alive reports whether a process with o's PID exists (kill(pid, 0)).
func alive(o owner) bool {
	err := syscall.Kill(o.pid, 0)
	return !errors.Is(err, syscall.ESRCH)
}
