package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// ReadFrame returns the next frame's payload. It blocks until a whole frame
// has arrived (after spinning briefly, see WithSpin). One goroutine at a
// time may call it; it is not safe for concurrent readers.
//
// The payload is valid until the next ReadFrame: small frames are returned
// in place from the read buffer, which one read(2) fills with as many frames
// as are waiting; frames too large for it are read straight into a buffer of
// their own size, which the Conn reuses.
//
// Before it waits for the socket, ReadFrame flushes frames queued by Buffer,
// so a reader never waits for the answer to something it has not sent yet,
// and replies queued while handling a burst of requests leave in one write.
//
// Errors: io.EOF when the peer closed (or died) at a frame boundary,
// io.ErrUnexpectedEOF when it did so mid-frame, ErrClosed after Close, and
// *FrameTooLargeError for a frame over the limit, which is skipped so the
// Conn stays usable. Other errors are the system call's, wrapped. All but
// *FrameTooLargeError are sticky.
func (c *Conn) ReadFrame() ([]byte, error) {
	if c.fd.closed() {
		return nil, ErrClosed
	}
	if c.rerr != nil {
		return nil, c.rerr
	}
	p, err := c.readFrame()
	if err != nil {
		if _, ok := err.(*FrameTooLargeError); !ok {
			c.rerr = err
		}
		return nil, err
	}
	return p, nil
}

// Buffered reports whether a whole frame is already in the read buffer, so
// that the next ReadFrame returns without a system call. A server that
// coalesces replies by hand flushes when this turns false. Only the reading
// goroutine may call it.
func (c *Conn) Buffered() bool {
	if c.skip > 0 || c.w-c.r < hdrLen {
		return false
	}
	n := int(binary.LittleEndian.Uint32(c.rbuf[c.r:]))
	return n > c.maxFrame || c.w-c.r >= hdrLen+n
}

func (c *Conn) readFrame() ([]byte, error) {
	if c.skip > 0 {
		if err := c.discard(); err != nil {
			return nil, err
		}
	}
	if err := c.fill(hdrLen); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(c.rbuf[c.r:]))
	if n > c.maxFrame {
		// Consume the header and skip the payload on the next call, so
		// the stream stays in step without buffering the payload.
		c.r += hdrLen
		c.skip = n
		return nil, &FrameTooLargeError{Size: n, Limit: c.maxFrame}
	}
	if hdrLen+n > len(c.rbuf) {
		return c.readBig(n)
	}
	if err := c.fill(hdrLen + n); err != nil {
		return nil, err
	}
	start := c.r + hdrLen
	c.r = start + n
	return c.rbuf[start:c.r:c.r], nil
}

// fill makes sure the read buffer holds at least k unread bytes.
func (c *Conn) fill(k int) error {
	if c.w-c.r >= k {
		return nil
	}
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if c.r+k > len(c.rbuf) {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
	}
	for c.w-c.r < k {
		n, err := c.readSome(c.rbuf[c.w:])
		if err != nil {
			if err == io.EOF && c.w > c.r {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		c.w += n
	}
	return nil
}

// readBig reads an n-byte payload that does not fit the read buffer into a
// buffer of its own: what the read buffer already holds is copied once, the
// rest goes from the kernel straight to its place.
func (c *Conn) readBig(n int) ([]byte, error) {
	c.r += hdrLen
	if cap(c.big) < n {
		c.big = nil // let the old one go before allocating the new one
		c.big = make([]byte, n)
	}
	p := c.big[:n]
	k := copy(p, c.rbuf[c.r:c.w])
	c.r, c.w = 0, 0
	for k < n {
		m, err := c.readSome(p[k:])
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		k += m
	}
	return p, nil
}

// discard drops the payload of a frame that was over the limit.
func (c *Conn) discard() error {
	for c.skip > 0 {
		if c.r == c.w {
			c.r, c.w = 0, 0
			n, err := c.readSome(c.rbuf[:min(c.skip, len(c.rbuf))])
			if err != nil {
				return unexpectedEOF(err)
			}
			c.w = n
		}
		k := min(c.skip, c.w-c.r)
		c.r += k
		c.skip -= k
	}
	return nil
}

// readSome reads at least one byte into dst, flushing queued writes first.
func (c *Conn) readSome(dst []byte) (int, error) {
	if c.queued.Load() && c.wmu.TryLock() {
		// TryLock, not Lock: a writer holding the lock may be blocked
		// on a full socket until we read, and it writes the queue
		// ahead of its own frame anyway. A failed flush leaves its
		// error sticky for the next write; reading goes on, since the
		// peer may still have sent frames.
		if c.writable() == nil {
			_ = c.flushLocked()
		}
		c.wmu.Unlock()
	}
	if !c.fd.acquire() {
		return 0, ErrClosed
	}
	n, err := c.spin.read(c.fd.fd, dst, c.pipes)
	c.fd.release()
	switch {
	case err == nil && n > 0:
		return n, nil
	case c.fd.closed():
		return 0, ErrClosed
	case err == nil, errors.Is(err, unix.ECONNRESET):
		// A reset means the peer closed with our data unread: for the
		// reader it is the end of the stream all the same.
		return 0, io.EOF
	default:
		return 0, fmt.Errorf("frame: read: %w", err)
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// adopt returns a copy of p, the payload last returned by ReadFrame, that
// outlives the next ReadFrame. A payload in the big buffer is handed over
// instead of copied, and spare (if large enough to matter) becomes the
// Conn's next big buffer; a small payload is copied into spare's storage.
// Only the reading goroutine may call it.
func (c *Conn) adopt(p, spare []byte) []byte {
	if len(p) > 0 && len(c.big) > 0 && &p[0] == &c.big[0] {
		c.big = spare[:cap(spare)]
		return p
	}
	return append(spare[:0], p...)
}
