package frame

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

const (
	// tagLen is the size of the tag that Mux and Serve put first in every
	// payload.
	tagLen = 8

	// copyLimit: payloads at least this long are not copied into the
	// write buffer but written from the caller's memory with writev,
	// together with whatever was queued before them. Below it a copy is
	// cheaper than an extra iovec and lets many frames share a write(2).
	copyLimit = 64 << 10

	// flushAt bounds the write buffer: Buffer writes it out on its own
	// once this much is queued.
	flushAt = 256 << 10
)

// WriteFrame writes p as one frame, after any frames queued by Buffer, and
// returns when the kernel has taken all of it: it blocks while the socket's
// send buffer is full. It is safe for concurrent use; frames from concurrent
// writers never interleave.
//
// Errors: *FrameTooLargeError if p is over the limit (nothing is written and
// the Conn stays usable), ErrClosed after Close, an error matching io.EOF
// (and the errno, EPIPE or ECONNRESET) if the peer closed. Any other write
// error is sticky, since part of a frame may have gone out.
func (c *Conn) WriteFrame(p []byte) error {
	return c.send(false, 0, p, true)
}

// Buffer queues p as one frame without writing it, so that many frames go
// out in one system call. The queue is written by Flush, by the next
// WriteFrame, by ReadFrame before it waits for the socket, and by Buffer
// itself once a few hundred KiB are queued (it may then block like
// WriteFrame). Payloads of 64 KiB or more are written at once, from p,
// without a copy. Buffer does not retain p. It is safe for concurrent use;
// errors are as for WriteFrame.
func (c *Conn) Buffer(p []byte) error {
	return c.send(false, 0, p, false)
}

// Flush writes the frames queued by Buffer. It blocks like WriteFrame, is
// safe for concurrent use, and returns the errors WriteFrame does.
func (c *Conn) Flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.writable(); err != nil {
		return err
	}
	return c.flushLocked()
}

// send frames body, with an 8-byte tag first if tagged, and queues or
// writes it.
func (c *Conn) send(tagged bool, tag uint64, body []byte, flush bool) error {
	return c.sendV(tagged, tag, [][]byte{body}, flush)
}

// sendV is send for a body in parts, written one after another as one
// frame. A part of copyLimit bytes or more is written from where it is,
// with writev, instead of being copied into the write buffer: a caller
// that frames a large payload with a small header of its own need not copy
// the payload into one buffer first.
func (c *Conn) sendV(tagged bool, tag uint64, parts [][]byte, flush bool) error {
	size, large := 0, false
	for _, p := range parts {
		size += len(p)
		large = large || len(p) >= copyLimit
	}
	if tagged {
		size += tagLen
	}
	if size > c.maxFrame {
		return &FrameTooLargeError{Size: size, Limit: c.maxFrame}
	}

	c.wmu.Lock()
	defer c.wmu.Unlock()
	// The header lives in the Conn, under wmu: on the stack it escaped to
	// the heap (writev takes its address), an allocation per frame.
	h := c.hdr[:hdrLen]
	binary.LittleEndian.PutUint32(c.hdr[:], uint32(size))
	if tagged {
		binary.LittleEndian.PutUint64(c.hdr[hdrLen:], tag)
		h = c.hdr[:]
	}
	if err := c.writable(); err != nil {
		return err
	}
	if large {
		var iov [8][]byte
		bufs := append(append(iov[:0], c.wbuf, h), parts...)
		err := c.writeAll(bufs)
		c.wbuf = c.wbuf[:0]
		c.queued.Store(false)
		return err
	}
	c.wbuf = append(c.wbuf, h...)
	for _, p := range parts {
		c.wbuf = append(c.wbuf, p...)
	}
	if flush || len(c.wbuf) >= flushAt {
		return c.flushLocked()
	}
	c.queued.Store(true)
	return nil
}

func (c *Conn) writable() error {
	if c.wfd.closed() {
		return ErrClosed
	}
	return c.werr
}

func (c *Conn) flushLocked() error {
	if len(c.wbuf) == 0 {
		return nil
	}
	err := c.writeAll([][]byte{c.wbuf})
	c.wbuf = c.wbuf[:0]
	c.queued.Store(false)
	return err
}

// writeAll writes bufs in order with writev(2), looping over short
// writes: a blocking socket write can still return early when a signal (Go's
// preemption signal, say) arrives after part of the data went out. It may
// modify bufs.
func (c *Conn) writeAll(bufs [][]byte) error {
	if !c.wfd.acquire() {
		return ErrClosed
	}
	defer c.wfd.release()
	bufs = dropEmpty(bufs)
	for len(bufs) > 0 {
		n, err := unix.Writev(c.wfd.fd, bufs)
		c.writes++
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			c.werr = c.writeError(err)
			return c.werr
		}
		bufs = advance(bufs, n)
	}
	return nil
}

func (c *Conn) writeError(err error) error {
	switch {
	case c.wfd.closed():
		return ErrClosed
	case errors.Is(err, unix.EPIPE), errors.Is(err, unix.ECONNRESET):
		return &peerClosedError{err: err}
	default:
		return fmt.Errorf("frame: write: %w", err)
	}
}

// advance drops the first n bytes from bufs.
func advance(bufs [][]byte, n int) [][]byte {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if len(bufs) > 0 {
		bufs[0] = bufs[0][n:]
	}
	return bufs
}

// dropEmpty removes empty slices in place.
func dropEmpty(bufs [][]byte) [][]byte {
	out := bufs[:0]
	for _, b := range bufs {
		if len(b) > 0 {
			out = append(out, b)
		}
	}
	return out
}
