//go:build !linux

package frame

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Pair returns the two ends of a connected AF_UNIX stream socketpair, both
// close-on-exec and in blocking mode. It does not block. See the Linux
// version for how to hand one end to a child.
func Pair() (local, remote *os.File, err error) {
	// Without SOCK_CLOEXEC, hold the fork lock so no child is forked
	// between socketpair and setting close-on-exec.
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("frame: socketpair: %w", err)
	}
	unix.CloseOnExec(fds[0])
	unix.CloseOnExec(fds[1])
	local, remote = newPairFiles(fds)
	return local, remote, nil
}
