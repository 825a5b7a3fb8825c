package frame

import (
	"encoding/binary"
	"io"
)

// Serve answers tagged requests on c (the server side of a Mux) until the
// peer closes. It reads on the calling goroutine and calls handle inline,
// one request at a time, with the request's body (tag stripped; valid only
// during the call) and a ReplyWriter for the response. It blocks; run one
// Serve per Conn, and lock its goroutine to its thread for the lowest
// latency (see the package doc).
//
// Replies are coalesced: they are queued, and go out in one write when no
// further whole request is already buffered, just before Serve waits for
// the socket. So a burst of requests is read in one read(2) and answered in
// one write(2), while a lone request is answered at once. A handler that
// takes long after an earlier reply can call ReplyWriter.Flush first.
//
// Serve returns nil when the peer closed, ErrClosed after c.Close, and
// otherwise the error that stopped it: a read or write error, ErrShortFrame,
// or *FrameTooLargeError for a request over c's limit (whose tag Serve never
// saw, so it cannot answer it). Serve does not close c.
func Serve(c *Conn, handle func(req []byte, w *ReplyWriter)) error {
	w := &ReplyWriter{c: c}
	for {
		p, err := c.ReadFrame()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(p) < tagLen {
			return ErrShortFrame
		}
		w.tag, w.replied, w.err = binary.LittleEndian.Uint64(p), false, nil
		handle(p[tagLen:], w)
		if !w.replied {
			// Never leave the caller waiting: an unanswered request
			// gets an empty response.
			w.Reply(nil)
		}
		if w.err != nil {
			return w.err
		}
	}
}

// A ReplyWriter answers one request inside a Serve handler. It is valid only
// until the handler returns and is not safe for concurrent use.
type ReplyWriter struct {
	c       *Conn
	tag     uint64
	replied bool
	err     error // a write error, fatal for Serve
}

// Tag returns the request's tag, which Reply puts on the response.
func (w *ReplyWriter) Tag() uint64 { return w.tag }

// Reply queues body as the response. Small bodies are copied; bodies of
// 64 KiB or more are written at once from body, without a copy (so body may
// alias the request, as in an echo). It blocks only when it writes.
//
// Errors: ErrReplied on a second call; *FrameTooLargeError if body is over
// the limit, in which case nothing was sent and the handler may Reply again
// (with an error message, say); otherwise a write error, which also ends
// Serve.
func (w *ReplyWriter) Reply(body []byte) error {
	return w.ReplyV(body)
}

// ReplyV is Reply with the body in parts, sent one after another as one
// response; parts of 64 KiB or more are written from where they are.
func (w *ReplyWriter) ReplyV(parts ...[]byte) error {
	if w.replied {
		return ErrReplied
	}
	err := w.c.sendV(true, w.tag, parts, false)
	if _, tooLarge := err.(*FrameTooLargeError); tooLarge {
		return err
	}
	w.replied, w.err = true, err
	return err
}

// Flush writes the replies queued so far, including this one if given. It
// blocks until the kernel has taken them. A write error also ends Serve.
func (w *ReplyWriter) Flush() error {
	err := w.c.Flush()
	if err != nil {
		w.err = err
	}
	return err
}
