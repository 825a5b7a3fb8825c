package frame

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// sysfd is a raw descriptor shared by the reader, the writers and Close.
//
// Close cannot simply close(2) the descriptor: another thread may be about
// to enter read(2) on that number, and if the number were closed and reused
// meanwhile (by any open in the process) that read would consume somebody
// else's data. So every system call holds a reference, Close only marks the
// descriptor closed and shuts the socket down (which wakes blocked readers
// and writers), and the last reference out closes the number.
type sysfd struct {
	fd    int
	state atomic.Int64 // closedBit | count of references held
}

const closedBit = 1 << 62

// acquire takes a reference for one system call. It fails once Close began.
func (s *sysfd) acquire() bool {
	for {
		v := s.state.Load()
		if v&closedBit != 0 {
			return false
		}
		if s.state.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// release drops a reference; the last one out after Close closes the fd.
func (s *sysfd) release() {
	if s.state.Add(-1) == closedBit {
		unix.Close(s.fd)
	}
}

func (s *sysfd) closed() bool { return s.state.Load()&closedBit != 0 }

// close marks the descriptor closed and shuts the socket down both ways. It
// reports false if the descriptor was already closed.
func (s *sysfd) close() bool {
	for {
		v := s.state.Load()
		if v&closedBit != 0 {
			return false
		}
		// Mark closed and hold a reference of our own, so the number
		// cannot be closed (and reused) before shutdown below.
		if s.state.CompareAndSwap(v, (v|closedBit)+1) {
			break
		}
	}
	// shutdown, not close, is what wakes a thread blocked in read(2) or
	// write(2) on this socket: it makes reads return 0 and writes EPIPE.
	// Its error (ENOTCONN once the peer is gone, ENOTSOCK on a pipe, which
	// nothing wakes but its peer's end closing) changes nothing.
	_ = unix.Shutdown(s.fd, unix.SHUT_RDWR)
	s.release()
	return true
}
