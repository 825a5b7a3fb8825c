package frame

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Pair returns the two ends of a connected AF_UNIX stream socketpair, both
// close-on-exec and in blocking mode (so a Conn reads them with plain
// blocking read(2), not through the netpoller). It does not block.
//
// Keep local and pass remote to a child as one of exec.Cmd.ExtraFiles (the
// child sees ExtraFiles[i] as descriptor 3+i; exec clears close-on-exec on
// that copy only), then close remote in the parent, so that the parent reads
// io.EOF when the child dies.
func Pair() (local, remote *os.File, err error) {
	// SOCK_CLOEXEC sets close-on-exec atomically, so a child that another
	// goroutine forks meanwhile cannot inherit the pair by accident.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("frame: socketpair: %w", err)
	}
	local, remote = newPairFiles(fds)
	return local, remote, nil
}
