package process

import (
	"fmt"

	"github.com/procpool/supervisor/internal/frame"
)

// framePath sends batches as frames on the socketpair: one request frame,
// one response frame, matched by tag (the first task's sequence number).
// A lone caller writes and reads on its own goroutine, with blocking system
// calls and a short spin before blocking (internal/frame); no HTTP/2, no
// netpoller, no hand-off between goroutines on the hot path.
type framePath struct {
	conn *frame.Conn
	mux  *frame.Mux
}

func newFramePath(conn *frame.Conn) *framePath {
	return &framePath{conn: conn, mux: frame.NewMux(conn)}
}

func (p *framePath) do(reqs []request) ([]outcome, error) {
	body := appendRequests(make([]byte, 0, requestSize(reqs)), reqs)
	resp, err := p.mux.Call(reqs[0].seq, body)
	if err != nil {
		return nil, fmt.Errorf("frame path: %w", err)
	}
	return decodeOutcomes(resp, len(reqs))
}

// close does nothing: the worker must not read EOF on its data socket
// before it has been asked to shut down, since EOF there means "the
// supervisor died". The socket closes when the worker has exited.
func (p *framePath) close() error { return nil }

func requestSize(reqs []request) int {
	n := 4
	for _, r := range reqs {
		n += 8 + 8 + 2 + len(r.task.Name) + 4 + len(r.task.Input)
	}
	return n
}

// frameOptions are the Conn options on both ends: frames big enough for a
// payload at the limit plus its envelope.
func frameOptions(maxPayload int) []frame.Option {
	return []frame.Option{frame.WithMaxFrame(messageLimit(maxPayload))}
}
