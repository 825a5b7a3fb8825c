package frame

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// recvNonblock is recv(fd, p, MSG_DONTWAIT): a non-blocking read on a
// blocking socket, without changing the socket's mode. It calls recvfrom
// directly because unix.Recvfrom decodes a peer address a socketpair never
// has. len(p) must be > 0.
func recvNonblock(fd int, p []byte) (int, error) {
	n, _, errno := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd),
		uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// readNowait is preadv2(fd, p, -1, RWF_NOWAIT): a non-blocking read on a
// blocking pipe, without changing its mode (EAGAIN when it is empty).
func readNowait(fd int, p []byte) (int, error) {
	return unix.Preadv2(fd, [][]byte{p}, -1, unix.RWF_NOWAIT)
}

// yield is sched_yield(2): it lets any thread waiting for this CPU run
// first, and returns at once when none is.
func yield() { unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
