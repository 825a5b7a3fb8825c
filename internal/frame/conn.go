package frame

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Wire format: each frame is a 4-byte little-endian payload length, then
// the payload.
const hdrLen = 4

// A Conn reads and writes length-prefixed frames on a stream socket with
// plain blocking system calls on the calling goroutine's thread: no
// netpoller, no helper goroutines.
//
// One goroutine at a time may read (ReadFrame, Buffered); any number may
// write (WriteFrame, Buffer, Flush), serialised by a mutex. Close may be
// called from anywhere, at any time.
type Conn struct {
	fd       sysfd  // read side; on a socket, both sides
	wfd      *sysfd // write side: &fd on a socket, a pipe of its own on a pipe pair
	pipes    bool   // fd and wfd are pipes, see NewPipes
	room     int    // the write pipe's capacity, see Room; 0 on a socket
	maxFrame int

	// Read side, owned by the one reading goroutine.
	rbuf []byte // rbuf[r:w] holds bytes read but not yet returned
	r, w int
	big  []byte // buffer for frames too large for rbuf, kept for reuse
	skip int    // bytes of an oversized frame still to discard
	rerr error  // sticky: the stream ended or failed
	spin spinner

	// Write side.
	wmu    sync.Mutex
	wbuf   []byte                // frames queued by Buffer, not yet written
	hdr    [hdrLen + tagLen]byte // the frame being sent's header, under wmu
	werr   error                 // sticky: a write failed, possibly mid-frame
	queued atomic.Bool
	writes int // write system calls made, for tests
}

// New makes a Conn of f, which must be a connected stream socket (see Pair).
// It does not block.
//
// New takes ownership of f: it duplicates the descriptor and closes f, so
// neither f's finalizer nor a stray f.Close can close the descriptor under
// the Conn; use only the Conn from then on. The duplicate is close-on-exec
// and in blocking mode, so reads are plain blocking read(2) calls. On error
// (a bad option, or a failed dup) f is left open.
func New(f *os.File, opts ...Option) (*Conn, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	// Fd puts a pollable file into blocking mode as well; SetNonblock
	// below makes sure of it for the shared open file description.
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("frame: dup %s: %w", f.Name(), err)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("frame: set %s blocking: %w", f.Name(), err)
	}
	f.Close()
	c := newConn(o)
	c.fd.fd = fd
	c.wfd = &c.fd
	return c, nil
}

func newConn(o options) *Conn {
	return &Conn{maxFrame: o.maxFrame, rbuf: make([]byte, o.readBuf), spin: newSpinner(o.spin)}
}

// Close shuts the connection down and releases the descriptor. It does not
// block. It wakes any goroutine blocked in ReadFrame or a write on another
// thread; those calls, and every later one, return ErrClosed, and the peer
// reads io.EOF. Frames queued by Buffer and not yet flushed are discarded.
// Close is safe for concurrent use and idempotent: calls after the first do
// nothing and return nil.
func (c *Conn) Close() error {
	c.fd.close()
	if c.wfd != &c.fd {
		c.wfd.close()
	}
	return nil
}
