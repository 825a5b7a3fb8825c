package frame

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Pipes are the other transport a Conn runs on: a pipe each way instead of
// a socketpair. A round trip through two processes costs less on pipes
// (the floor measured here: ~3.0 against ~4.7 µs, BenchmarkFloor in
// internal/process), since a pipe's write and read are a copy into and out
// of a ring of pages, where a Unix socket allocates and queues a buffer per
// write. Everything else about a Conn is the same, but one thing: Close
// does not wake a goroutine blocked reading a pipe (shutdown(2) works on
// sockets only); the peer closing its end does.

// pipeBuffer is what Pipes asks for as each pipe's capacity (the default
// is 64 KiB): a large frame crosses in fewer turns. 1 MiB is the most an
// unprivileged process may set by default (/proc/sys/fs/pipe-max-size).
const pipeBuffer = 1 << 20

// Pipes returns the ends of two pipes, all close-on-exec and blocking: the
// local side reads what the remote side writes and the other way round.
// Keep localR and localW, pass remoteR and remoteW to a child (exec clears
// close-on-exec on the copies it hands over), then close them here, so that
// each side reads EOF when the other is gone.
func Pipes() (localR, localW, remoteR, remoteW *os.File, err error) {
	var down, up [2]int // down: local → remote; up: remote → local
	if err := unix.Pipe2(down[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("frame: pipe: %w", err)
	}
	if err := unix.Pipe2(up[:], unix.O_CLOEXEC); err != nil {
		unix.Close(down[0])
		unix.Close(down[1])
		return nil, nil, nil, nil, fmt.Errorf("frame: pipe: %w", err)
	}
	for _, fd := range []int{down[1], up[1]} {
		_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, pipeBuffer) // best effort
	}
	return os.NewFile(uintptr(up[0]), "frame-in"), os.NewFile(uintptr(down[1]), "frame-out"),
		os.NewFile(uintptr(down[0]), "frame-remote-in"), os.NewFile(uintptr(up[1]), "frame-remote-out"), nil
}

// NewPipes makes a Conn that reads frames from r and writes them to w, the
// two ends of pipes (see Pipes). It takes ownership of both as New does of
// its socket, and on error leaves them open.
func NewPipes(r, w *os.File, opts ...Option) (*Conn, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	rfd, err := dupBlocking(r)
	if err != nil {
		return nil, err
	}
	wfd, err := dupBlocking(w)
	if err != nil {
		unix.Close(rfd)
		return nil, err
	}
	r.Close()
	w.Close()
	c := newConn(o)
	c.fd.fd, c.pipes = rfd, true
	c.wfd = &sysfd{fd: wfd}
	c.room = pipeCapacity(wfd)
	return c, nil
}

// Room is how many bytes the Conn can write that its peer has not read
// before a write blocks: on pipes, the capacity of the pipe it writes to;
// 0 on a socket, where it is not known. It matters to a caller that writes
// requests while its peer may be blocked writing answers to it: its
// requests not yet read must fit, or each side blocks the other for good.
func (c *Conn) Room() int { return c.room }

// pipeCapacity is the capacity of the pipe fd writes to: what Pipes asked
// for, or less if the system refused (F_SETPIPE_SZ is best effort).
func pipeCapacity(fd int) int {
	n, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0)
	if err != nil || n <= 0 {
		return minPipeCapacity
	}
	return n
}

// minPipeCapacity is the capacity assumed when it cannot be read: a page,
// the least a pipe holds.
const minPipeCapacity = 4096

// dupBlocking duplicates f's descriptor, close-on-exec and blocking.
func dupBlocking(f *os.File) (int, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("frame: dup %s: %w", f.Name(), err)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("frame: set %s blocking: %w", f.Name(), err)
	}
	return fd, nil
}
