//go:build !linux

package frame

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// recvNonblock is recv(fd, p, MSG_DONTWAIT): a non-blocking read on a
// blocking socket, without changing the socket's mode.
func recvNonblock(fd int, p []byte) (int, error) {
	n, _, err := unix.Recvfrom(fd, p, unix.MSG_DONTWAIT)
	return n, err
}

// yield lets other goroutines run; elsewhere than Linux the spin does not
// try to give the CPU to other threads.
func yield() { runtime.Gosched() }

// readNowait: pipes are Linux-only here (see Pipes); never called.
func readNowait(fd int, p []byte) (int, error) { return 0, unix.ENOTSUP }
