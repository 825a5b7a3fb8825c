package frame

import (
	"errors"
	"fmt"
	"io"
)

// ErrClosed is returned by every method of a Conn (and of a Mux or Serve on
// top of it) once Close has been called on that Conn. It means this side
// closed the connection; a peer that closed is reported as io.EOF instead.
var ErrClosed = errors.New("frame: connection closed")

// ErrTagInUse is returned by Mux.Call when another Call with the same tag is
// still waiting for its response: the Mux could not tell their responses
// apart. Nothing was written; the Mux stays usable.
var ErrTagInUse = errors.New("frame: tag already in flight")

// ErrShortFrame means a frame on a tagged connection (Mux or Serve) was too
// short to hold its 8-byte tag: the peer does not speak the tagged protocol.
// It is fatal for that Mux or Serve loop.
var ErrShortFrame = errors.New("frame: frame shorter than its 8-byte tag")

// ErrUnexpectedTag means the peer answered with a tag that no Call is waiting
// for and no Send is outstanding for: a protocol error, fatal for the Mux.
var ErrUnexpectedTag = errors.New("frame: response with an unexpected tag")

// ErrReplied is returned by ReplyWriter.Reply when the request was already
// answered: every request gets exactly one response.
var ErrReplied = errors.New("frame: request already answered")

// ErrConcurrentRecv is returned by Mux.Recv when another Recv is running on
// the same Mux: Recv is for one pipelining goroutine.
var ErrConcurrentRecv = errors.New("frame: concurrent Recv on one Mux")

// FrameTooLargeError reports a frame longer than the limit set with
// WithMaxFrame. Size and Limit count payload bytes (on a tagged connection
// the 8-byte tag is part of the payload).
//
// On the writing side nothing was written and the Conn stays usable. On the
// reading side the Conn consumed the header and skips the payload without
// buffering it, so the next ReadFrame returns the frame after it: the Conn
// stays usable, but a Mux or Serve loop cannot tell whose frame it was and
// fails with this error.
type FrameTooLargeError struct {
	Size  int // the frame's payload length
	Limit int // the limit in force
}

func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("frame: frame of %d bytes exceeds the %d-byte limit", e.Size, e.Limit)
}

// peerClosedError is a write error caused by the peer having closed its end
// (EPIPE, ECONNRESET). It unwraps to the errno and also matches io.EOF, so
// callers can treat "the peer went away" alike on the read and write sides.
type peerClosedError struct {
	err error
}

func (e *peerClosedError) Error() string { return "frame: write: peer closed: " + e.err.Error() }

func (e *peerClosedError) Unwrap() error { return e.err }

func (e *peerClosedError) Is(target error) bool { return target == io.EOF }
