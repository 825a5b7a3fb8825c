package process

import (
	"fmt"
	"sync"

	"github.com/procpool/supervisor/internal/frame"
)

// framePath sends batches as frames on its pipes: one request frame,
// one response frame, matched by tag (the first task's sequence number).
// A lone caller writes and reads on its own goroutine, with blocking system
// calls and a short spin before blocking (internal/frame); no HTTP/2, no
// netpoller, no hand-off between goroutines on the hot path. Pipelined
// batches (send) are queued and leave together on flush, in one write.
type framePath struct {
	conn *frame.Conn
	mux  *frame.Mux
	outs []outcome // recv's, reused
	flow flow      // send's and recv's, see path_frame_flow.go
}

func newFramePath(conn *frame.Conn) *framePath {
	return &framePath{conn: conn, mux: frame.NewMux(conn), flow: flow{room: conn.Room()}}
}

// bodies holds request buffers between calls: the Mux has written or
// copied a request by the time Call or Send returns, so its buffer can be
// reused at once. It saves an allocation the size of the request per call.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody keeps buffers for large batches out of the pool: they
// would pin their memory for no gain. (A batch with a large payload does
// not come here: see batchParts.)
const maxPooledBody = 64 << 10

func (p *framePath) do(b batch) ([]outcome, error) {
	var resp []byte
	var err error
	if parts, ok := batchParts(b); ok {
		resp, err = p.mux.CallV(b.first, parts...)
	} else {
		resp, err = withBody(b, func(body []byte) ([]byte, error) { return p.mux.Call(b.first, body) })
	}
	if err != nil {
		return nil, fmt.Errorf("frame path: %w", err)
	}
	return decodeOutcomes(resp, len(b.tasks), b.first, nil)
}

// send writes b, or holds it until the pipe to the worker has room for it
// (see flow).
func (p *framePath) send(b batch) error {
	if len(p.flow.held) > 0 || !p.flow.fits(b) {
		p.flow.hold(b)
		return nil
	}
	return p.write(b)
}

func (p *framePath) write(b batch) error {
	var err error
	if parts, ok := batchParts(b); ok {
		err = p.mux.SendV(b.first, parts...)
	} else {
		_, err = withBody(b, func(body []byte) ([]byte, error) { return nil, p.mux.Send(b.first, body) })
	}
	if err != nil {
		return fmt.Errorf("frame path: %w", err)
	}
	p.flow.wrote(b)
	return nil
}

// release writes the held batches that fit now, and flushes them.
func (p *framePath) release() error {
	wrote := false
	for {
		b, ok := p.flow.next()
		if !ok {
			break
		}
		if err := p.write(b); err != nil {
			return err
		}
		wrote = true
	}
	if wrote {
		return p.flush()
	}
	return nil
}

func (p *framePath) flush() error {
	if err := p.mux.Flush(); err != nil {
		return fmt.Errorf("frame path: %w", err)
	}
	return nil
}

// recv takes the response's body over (RecvOwned), since the outcomes'
// outputs alias it and outlive the next response. Held batches that fit go
// out first: with nothing written, the oldest always does, so recv never
// waits for the answer to a batch it has not written.
func (p *framePath) recv() (uint64, []outcome, error) {
	if err := p.release(); err != nil {
		return 0, nil, err
	}
	tag, resp, err := p.mux.RecvOwned()
	if err != nil {
		return 0, nil, fmt.Errorf("frame path: %w", err)
	}
	p.flow.answered(tag)
	p.outs, err = decodeOutcomes(resp, -1, tag, p.outs[:0])
	return tag, p.outs, err
}

func (p *framePath) ready() bool { return p.mux.Ready() }

// withBody encodes b into a pooled buffer for the length of f.
func withBody(b batch, f func(body []byte) ([]byte, error)) ([]byte, error) {
	if b.size > maxPooledBody {
		return f(appendBatch(make([]byte, 0, b.size), b))
	}
	bp := bodies.Get().(*[]byte)
	*bp = appendBatch((*bp)[:0], b)
	resp, err := f(*bp)
	bodies.Put(bp)
	return resp, err
}

// close does nothing: the worker must not read EOF on its data socket
// before it has been asked to shut down, since EOF there means "the
// supervisor died". The socket closes when the worker has exited.
func (p *framePath) close() error { return nil }

// frameOptions are the Conn options on both ends: frames big enough for a
// payload at the limit plus its envelope.
func frameOptions(maxPayload int) []frame.Option {
	return []frame.Option{frame.WithMaxFrame(messageLimit(maxPayload))}
}
